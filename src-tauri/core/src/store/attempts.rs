//! The attempts' journal: an attempt is written as `submitting` before its request leaves, and
//! every move after that goes through the state machine inside one transaction with its event.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{is_unique_violation, now_ms, Result, Store, StoreError, CHUNK_ROWS};
use crate::changes::Change;
use crate::domain::{Attempt, AttemptEvent, AttemptState};
use crate::sender::Sender;
use crate::settling::{next_check_delay_ms, AttemptUpdate, CheckVerdict};

/// Who sends a request and how long it waits for the answer, journaled with the attempt
/// each time its request leaves ([`crate::sender`]).
#[derive(Debug, Clone, Copy)]
pub struct Sending<'a> {
    pub sender: &'a Sender,
    pub timeout_ms: i64,
}

/// One status check as it is recorded by [`Store::record_checks`]: the attempt as it was
/// read, what the answer concluded, and whether asking sent the payment again (a status query
/// that is a resend, as TOP's is), which counts against the bound on resends.
#[derive(Debug, Clone)]
pub struct Checked {
    pub seen: Attempt,
    pub verdict: CheckVerdict,
    pub resent: bool,
}

impl Sending<'_> {
    /// When anyone else may take over a request sent `now` this way.
    fn deadline(&self, now: i64) -> i64 {
        crate::sender::deadline(&crate::sender::SendRecord {
            sender: None,
            process: None,
            sent_at: now,
            timeout_ms: Some(self.timeout_ms),
        })
    }
}

impl Store {
    pub(super) fn attempt_from_row(row: &SqliteRow) -> Result<Attempt> {
        let state: String = row.try_get("state")?;
        Ok(Attempt {
            id: row.try_get("id")?,
            order_id: row.try_get("order_id")?,
            channel: row.try_get("channel")?,
            state: AttemptState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("state {state:?}")))?,
            idempotency_key: row.try_get("idempotency_key")?,
            amount_minor: row.try_get("amount_minor")?,
            gateway_ref: row.try_get("gateway_ref")?,
            pay_url: row.try_get("pay_url")?,
            error_code: row.try_get("error_code")?,
            error_message: row.try_get("error_message")?,
            deductions: row.try_get("deductions")?,
            coupon: row.try_get("coupon")?,
            credit_minor: row.try_get("credit_minor")?,
            checks: row.try_get("checks")?,
            resends: row.try_get("resends")?,
            contested: row.try_get("contested")?,
            gateway_deduction_minor: row.try_get("gateway_deduction_minor")?,
            sent_at: row.try_get("sent_at")?,
            sender_timeout_ms: row.try_get("sender_timeout_ms")?,
            sender: row.try_get("sender")?,
            sender_process: row.try_get("sender_process")?,
            desk: row.try_get("desk")?,
            operator: row.try_get("operator")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub async fn attempt(&self, id: i64) -> Result<Attempt> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoSuchAttempt(id))?;
        Self::attempt_from_row(&row)
    }

    /// Every attempt of an order, oldest first.
    pub async fn attempts(&self, order_no: &str) -> Result<Vec<Attempt>> {
        let order = self.order(order_no).await?;
        sqlx::query("SELECT * FROM attempts WHERE order_id = ? ORDER BY id")
            .bind(order.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::attempt_from_row)
            .collect()
    }

    pub async fn events(&self, attempt_id: i64) -> Result<Vec<AttemptEvent>> {
        let rows = sqlx::query("SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id")
            .bind(attempt_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(AttemptEvent {
                    attempt_id: row.try_get("attempt_id")?,
                    state: AttemptState::parse(&state)
                        .ok_or_else(|| StoreError::Corrupt(format!("state {state:?}")))?,
                    detail: row.try_get("detail")?,
                    at: row.try_get("at")?,
                    desk: row.try_get("desk")?,
                    operator: row.try_get("operator")?,
                })
            })
            .collect()
    }

    /// Journals a new attempt as `submitting` (with its `created` and `submitting` events) in
    /// one durable transaction. Only after this returns may the request be sent. The database
    /// refuses a second live attempt for the same order.
    // One argument per journaled column: a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_attempt(
        &self,
        order_id: i64,
        order_no: &str,
        channel: &str,
        idempotency_key: &str,
        amount_minor: i64,
        deductions_json: &str,
        coupon: Option<&str>,
        credit_minor: Option<i64>,
        sending: Sending<'_>,
    ) -> Result<Attempt> {
        let now = now_ms();
        let actor = self.actor();
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY (no waiting) when another writer got in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query(
            "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                                   coupon, credit_minor, created_at, updated_at, next_check_at,
                                   sender, sender_process, sender_timeout_ms, sent_at,
                                   desk, operator)
             VALUES (?, ?, 'submitting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING *",
        )
        .bind(order_id)
        .bind(channel)
        .bind(idempotency_key)
        .bind(amount_minor)
        .bind(deductions_json)
        .bind(coupon)
        .bind(credit_minor)
        .bind(now)
        .bind(now)
        // Should its sender never record the answer, the reconciler finds the attempt due
        // once the sender's own time is up, and settles it.
        .bind(sending.deadline(now))
        .bind(&sending.sender.id)
        .bind(&sending.sender.process)
        .bind(sending.timeout_ms)
        .bind(now)
        .bind(&actor.desk)
        .bind(&actor.operator)
        .fetch_one(&mut *tx)
        .await;
        let attempt = match inserted {
            Ok(row) => Self::attempt_from_row(&row)?,
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let paid: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM attempts WHERE order_id = ? AND state = 'succeeded'",
                )
                .bind(order_id)
                .fetch_optional(&self.pool)
                .await?;
                return Err(match paid {
                    Some(_) => StoreError::AlreadyPaid(order_no.to_string()),
                    None => StoreError::AttemptInProgress(order_no.to_string()),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let events =
            [AttemptState::Created, AttemptState::Submitting].map(|s| (attempt.id, s, None));
        self.add_events(&mut tx, &events, now).await?;
        tx.commit().await?;
        self.publish(Change::Attempts {
            order_nos: vec![order_no.to_string()],
            attempt_ids: vec![attempt.id],
        });
        Ok(attempt)
    }

    /// Moves an attempt to `next` with its event, refusing transitions the state machine
    /// does not allow (checked inside the transaction, so two writers cannot both move it).
    pub async fn record(
        &self,
        attempt_id: i64,
        next: AttemptState,
        update: &AttemptUpdate,
    ) -> Result<Attempt> {
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY (no waiting) when another writer got in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let Some(attempt) = Self::move_attempt(&mut tx, attempt_id, next, update, now).await?
        else {
            let from = Self::current_state(&mut tx, attempt_id).await?.0;
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from,
                to: next,
            });
        };
        self.add_events(&mut tx, &[(attempt_id, next, update.detail.clone())], now)
            .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }

    /// Moves an unknown attempt back to `submitting` to send its request again under its own
    /// idempotency key, counting the resend, in one durable transaction: only after this
    /// returns may the request leave.
    pub async fn record_resend(
        &self,
        attempt_id: i64,
        detail: &str,
        sending: Sending<'_>,
    ) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let update = AttemptUpdate {
            detail: Some(detail.to_string()),
            ..AttemptUpdate::default()
        };
        let moved =
            Self::move_attempt(&mut tx, attempt_id, AttemptState::Submitting, &update, now).await?;
        if moved.is_none() {
            let from = Self::current_state(&mut tx, attempt_id).await?.0;
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from,
                to: AttemptState::Submitting,
            });
        }
        let row = sqlx::query(
            "UPDATE attempts SET resends = resends + 1, next_check_at = ?, sender = ?,
                sender_process = ?, sender_timeout_ms = ?, sent_at = ?
             WHERE id = ? RETURNING *",
        )
        .bind(sending.deadline(now))
        .bind(&sending.sender.id)
        .bind(&sending.sender.process)
        .bind(sending.timeout_ms)
        .bind(now)
        .bind(attempt_id)
        .fetch_one(&mut *tx)
        .await?;
        self.add_events(
            &mut tx,
            &[(attempt_id, AttemptState::Submitting, update.detail)],
            now,
        )
        .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Self::attempt_from_row(&row)
    }

    /// Records what many status checks concluded, in one durable transaction. A check whose
    /// attempt has moved on since it was read (a callback, a person, another reconciler)
    /// changes nothing: the newer fact stands. Returns the attempts whose state changed.
    pub async fn record_checks(&self, checks: &[Checked]) -> Result<Vec<Attempt>> {
        let now = now_ms();
        let mut settles = Vec::new();
        let mut inconclusive = Vec::new();
        for Checked {
            seen,
            verdict,
            resent,
        } in checks
        {
            let resent = i64::from(*resent);
            match verdict {
                // A status answer never sends anything, so never moves an attempt to submitting.
                CheckVerdict::Settle(next, update)
                    if seen.state.can_become(*next) && *next != AttemptState::Submitting =>
                {
                    settles.push((seen, *next, update, resent))
                }
                CheckVerdict::Settle(next, _) => {
                    tracing::warn!(attempt = seen.id, from = %seen.state, to = %next, "a status answer contradicts the attempt's state; set aside");
                }
                CheckVerdict::Inconclusive => inconclusive.push((seen, resent)),
            }
        }
        let mut changed = Vec::new();
        let mut noted = 0;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // A statement per kind of verdict and chunk, each row guarded by the state and number
        // of checks it was read with: the driver's round trip is paid per chunk, not per row.
        for chunk in settles.chunks(CHUNK_ROWS) {
            let mut sql = sqlx::QueryBuilder::new(
                "WITH v(id, seen_state, seen_checks, next, next_check_at, gateway_ref, pay_url,
                        gateway_deduction_minor, error_code, error_message, resent) AS (",
            );
            sql.push_values(chunk, |mut row, (seen, next, update, resent)| {
                let next_check_at = matches!(next, AttemptState::Pending | AttemptState::Unknown)
                    .then(|| now + next_check_delay_ms(0));
                row.push_bind(seen.id)
                    .push_bind(seen.state.as_str())
                    .push_bind(seen.checks)
                    .push_bind(next.as_str())
                    .push_bind(next_check_at)
                    .push_bind(&update.gateway_ref)
                    .push_bind(&update.pay_url)
                    .push_bind(update.gateway_deduction_minor)
                    .push_bind(&update.error_code)
                    .push_bind(&update.error_message)
                    .push_bind(*resent);
            });
            sql.push(") UPDATE attempts SET state = v.next, updated_at = ")
                .push_bind(now)
                .push(
                    ", next_check_at = v.next_check_at,
                   gateway_ref = COALESCE(v.gateway_ref, attempts.gateway_ref),
                   pay_url = COALESCE(v.pay_url, attempts.pay_url),
                   gateway_deduction_minor =
                     COALESCE(v.gateway_deduction_minor, attempts.gateway_deduction_minor),
                   error_code = v.error_code, error_message = v.error_message,
                   resends = attempts.resends + v.resent
                 FROM v
                 WHERE attempts.id = v.id AND attempts.state = v.seen_state
                   AND attempts.checks = v.seen_checks
                 RETURNING *",
                );
            for row in sql.build().fetch_all(&mut *tx).await? {
                changed.push(Self::attempt_from_row(&row)?);
            }
        }
        for chunk in inconclusive.chunks(CHUNK_ROWS) {
            let mut sql = sqlx::QueryBuilder::new(
                "WITH v(id, seen_state, seen_checks, next_check_at, resent) AS (",
            );
            sql.push_values(chunk, |mut row, (seen, resent)| {
                row.push_bind(seen.id)
                    .push_bind(seen.state.as_str())
                    .push_bind(seen.checks)
                    .push_bind(now + next_check_delay_ms(seen.checks + 1))
                    .push_bind(*resent);
            });
            sql.push(
                ") UPDATE attempts SET checks = v.seen_checks + 1, next_check_at = v.next_check_at,
                   resends = attempts.resends + v.resent
                 FROM v
                 WHERE attempts.id = v.id AND attempts.state = v.seen_state
                   AND attempts.checks = v.seen_checks",
            );
            noted += sql.build().execute(&mut *tx).await?.rows_affected();
        }
        let details: HashMap<i64, &Option<String>> = settles
            .iter()
            .map(|(seen, _, update, _)| (seen.id, &update.detail))
            .collect();
        let events: Vec<_> = changed
            .iter()
            .map(|a| (a.id, a.state, details[&a.id].clone()))
            .collect();
        self.add_events(&mut tx, &events, now).await?;
        tx.commit().await?;
        let set_aside = settles.len() + inconclusive.len() - changed.len() - noted as usize;
        if set_aside > 0 {
            tracing::info!(
                set_aside,
                "attempts moved on while their status was asked; their answers were set aside"
            );
        }
        changed.sort_by_key(|a| a.id);
        // Inconclusive checks count too: the attempts show how often they were asked.
        let mut touched: Vec<i64> = changed.iter().map(|a| a.id).collect();
        touched.extend(inconclusive.iter().map(|(seen, _)| seen.id));
        self.publish_attempts(touched).await;
        Ok(changed)
    }

    pub(super) async fn current_state(
        tx: &mut sqlx::SqliteConnection,
        attempt_id: i64,
    ) -> Result<(AttemptState, i64)> {
        let (state, checks): (String, i64) =
            sqlx::query_as("SELECT state, checks FROM attempts WHERE id = ?")
                .bind(attempt_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        let state =
            AttemptState::parse(&state).ok_or_else(|| StoreError::Corrupt(state.clone()))?;
        Ok((state, checks))
    }

    /// The attempt's move to `next` inside the caller's transaction, if the state machine
    /// allows it from the state the attempt is in; `None` when it does not (or there is no
    /// such attempt).
    async fn move_attempt(
        tx: &mut sqlx::SqliteConnection,
        attempt_id: i64,
        next: AttemptState,
        update: &AttemptUpdate,
        now: i64,
    ) -> Result<Option<Attempt>> {
        let next_check_at = match next {
            AttemptState::Pending | AttemptState::Unknown => Some(now + next_check_delay_ms(0)),
            // Only record_resend and begin_attempt send; they set the sender's own deadline.
            AttemptState::Submitting => {
                Some(now + crate::sender::UNRECORDED_TIMEOUT_MS + crate::sender::TAKEOVER_GRACE_MS)
            }
            _ => None,
        };
        let row = sqlx::query(
            "UPDATE attempts SET state = ?, updated_at = ?, next_check_at = ?,
                gateway_ref = COALESCE(?, gateway_ref), pay_url = COALESCE(?, pay_url),
                gateway_deduction_minor = COALESCE(?, gateway_deduction_minor),
                error_code = ?, error_message = ?
             WHERE id = ? AND state IN (SELECT value FROM json_each(?))
             RETURNING *",
        )
        .bind(next.as_str())
        .bind(now)
        .bind(next_check_at)
        .bind(&update.gateway_ref)
        .bind(&update.pay_url)
        .bind(update.gateway_deduction_minor)
        .bind(&update.error_code)
        .bind(&update.error_message)
        .bind(attempt_id)
        .bind(Self::states_that_may_become(next))
        .fetch_optional(&mut *tx)
        .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// The states the state machine allows to move to `next`, as a JSON array for SQL.
    fn states_that_may_become(next: AttemptState) -> String {
        let from: Vec<&str> = AttemptState::ALL
            .iter()
            .filter(|from| from.can_become(next))
            .map(AttemptState::as_str)
            .collect();
        serde_json::to_string(&from).expect("strings serialize")
    }

    /// The events of attempts that moved, in as few statements as SQLite's limits allow.
    pub(super) async fn add_events(
        &self,
        tx: &mut sqlx::SqliteConnection,
        events: &[(i64, AttemptState, Option<String>)],
        now: i64,
    ) -> Result<()> {
        let actor = self.actor();
        for chunk in events.chunks(CHUNK_ROWS) {
            sqlx::QueryBuilder::new(
                "INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator) ",
            )
            .push_values(chunk, |mut row, (id, state, detail)| {
                row.push_bind(id)
                    .push_bind(state.as_str())
                    .push_bind(detail)
                    .push_bind(now)
                    .push_bind(&actor.desk)
                    .push_bind(&actor.operator);
            })
            .build()
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    /// The latest attempt of an order, if any.
    pub async fn latest_attempt(&self, order_id: i64) -> Result<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE order_id = ? ORDER BY id DESC LIMIT 1")
            .bind(order_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// Attempts the reconciler should ask about now: pending or unknown ones that are due, and
    /// `submitting` ones whose sender has been gone too long.
    pub async fn due_for_check(&self, now: i64, limit: i64) -> Result<Vec<Attempt>> {
        sqlx::query(
            // Without statistics the planner prefers the state index and sorts every open
            // attempt (35 ms at 20,000 open); the partial index walks the first `limit` alone.
            "SELECT * FROM attempts INDEXED BY attempts_due_for_check
             WHERE state IN ('pending', 'unknown', 'submitting') AND next_check_at <= ?
             ORDER BY next_check_at LIMIT ?",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(Self::attempt_from_row)
        .collect()
    }

    /// The attempt that sent this idempotency key.
    pub async fn attempt_by_key(&self, idempotency_key: &str) -> Result<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE idempotency_key = ?")
            .bind(idempotency_key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// Every attempt whose request is being sent, as far as the journal knows: whether anyone
    /// else may take one over is [`crate::sender`]'s to say.
    pub async fn submitting_attempts(&self) -> Result<Vec<Attempt>> {
        sqlx::query("SELECT * FROM attempts WHERE state = 'submitting'")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::attempt_from_row)
            .collect()
    }

    /// Notes that the gateway was asked and its answer settled nothing; asks again later.
    pub async fn note_inconclusive_check(&self, attempt_id: i64) -> Result<()> {
        let now = now_ms();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let checks: i64 = sqlx::query_scalar(
            "UPDATE attempts SET checks = checks + 1 WHERE id = ? RETURNING checks",
        )
        .bind(attempt_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE attempts SET next_check_at = ? WHERE id = ?")
            .bind(now + next_check_delay_ms(checks))
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(())
    }

    pub(super) async fn attempt_in(
        tx: &mut sqlx::SqliteConnection,
        attempt_id: i64,
    ) -> Result<Attempt> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = ?")
            .bind(attempt_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        Self::attempt_from_row(&row)
    }
}
