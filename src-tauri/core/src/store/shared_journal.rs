//! A payment's two commits on a shared store, each one statement: the attempt journaled with
//! its events and audit entry, and the answer recorded with its event. On a server every
//! statement of a transaction is a round trip (BEGIN, each write, COMMIT, and the clock read
//! before it), and a payment waits for all of them; one statement in autocommit is one round
//! trip and one durable commit, with the same rows, the same guards (the order locked and
//! checked unchanged, the state machine's rule in the UPDATE, the one-live-attempt index) and
//! the server's clock read inside it. The other desks are told in the same statement (its
//! NOTIFY is delivered when it commits), not by another round trip on another connection
//! after it. SQLite's journal ([`super::journal::attempts`]) writes
//! the same rows statement by statement: there a statement costs no round trip.

use sqlx::postgres::PgPool;
use sqlx::Row as _;

use super::dialect::POSTGRES_NOW_MS;
use super::on_postgres::journal::attempts as journal;
use super::shared_feed::CHANNEL;
use super::{is_unique_violation, NewAttempt, Result, StoreError};
use crate::audit::AuditAction;
use crate::domain::{Actor, Attempt, AttemptState};
use crate::settling::{next_check_delay_ms, AttemptUpdate};

/// Journals a new attempt as `submitting` with its `created` and `submitting` events and its
/// audit entry, in one durable statement, if the order is still as it was priced (not
/// cancelled, at the revision read); the one-live-attempt index refuses a second one.
pub(super) async fn begin(
    pool: &PgPool,
    new: &NewAttempt<'_>,
    actor: &Actor,
    origin: &str,
) -> Result<Attempt> {
    let sql = format!(
        "WITH clock AS MATERIALIZED (SELECT {POSTGRES_NOW_MS} AS now),
         locked AS (
             SELECT id, order_no FROM orders
             WHERE id = $1 AND revision = $2 AND cancelled_at IS NULL FOR UPDATE),
         a AS (
             INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor,
                                   deductions, coupon, credit_minor, created_at, updated_at,
                                   next_check_at, sender, sender_process, sender_timeout_ms,
                                   sent_at, desk, operator, subscription_refunds, shift_id)
             SELECT locked.id, $3, 'submitting', $4, $5, $6, $7, $8, clock.now, clock.now,
                    clock.now + $9, $10, $11, $12, clock.now, $13, $14, $15,
                    (SELECT id FROM shifts WHERE desk = $13 AND closed_at IS NULL)
             FROM locked, clock
             RETURNING *),
         events AS (
             INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator)
             SELECT a.id, s.state, NULL, a.created_at, $13, $14
             FROM a, (VALUES (1, 'created'), (2, 'submitting')) AS s(n, state)
             ORDER BY s.n),
         audited AS (
             INSERT INTO audit (at, desk, operator, action, subject, detail)
             SELECT a.created_at, $13, $14, $16, locked.order_no,
                    '{{\"attempt_id\":' || a.id || ',\"channel\":\"' || a.channel
                      || '\",\"state\":\"' || a.state || '\"}}'
             FROM a, locked),
         notified AS (
             SELECT pg_notify($17, {notice}) FROM a, locked)
         SELECT a.* FROM a, notified",
        notice = notice("locked.order_no", "a.id", 18)
    );
    // Sent at the server's clock; its deadline is that much later.
    let deadline_after_sending = new.sending.deadline(0);
    let inserted = sqlx::query(&sql)
        .bind(new.order_id)
        .bind(new.order_revision)
        .bind(new.channel)
        .bind(new.idempotency_key)
        .bind(new.amount_minor)
        .bind(new.deductions_json)
        .bind(new.coupon)
        .bind(new.credit_minor)
        .bind(deadline_after_sending)
        .bind(&new.sending.sender.id)
        .bind(&new.sending.sender.process)
        .bind(new.sending.timeout_ms)
        .bind(&actor.desk)
        .bind(&actor.operator)
        .bind(new.subscription_refunds_json)
        .bind(AuditAction::PaymentStarted.as_str())
        .bind(CHANNEL)
        .bind(origin)
        .fetch_optional(pool)
        .await;
    match inserted {
        Ok(Some(row)) => journal::from_row(&row),
        Ok(None) => Err(why_not_payable(pool, new).await),
        Err(e) if is_unique_violation(&e) => {
            Err(journal::already_live(pool, new.order_id, new.order_no).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// Why the order refused a new attempt: gone, cancelled, or edited since it was priced.
async fn why_not_payable(pool: &PgPool, new: &NewAttempt<'_>) -> StoreError {
    let row: sqlx::Result<Option<(i64, Option<i64>)>> =
        sqlx::query_as("SELECT revision, cancelled_at FROM orders WHERE id = $1")
            .bind(new.order_id)
            .fetch_optional(pool)
            .await;
    match row {
        Err(e) => e.into(),
        Ok(None) => StoreError::NoSuchOrder(new.order_no.to_string()),
        Ok(Some((_, Some(_)))) => StoreError::OrderCancelled(new.order_no.to_string()),
        // Edited since it was read (revisions only grow).
        Ok(Some(_)) => StoreError::OrderChanged(new.order_no.to_string()),
    }
}

/// Moves an attempt to `next` with its event in one durable statement, if the state machine
/// allows it from the state the attempt is in when the statement runs; returns the attempt
/// and its order's number.
pub(super) async fn record(
    pool: &PgPool,
    attempt_id: i64,
    next: AttemptState,
    update: &AttemptUpdate,
    actor: &Actor,
    origin: &str,
) -> Result<(Attempt, String)> {
    let next_check_after = match next {
        AttemptState::Pending | AttemptState::Unknown => Some(next_check_delay_ms(0)),
        AttemptState::Submitting => {
            Some(crate::sender::UNRECORDED_TIMEOUT_MS + crate::sender::TAKEOVER_GRACE_MS)
        }
        _ => None,
    };
    let sql = format!(
        "WITH clock AS MATERIALIZED (SELECT {POSTGRES_NOW_MS} AS now),
         moved AS (
             UPDATE attempts SET state = $1, updated_at = clock.now,
                 next_check_at = clock.now + $2,
                 gateway_ref = COALESCE($3, gateway_ref), pay_url = COALESCE($4, pay_url),
                 gateway_deduction_minor = COALESCE($5, gateway_deduction_minor),
                 error_code = $6, error_message = $7,
                 payable_until = COALESCE($9, payable_until),
                 customer_ref = COALESCE($10, customer_ref)
             FROM clock
             WHERE id = $8 AND state IN ({})
             RETURNING attempts.*),
         events AS (
             INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator)
             SELECT moved.id, moved.state, $11, moved.updated_at, $12, $13 FROM moved),
         named AS (
             SELECT moved.*, o.order_no AS moved_order_no
             FROM moved JOIN orders o ON o.id = moved.order_id),
         notified AS (
             SELECT pg_notify($14, {notice}) FROM named)
         SELECT named.* FROM named, notified",
        journal::states_that_may_become(next),
        notice = notice("named.moved_order_no", "named.id", 15)
    );
    let row = sqlx::query(&sql)
        .bind(next.as_str())
        .bind(next_check_after)
        .bind(&update.gateway_ref)
        .bind(&update.pay_url)
        .bind(update.gateway_deduction_minor)
        .bind(&update.error_code)
        .bind(&update.error_message)
        .bind(attempt_id)
        .bind(update.payable_until)
        .bind(&update.customer_ref)
        .bind(&update.detail)
        .bind(&actor.desk)
        .bind(&actor.operator)
        .bind(CHANNEL)
        .bind(origin)
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => Ok((journal::from_row(&row)?, row.try_get("moved_order_no")?)),
        None => Err(StoreError::BadTransition {
            id: attempt_id,
            from: journal::attempt(pool, attempt_id).await?.state,
            to: next,
        }),
    }
}

/// The change notice (as `shared_feed` reads it) naming one attempt and its order, built by
/// the statement from its columns (the attempt's id is the server's to give), from this
/// desk's origin bound as parameter `origin`.
fn notice(order_no: &str, attempt_id: &str, origin: usize) -> String {
    format!(
        "json_build_object('origin', ${origin}::text, 'change', json_build_object(
             'kind', 'attempts', 'order_nos', json_build_array({order_no}),
             'attempt_ids', json_build_array({attempt_id})))::text"
    )
}
