//! The attempts' journal as the engine and the reconciler see it: an attempt is written as
//! `submitting` before its request leaves, and every move after that goes through the state
//! machine inside one transaction with its event ([`super::journal::attempts`]).

use super::{Result, Route, Store};
use crate::changes::Change;
use crate::domain::{Attempt, AttemptEvent, AttemptState, OrderView, Profile};
use crate::sender::Sender;
use crate::settling::{AttemptUpdate, CheckVerdict};

/// Who sends a request and how long it waits for the answer, journaled with the attempt
/// each time its request leaves ([`crate::sender`]).
#[derive(Debug, Clone, Copy)]
pub struct Sending<'a> {
    pub sender: &'a Sender,
    pub timeout_ms: i64,
}

impl Sending<'_> {
    /// When anyone else may take over a request sent `now` this way.
    pub(super) fn deadline(&self, now: i64) -> i64 {
        crate::sender::deadline(&crate::sender::SendRecord {
            sender: None,
            process: None,
            sent_at: now,
            timeout_ms: Some(self.timeout_ms),
        })
    }
}

/// A new attempt as [`Store::begin_attempt`] journals it.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewAttempt<'a> {
    pub order_id: i64,
    pub order_no: &'a str,
    /// The order's revision the payment was priced from.
    pub order_revision: i64,
    pub channel: &'a str,
    pub idempotency_key: &'a str,
    pub amount_minor: i64,
    pub deductions_json: &'a str,
    pub coupon: Option<&'a str>,
    pub credit_minor: Option<i64>,
    pub subscription_refunds_json: &'a str,
    pub sending: Sending<'a>,
}

/// What recording status checks did: the attempts whose state changed, and those whose check
/// was only counted.
pub(super) struct ChecksRecorded {
    pub changed: Vec<Attempt>,
    pub counted: Vec<i64>,
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

impl Store {
    pub async fn attempt(&self, id: i64) -> Result<Attempt> {
        on_record!(self, |pool, sql| sql::attempts::attempt(pool, id).await)
    }

    /// Every attempt of an order, oldest first.
    pub async fn attempts(&self, order_no: &str) -> Result<Vec<Attempt>> {
        let order = self.order(order_no).await?;
        on_record!(self, |pool, sql| sql::attempts::of_order(pool, order.id)
            .await)
    }

    pub async fn events(&self, attempt_id: i64) -> Result<Vec<AttemptEvent>> {
        on_record!(self, |pool, sql| sql::attempts::events(pool, attempt_id)
            .await)
    }

    /// Journals a new attempt as `submitting` (with its `created` and `submitting` events) in
    /// one durable transaction. Only after this returns may the request be sent. The database
    /// refuses a second live attempt for the same order, and an attempt of an order cancelled
    /// or edited since `order` was read (the payment was priced from what it was).
    // One argument per journaled column: a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_attempt(
        &self,
        order: &OrderView,
        channel: &str,
        idempotency_key: &str,
        amount_minor: i64,
        deductions_json: &str,
        coupon: Option<&str>,
        credit_minor: Option<i64>,
        subscription_refunds_json: &str,
        sending: Sending<'_>,
    ) -> Result<Attempt> {
        let new = NewAttempt {
            order_id: order.id,
            order_no: &order.order_no,
            order_revision: order.revision,
            channel,
            idempotency_key,
            amount_minor,
            deductions_json,
            coupon,
            credit_minor,
            subscription_refunds_json,
            sending,
        };
        let actor = self.actor();
        if let Route::Postgres(pool) = self.route() {
            let begun = super::shared_journal::begin(pool, &new, &actor, self.origin());
            let attempt = self.offline_said(begun.await)?;
            self.publish_here(Change::Attempts {
                order_nos: vec![order.order_no.clone()],
                attempt_ids: vec![attempt.id],
            });
            return Ok(attempt);
        }
        let now = self.now().await?;
        let attempt = on_record!(self, |pool, sql| sql::attempts::begin(
            pool, &new, &actor, now
        )
        .await)?;
        self.publish(Change::Attempts {
            order_nos: vec![order.order_no.clone()],
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
        let actor = self.actor();
        if let Route::Postgres(pool) = self.route() {
            let recorded = super::shared_journal::record(
                pool,
                attempt_id,
                next,
                update,
                &actor,
                self.origin(),
            );
            let (attempt, order_no) = self.offline_said(recorded.await)?;
            self.publish_here(Change::Attempts {
                order_nos: vec![order_no],
                attempt_ids: vec![attempt_id],
            });
            return Ok(attempt);
        }
        let now = self.now().await?;
        let attempt = on_record!(self, |pool, sql| sql::attempts::record(
            pool, attempt_id, next, update, &actor, now
        )
        .await)?;
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
        let (actor, now) = (self.actor(), self.now().await?);
        let attempt = on_record!(self, |pool, sql| sql::attempts::record_resend(
            pool, attempt_id, detail, sending, &actor, now
        )
        .await)?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(attempt)
    }

    /// Records what many status checks concluded, in one durable transaction. A check whose
    /// attempt has moved on since it was read (a callback, a person, another reconciler)
    /// changes nothing: the newer fact stands. Returns the attempts whose state changed.
    pub async fn record_checks(&self, checks: &[Checked]) -> Result<Vec<Attempt>> {
        let (actor, now) = (self.actor(), self.now().await?);
        let recorded = on_record!(self, |pool, sql| sql::attempts::record_checks(
            pool, checks, &actor, now
        )
        .await)?;
        // Counted checks too: the attempts show how often they were asked.
        let mut touched: Vec<i64> = recorded.changed.iter().map(|a| a.id).collect();
        touched.extend(recorded.counted);
        self.publish_attempts(touched).await;
        Ok(recorded.changed)
    }

    /// The latest attempt of an order, if any.
    pub async fn latest_attempt(&self, order_id: i64) -> Result<Option<Attempt>> {
        on_record!(self, |pool, sql| sql::attempts::latest(pool, order_id)
            .await)
    }

    /// What paying an order starts from: the order, its latest attempt and its profile, read
    /// in one statement. The journal's commit checks the order's revision and the
    /// one-live-attempt rule against what is committed by then.
    pub async fn payment_start(
        &self,
        order_no: &str,
    ) -> Result<(OrderView, Option<Attempt>, Profile)> {
        on_record!(self, |pool, sql| sql::attempts::payment_start(
            pool, order_no
        )
        .await)
    }

    /// The attempt that sent this idempotency key.
    pub async fn attempt_by_key(&self, idempotency_key: &str) -> Result<Option<Attempt>> {
        on_record!(self, |pool, sql| sql::attempts::by_key(
            pool,
            idempotency_key
        )
        .await)
    }

    /// Every attempt whose request is being sent, as far as the journal knows: whether anyone
    /// else may take one over is [`crate::sender`]'s to say.
    pub async fn submitting_attempts(&self) -> Result<Vec<Attempt>> {
        on_record!(self, |pool, sql| sql::attempts::submitting(pool).await)
    }

    /// Every attempt whose next move may still be news to a person away from the window:
    /// not settled, or contested ([`crate::attention::Standing::is_watched`]).
    pub async fn watched_attempts(&self) -> Result<Vec<Attempt>> {
        on_record!(self, |pool, sql| sql::attempts::watched(pool).await)
    }

    /// [`Store::watched_attempts`] as each one's id, state and whether it is contested; one
    /// both open and contested comes twice, the second time contested.
    pub async fn watched_standings(&self) -> Result<Vec<(i64, AttemptState, bool)>> {
        on_record!(self, |pool, sql| sql::attempts::watched_standings(pool)
            .await)
    }

    /// Notes that the gateway was asked and its answer settled nothing; asks again later.
    pub async fn note_inconclusive_check(&self, attempt_id: i64) -> Result<()> {
        let now = self.now().await?;
        on_record!(self, |pool, sql| sql::attempts::note_inconclusive_check(
            pool, attempt_id, now
        )
        .await)?;
        self.publish_attempts(vec![attempt_id]).await;
        Ok(())
    }
}
