//! Claims on open attempts: a reconciler takes an attempt before it asks its gateway or
//! resends it, for a lease, so that no two reconcilers (windows, command lines, desks) work on
//! one at once. Taken in a write transaction, each claim guarded by the one it replaces: no
//! one's, this claimant's own, or one whose lease ran out.

use sqlx::Row as _;

use super::attempts::from_row;
use super::columns::{attempts_by_ids, attempts_json, read_attempts, ClaimedAs};
use super::{push_in, Conn, Db, Pool, CHUNK_ROWS};
use crate::domain::Attempt;
use crate::store::dialect::Dialect;
use crate::store::{Claim, Claimant, OpenClaimed, Result};

/// The condition under which `claimant` ($1) may take an attempt at `now` ($2).
const FREE: &str = "(claimed_by IS NULL OR claimed_by = $1 OR claimed_until <= $2)";

/// Claims these attempts where they are free; returns the ones claimed, as they are now.
pub(in crate::store) async fn claim(
    pool: &Pool,
    attempt_ids: &[i64],
    claimant: &Claimant<'_>,
    now: i64,
) -> Result<Vec<Attempt>> {
    let mut tx = Db::begin_write(pool).await?;
    let claimed = claim_in(&mut tx, attempt_ids, claimant, now).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// [`claim`] inside the caller's write transaction.
async fn claim_in(
    tx: &mut Conn,
    attempt_ids: &[i64],
    claimant: &Claimant<'_>,
    now: i64,
) -> Result<Vec<Attempt>> {
    let until = now.saturating_add(claimant.lease_ms);
    for chunk in attempt_ids.chunks(CHUNK_ROWS) {
        let mut query = sqlx::QueryBuilder::<Db>::new("UPDATE attempts SET claimed_by = ");
        query
            .push_bind(claimant.id)
            .push(", claimed_desk = ")
            .push_bind(claimant.desk)
            .push(", claimed_until = ")
            .push_bind(until)
            .push(" WHERE (claimed_by IS NULL OR claimed_by = ")
            .push_bind(claimant.id)
            .push(" OR claimed_until <= ")
            .push_bind(now)
            .push(") AND ");
        push_in(&mut query, "id", chunk.iter().copied());
        query.build().execute(&mut *tx).await?;
    }
    let mark = ClaimedAs {
        by: claimant.id,
        until,
    };
    let mut claimed = attempts_by_ids(tx, attempt_ids, Some(mark)).await?;
    claimed.sort_by_key(|a| a.id);
    Ok(claimed)
}

/// Open attempts read as one JSON text at most: a million of them would outgrow the longest
/// value SQLite makes.
const OPEN_PER_READ: i64 = 5_000;

/// Claims every pending or unknown attempt that is free, and those of `also` that are (sends
/// taken over); says which open attempt someone else holds, if any.
pub(in crate::store) async fn claim_open<'a>(
    pool: &Pool,
    also: &[i64],
    claimant_of: &impl Fn(usize) -> Claimant<'a>,
    now: i64,
) -> Result<OpenClaimed> {
    let mut tx = Db::begin_write(pool).await?;
    let open: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attempts WHERE state IN ('pending', 'unknown')")
            .fetch_one(&mut *tx)
            .await?;
    let claimant = &claimant_of(usize::try_from(open).unwrap_or(0) + also.len());
    let until = now.saturating_add(claimant.lease_ms);
    sqlx::query(&format!(
        "UPDATE attempts SET claimed_by = $1, claimed_desk = $3, claimed_until = $4
         WHERE state IN ('pending', 'unknown') AND {FREE}"
    ))
    .bind(claimant.id)
    .bind(now)
    .bind(claimant.desk)
    .bind(until)
    .execute(&mut *tx)
    .await?;
    let mark = ClaimedAs {
        by: claimant.id,
        until,
    };
    let mut claimed = Vec::new();
    let mut after = 0;
    loop {
        let mut query = attempts_json();
        query
            .push("SELECT * FROM attempts WHERE state IN ('pending', 'unknown') AND id > ")
            .push_bind(after);
        mark.push_carried(&mut query);
        query.push(" ORDER BY id LIMIT ").push_bind(OPEN_PER_READ);
        let page = read_attempts(&mut tx, query).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        claimed.extend(page);
    }
    let held: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM attempts WHERE state IN ('pending', 'unknown')
           AND claimed_by IS NOT NULL AND NOT (claimed_by = $1 AND claimed_until = $2)
         ORDER BY id LIMIT 1",
    )
    .bind(claimant.id)
    .bind(until)
    .fetch_optional(&mut *tx)
    .await?;
    let taken_over = claim_in(&mut tx, also, claimant, now).await?;
    tx.commit().await?;
    let held_send = also
        .iter()
        .copied()
        .filter(|id| !taken_over.iter().any(|a| a.id == *id))
        .min();
    let held = held.into_iter().chain(held_send).min();
    claimed.extend(taken_over);
    claimed.sort_by_key(|a| a.id);
    Ok(OpenClaimed { claimed, held })
}

/// Claims up to `limit` free attempts that are due for a status check at `now`, the
/// longest-waiting first; desks claiming at once take different ones.
pub(in crate::store) async fn claim_due(
    pool: &Pool,
    claimant: &Claimant<'_>,
    now: i64,
    limit: i64,
) -> Result<Vec<Attempt>> {
    let mut tx = Db::begin_write(pool).await?;
    let rows = sqlx::query(&format!(
        "UPDATE attempts SET claimed_by = $1, claimed_desk = $3, claimed_until = $4
         WHERE id IN (
           SELECT id FROM {}
           WHERE state IN ('pending', 'unknown', 'submitting') AND next_check_at <= $2
             AND {FREE}
           ORDER BY next_check_at LIMIT $5 {})
         RETURNING *",
        Db::ATTEMPTS_DUE_FOR_CHECK,
        Db::SKIP_LOCKED
    ))
    .bind(claimant.id)
    .bind(now)
    .bind(claimant.desk)
    .bind(now.saturating_add(claimant.lease_ms))
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut claimed = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|a| a.id);
    Ok(claimed)
}

/// Gives up this claimant's claims on these attempts.
pub(in crate::store) async fn release(
    pool: &Pool,
    attempt_ids: &[i64],
    claimant_id: &str,
) -> Result<()> {
    // One commit, not one a chunk: each is durable.
    let mut tx = Db::begin_write(pool).await?;
    for chunk in attempt_ids.chunks(CHUNK_ROWS) {
        let mut query = sqlx::QueryBuilder::<Db>::new(
            "UPDATE attempts SET claimed_by = NULL, claimed_desk = NULL, claimed_until = NULL
             WHERE claimed_by = ",
        );
        query.push_bind(claimant_id).push(" AND ");
        push_in(&mut query, "id", chunk.iter().copied());
        query.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Who holds a claim on the attempt at `now`, if anyone does.
pub(in crate::store) async fn holder(
    pool: &Pool,
    attempt_id: i64,
    now: i64,
) -> Result<Option<Claim>> {
    let row = sqlx::query(
        "SELECT claimed_by, claimed_desk, claimed_until FROM attempts
         WHERE id = $1 AND claimed_by IS NOT NULL AND claimed_until > $2",
    )
    .bind(attempt_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(Claim {
            by: row.try_get("claimed_by")?,
            desk: row.try_get("claimed_desk")?,
            until: row.try_get("claimed_until")?,
        })
    })
    .transpose()
}

/// Whether `claimant` may act on the attempt now (inside the caller's transaction): nobody
/// else holds it. Locks the row where the database locks rows.
pub(in crate::store) async fn may_act(
    tx: &mut super::Conn,
    attempt_id: i64,
    claimant_id: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(&format!(
        "UPDATE attempts SET claimed_by = claimed_by WHERE id = $3 AND {FREE}"
    ))
    .bind(claimant_id)
    .bind(now)
    .bind(attempt_id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
