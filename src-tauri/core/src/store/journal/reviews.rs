//! A person's part: decisions on attempts that need review (kept for good in `reviews`), the
//! evidence a gateway's report adds to an attempt, and settled attempts such a report contests.

use super::attempts::{add_events, attempt_in, from_row};
use super::{Db, Pool};
use crate::audit::{AuditAction, Audited};
use crate::domain::{Actor, Attempt, AttemptState};
use crate::store::dialect::Dialect;
use crate::store::{is_unique_violation, Result, StoreError};

/// Records a person's decision with its note; the review row and the state change it makes
/// commit together or not at all. `settles_itself`: whether the attempt's gateway can be
/// asked about it (a pending one that cannot is a person's to decide).
pub(in crate::store) async fn resolve(
    pool: &Pool,
    attempt_id: i64,
    decision: AttemptState,
    note: &str,
    settles_itself: bool,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    let current = attempt_in(&mut tx, attempt_id).await?;
    if !current
        .state
        .can_be_decided(current.contested.is_some(), settles_itself, decision)
    {
        return Err(StoreError::BadTransition {
            id: attempt_id,
            from: current.state,
            to: decision,
        });
    }
    sqlx::query(
        "INSERT INTO reviews (attempt_id, decision, note, at, desk, operator)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(attempt_id)
    .bind(decision.as_str())
    .bind(note)
    .bind(now)
    .bind(&actor.desk)
    .bind(&actor.operator)
    .execute(&mut *tx)
    .await?;
    // Guarded by the state it was read in, the contradiction it answers cleared with it.
    let moved = sqlx::query(
        "UPDATE attempts SET state = $1, updated_at = $2, next_check_at = NULL, contested = NULL
         WHERE id = $3 AND state = $4 RETURNING *",
    )
    .bind(decision.as_str())
    .bind(now)
    .bind(attempt_id)
    .bind(current.state.as_str())
    .fetch_optional(&mut *tx)
    .await;
    let row = match moved {
        Ok(Some(row)) => row,
        // Another desk moved it between the read and the write.
        Ok(None) => {
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from: attempt_in(&mut tx, attempt_id).await?.state,
                to: decision,
            })
        }
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::OtherPaymentOfOrder {
                attempt_id,
                decision,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let detail = format!("resolved by a person: {note}");
    add_events(&mut tx, &[(attempt_id, decision, Some(detail))], actor, now).await?;
    let order_no: String = sqlx::query_scalar(
        "SELECT o.order_no FROM orders o JOIN attempts a ON a.order_id = o.id WHERE a.id = $1",
    )
    .bind(attempt_id)
    .fetch_one(&mut *tx)
    .await?;
    let entry = Audited::new(AuditAction::PersonDecided, order_no)
        .with("attempt_id", attempt_id)
        .with("decision", decision.as_str())
        .with("note", note);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    tx.commit().await?;
    from_row(&row)
}

/// Keeps a gateway's report about an attempt as evidence in its timeline, its state as it is.
pub(in crate::store) async fn add_evidence(
    pool: &Pool,
    attempt_id: i64,
    evidence: &str,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    let attempt = attempt_in(&mut tx, attempt_id).await?;
    let event = [(attempt_id, attempt.state, Some(evidence.to_string()))];
    add_events(&mut tx, &event, actor, now).await?;
    tx.commit().await?;
    Ok(attempt)
}

/// Marks a settled attempt as contradicted by a gateway's report, with the evidence; its state
/// stays as it is until a person decides.
pub(in crate::store) async fn contest(
    pool: &Pool,
    attempt_id: i64,
    evidence: &str,
    actor: &Actor,
    now: i64,
) -> Result<Attempt> {
    let mut tx = Db::begin_write(pool).await?;
    let row = sqlx::query(
        "UPDATE attempts SET contested = $1, updated_at = $2
         WHERE id = $3 AND state IN ('succeeded', 'failed') RETURNING *",
    )
    .bind(evidence)
    .bind(now)
    .bind(attempt_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
    let attempt = from_row(&row)?;
    let event = [(attempt_id, attempt.state, Some(evidence.to_string()))];
    add_events(&mut tx, &event, actor, now).await?;
    tx.commit().await?;
    Ok(attempt)
}
