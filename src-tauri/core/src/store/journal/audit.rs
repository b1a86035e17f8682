//! The audit trail's SQL (crate::audit): one entry written inside the transaction of the act
//! it records, or on its own for acts outside the store; read newest first.

use sqlx::Row as _;

use super::{Conn, Pool, Row};
use crate::audit::{AuditAction, AuditEntry, AuditQuery, Audited, MAX_AUDIT_ROWS};
use crate::domain::Actor;
use crate::store::{Result, StoreError};

/// Writes `entry` as `actor` at `now` on `conn` (a transaction's, where the act is in one).
pub(in crate::store) async fn record(
    conn: &mut Conn,
    entry: &Audited,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit (at, desk, operator, action, subject, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now)
    .bind(&actor.desk)
    .bind(&actor.operator)
    .bind(entry.action.as_str())
    .bind(&entry.subject)
    .bind(entry.detail.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// [`record`] on its own connection.
pub(in crate::store) async fn record_alone(
    pool: &Pool,
    entry: &Audited,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let mut conn = pool.acquire().await?;
    record(&mut conn, entry, actor, now).await
}

/// The entries `query` asks for, newest first.
pub(in crate::store) async fn list(pool: &Pool, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let mut q = sqlx::QueryBuilder::new(
        "SELECT id, at, desk, operator, action, subject, detail FROM audit WHERE at >= ",
    );
    q.push_bind(query.since_ms.unwrap_or(i64::MIN));
    q.push(" AND at < ")
        .push_bind(query.until_ms.unwrap_or(i64::MAX));
    if let Some(action) = query.action {
        q.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(subject) = &query.subject {
        q.push(" AND subject = ").push_bind(subject.clone());
    }
    let limit = query
        .limit
        .unwrap_or(MAX_AUDIT_ROWS)
        .clamp(1, MAX_AUDIT_ROWS);
    q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

fn from_row(row: &Row) -> Result<AuditEntry> {
    let action: String = row.try_get("action")?;
    let detail: String = row.try_get("detail")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        desk: row.try_get("desk")?,
        operator: row.try_get("operator")?,
        // A newer desk's action keeps the trail readable here: shown by its name.
        action: AuditAction::parse(&action).unwrap_or(AuditAction::Unrecognized),
        recorded_as: action,
        subject: row.try_get("subject")?,
        detail: serde_json::from_str(&detail).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

/// One entry per attempt named (its order's number the subject; the attempt, its channel and
/// the state it is in now the detail), inside the caller's transaction.
pub(in crate::store) async fn record_attempts(
    tx: &mut Conn,
    action: AuditAction,
    attempt_ids: &[i64],
    actor: &Actor,
    now: i64,
) -> Result<()> {
    for chunk in attempt_ids.chunks(super::CHUNK_ROWS) {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO audit (at, desk, operator, action, subject, detail) SELECT ",
        );
        q.push_bind(now)
            .push(", ")
            .push_bind(actor.desk.clone())
            .push(", ")
            .push_bind(actor.operator.clone())
            .push(", ")
            .push_bind(action.as_str())
            .push(
                ", o.order_no, '{\"attempt_id\":' || a.id || ',\"channel\":\"' || a.channel
                   || '\",\"state\":\"' || a.state || '\"}'
                 FROM attempts a JOIN orders o ON o.id = a.order_id WHERE ",
            );
        super::push_in(&mut q, "a.id", chunk.iter().copied());
        q.push(" ORDER BY a.id");
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}
