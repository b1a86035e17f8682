//! Shifts' SQL (crate::shifts): one open shift per desk (a unique index), opened and closed
//! with their audit entries in the same transaction; a shift's attempts with their orders.

use sqlx::Row as _;

use super::attempts::from_row as attempt_from_row;
use super::{Conn, Db, Pool, Row};
use crate::audit::{AuditAction, Audited};
use crate::domain::Actor;
use crate::shifts::{OpenAttemptRef, Shift, ShiftAttempt};
use crate::store::dialect::Dialect;
use crate::store::{is_unique_violation, Result, StoreError};

fn from_row(row: &Row) -> Result<Shift> {
    let acknowledged: String = row.try_get("acknowledged")?;
    Ok(Shift {
        id: row.try_get("id")?,
        desk: row.try_get("desk")?,
        opened_at: row.try_get("opened_at")?,
        opened_by: row.try_get("opened_by")?,
        closed_at: row.try_get("closed_at")?,
        closed_by: row.try_get("closed_by")?,
        acknowledged: serde_json::from_str(&acknowledged)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

/// The desk's open shift, if it has one.
pub(in crate::store) async fn open_of(pool: &Pool, desk: &str) -> Result<Option<Shift>> {
    sqlx::query("SELECT * FROM shifts WHERE desk = $1 AND closed_at IS NULL")
        .bind(desk)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub(in crate::store) async fn by_id(pool: &Pool, id: i64) -> Result<Shift> {
    sqlx::query("SELECT * FROM shifts WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()?
        .ok_or(StoreError::NoSuchShift(id))
}

/// Shifts newest first, of one desk where given.
pub(in crate::store) async fn list(
    pool: &Pool,
    desk: Option<&str>,
    limit: i64,
) -> Result<Vec<Shift>> {
    let mut q = sqlx::QueryBuilder::new("SELECT * FROM shifts");
    if let Some(desk) = desk {
        q.push(" WHERE desk = ").push_bind(desk.to_string());
    }
    q.push(" ORDER BY opened_at DESC, id DESC LIMIT ")
        .push_bind(limit);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Opens a shift at the actor's desk; refused while the desk has one open.
pub(in crate::store) async fn open(pool: &Pool, actor: &Actor, now: i64) -> Result<Shift> {
    let mut tx = Db::begin_write(pool).await?;
    let inserted = sqlx::query(
        "INSERT INTO shifts (desk, opened_at, opened_by) VALUES ($1, $2, $3) RETURNING *",
    )
    .bind(&actor.desk)
    .bind(now)
    .bind(&actor.operator)
    .fetch_one(&mut *tx)
    .await;
    let shift = match inserted {
        Ok(row) => from_row(&row)?,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let open = open_of(pool, &actor.desk).await?;
            return Err(StoreError::ShiftOpen(Box::new(open.ok_or_else(|| {
                StoreError::Corrupt("an open shift that cannot be read".into())
            })?)));
        }
        Err(e) => return Err(e.into()),
    };
    let entry = Audited::new(AuditAction::ShiftOpened, &actor.desk).with("shift_id", shift.id);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    tx.commit().await?;
    Ok(shift)
}

/// A shift's attempts with their orders' numbers, currencies and gateways, oldest first.
pub(in crate::store) async fn attempts_of(pool: &Pool, shift_id: i64) -> Result<Vec<ShiftAttempt>> {
    let mut conn = pool.acquire().await?;
    attempts_in(&mut conn, shift_id).await
}

const ATTEMPTS_WITH_ORDERS: &str = "SELECT a.*, o.order_no, o.currency, p.gateway, p.is_sandbox
     FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id";

fn shift_attempt(row: &Row) -> Result<ShiftAttempt> {
    Ok(ShiftAttempt {
        attempt: attempt_from_row(row)?,
        order_no: row.try_get("order_no")?,
        currency: row.try_get("currency")?,
        gateway: row.try_get("gateway")?,
        sandbox: row.try_get("is_sandbox")?,
        shift_id: row.try_get("shift_id")?,
    })
}

async fn attempts_in(conn: &mut Conn, shift_id: i64) -> Result<Vec<ShiftAttempt>> {
    sqlx::query(&format!(
        "{ATTEMPTS_WITH_ORDERS} WHERE a.shift_id = $1 ORDER BY a.id"
    ))
    .bind(shift_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(shift_attempt)
    .collect()
}

/// Every desk's attempts started in `[since, until)`, oldest first.
pub(in crate::store) async fn attempts_between(
    pool: &Pool,
    since: i64,
    until: i64,
) -> Result<Vec<ShiftAttempt>> {
    sqlx::query(&format!(
        "{ATTEMPTS_WITH_ORDERS} WHERE a.created_at >= $1 AND a.created_at < $2 ORDER BY a.id"
    ))
    .bind(since)
    .bind(until)
    .fetch_all(pool)
    .await?
    .iter()
    .map(shift_attempt)
    .collect()
}

/// Every desk's shifts open at some moment of `[since, until)`, by opening.
pub(in crate::store) async fn open_between(
    pool: &Pool,
    since: i64,
    until: i64,
) -> Result<Vec<Shift>> {
    sqlx::query(
        "SELECT * FROM shifts WHERE opened_at < $2 AND (closed_at IS NULL OR closed_at >= $1)
         ORDER BY opened_at, id",
    )
    .bind(since)
    .bind(until)
    .fetch_all(pool)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Closes the actor's desk's open shift, read after locking it: refused while an attempt of
/// it is open and not among `acknowledged` (each named), and when the desk has none open.
pub(in crate::store) async fn close(
    pool: &Pool,
    acknowledged: &[i64],
    acknowledge_all: bool,
    actor: &Actor,
    now: i64,
) -> Result<Shift> {
    let mut tx = Db::begin_write(pool).await?;
    let row = sqlx::query(&format!(
        "SELECT * FROM shifts WHERE desk = $1 AND closed_at IS NULL {}",
        Db::LOCK_ROW
    ))
    .bind(&actor.desk)
    .fetch_optional(&mut *tx)
    .await?;
    let shift = row
        .as_ref()
        .map(from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NoOpenShift(actor.desk.clone()))?;
    let attempts = attempts_in(&mut tx, shift.id).await?;
    let open: Vec<&ShiftAttempt> = crate::shifts::unacknowledged(&attempts, &[]);
    let acknowledged: Vec<i64> = match acknowledge_all {
        true => open.iter().map(|a| a.attempt.id).collect(),
        false => acknowledged.to_vec(),
    };
    let blocking: Vec<OpenAttemptRef> = open
        .iter()
        .filter(|a| !acknowledged.contains(&a.attempt.id))
        .map(|a| OpenAttemptRef {
            attempt_id: a.attempt.id,
            order_no: a.order_no.clone(),
            state: a.attempt.state,
            sandbox: a.sandbox,
        })
        .collect();
    if !blocking.is_empty() {
        return Err(StoreError::ShiftHasOpenAttempts(blocking));
    }
    let acknowledged: Vec<i64> = open
        .iter()
        .map(|a| a.attempt.id)
        .filter(|id| acknowledged.contains(id))
        .collect();
    let closed = sqlx::query(
        "UPDATE shifts SET closed_at = $1, closed_by = $2, acknowledged = $3 WHERE id = $4
         RETURNING *",
    )
    .bind(now)
    .bind(&actor.operator)
    .bind(serde_json::to_string(&acknowledged).expect("ids serialize"))
    .bind(shift.id)
    .fetch_one(&mut *tx)
    .await?;
    let entry = Audited::new(AuditAction::ShiftClosed, &actor.desk)
        .with("shift_id", shift.id)
        .with("acknowledged", &acknowledged);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    tx.commit().await?;
    from_row(&closed)
}
