//! Settling attempts whose outcome is open (pending, unknown, or whose sender died): ask
//! the gateway, read its answer by one set of rules ([`judge`]), record the verdicts.
//!
//! One path serves a person's "check status", paying an order whose last attempt is unknown
//! and the reconciler's passes. A pass asks about many attempts at once (at most
//! [`IN_FLIGHT`] queries in flight) and writes the verdicts that are ready together, one
//! durable commit for up to [`BATCH`] of them, while the next answers arrive. A verdict
//! lost to a crash is harmless: the attempt is still open and is asked again.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use paydesk_gateways::transport::Transport;
use paydesk_gateways::{
    connector_for, Channel, Connector, Currency, GatewayError, Money, PayOutcome, RetryClass,
    Secrets, StatusQuery,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::domain::{Attempt, AttemptState, OrderView};
use crate::engine::{
    outcome_update, too_many_resends, Engine, PayError, MAX_INCONCLUSIVE_CHECKS, MAX_RESENDS,
};
use crate::sender::Takeover;
use crate::store::{now_ms, AttemptUpdate, CheckVerdict, Checked, StoreError};

/// Status queries in flight at once: enough to hide a gateway's latency, few enough that a
/// backlog does not look like an attack on it.
pub const IN_FLIGHT: usize = 16;
/// Verdicts written per durable commit, at most (fewer when fewer are ready).
pub const BATCH: usize = 256;

/// How a settling run behaves.
#[derive(Clone, Copy)]
pub(crate) struct Pass {
    /// Resend under the same idempotency key an unknown attempt that asking did not settle,
    /// where the gateway deduplicates by that key.
    pub resend: bool,
    /// Stop at the first attempt that cannot be asked about (a missing secret, a broken
    /// profile) instead of noting it and asking again later.
    pub strict: bool,
}

/// What asking a gateway profile needs, read once per run.
struct GatewayLink {
    base_url: String,
    settings: BTreeMap<String, String>,
    connector: Box<dyn Connector>,
    idempotent: bool,
    /// Its status query sends the payment again (TOP): each one is a resend.
    status_is_resend: bool,
    secrets: Secrets,
    /// Directly, or through the profile's own proxy.
    transport: Transport,
}

/// One attempt to ask about.
struct StatusCheck {
    attempt: Attempt,
    query: StatusQuery,
    link: Arc<GatewayLink>,
    /// When its request last left: a "no such payment" is believed only once a request sent
    /// then must have landed or died.
    sent_at: i64,
    patience_ms: i64,
}

/// What one answer (or its absence: `None` when the gateway has no status query) means for
/// an open attempt.
pub(crate) fn judge(
    attempt: &Attempt,
    asked: Money,
    idempotent: bool,
    answer: Option<PayOutcome>,
    settled_for_sure: bool,
) -> CheckVerdict {
    let last_chance = attempt.checks + 1 >= MAX_INCONCLUSIVE_CHECKS;
    let Some(outcome) = answer else {
        if attempt.state == AttemptState::Unknown && !idempotent {
            return review(
                attempt,
                "the gateway has neither a status query nor an idempotency key",
            );
        }
        // A payment waiting for its payer that the gateway cannot be asked about: after the
        // reconciler's patience (about half an hour of backoff), a person confirms it.
        if attempt.state == AttemptState::Pending && last_chance {
            return review(
                attempt,
                "still waiting for the payer, and the gateway has no status query",
            );
        }
        return CheckVerdict::Inconclusive;
    };
    if let PayOutcome::NoSuchPayment(e) = &outcome {
        if attempt.acknowledged() {
            return contradiction(attempt, e);
        }
    }
    let settles = outcome.reports_other_amount_than(asked)
        || match &outcome {
            PayOutcome::Succeeded(_) | PayOutcome::ForAPerson(_) => true,
            PayOutcome::Pending(_) => attempt.state != AttemptState::Pending,
            PayOutcome::Failed(_) => attempt.state != AttemptState::Unknown || settled_for_sure,
            // "No such payment" for a request whose answer was lost: only once that request
            // must have landed or died.
            PayOutcome::NoSuchPayment(_) => settled_for_sure,
            PayOutcome::Unknown(_) => false,
        };
    if settles {
        let (state, update) = outcome_update(asked, outcome);
        return CheckVerdict::Settle(state, update);
    }
    if attempt.state == AttemptState::Unknown && last_chance {
        return review(
            attempt,
            "the gateway's status query never settled the payment",
        );
    }
    CheckVerdict::Inconclusive
}

/// The gateway took this payment (a reference came back, or it said the payment waits) and
/// now says it has no such payment: neither a failure nor a success, but evidence for a person.
fn contradiction(attempt: &Attempt, answer: &GatewayError) -> CheckVerdict {
    let why = format!(
        "the gateway acknowledged this payment{} and now reports no such payment ({}: {})",
        attempt
            .gateway_ref
            .as_deref()
            .map(|r| format!(" as {r}"))
            .unwrap_or_default(),
        answer.code,
        answer.message
    );
    CheckVerdict::Settle(
        AttemptState::NeedsReview,
        AttemptUpdate {
            error_code: Some("CONTRADICTION".into()),
            error_message: Some(why.clone()),
            detail: Some(why),
            ..AttemptUpdate::default()
        },
    )
}

fn review(attempt: &Attempt, why: &str) -> CheckVerdict {
    let evidence = format!(
        "{why}; last error: {}: {}",
        attempt.error_code.as_deref().unwrap_or("none"),
        attempt.error_message.as_deref().unwrap_or("")
    );
    CheckVerdict::Settle(
        AttemptState::NeedsReview,
        AttemptUpdate {
            error_code: attempt.error_code.clone(),
            error_message: attempt.error_message.clone(),
            detail: Some(evidence),
            ..AttemptUpdate::default()
        },
    )
}

/// Sends one status query (if the gateway has one) and judges the answer.
async fn ask(check: &StatusCheck) -> CheckVerdict {
    let link = &check.link;
    let transport = &link.transport;
    let answer = link
        .connector
        .build_status(&link.base_url, &check.query, &link.secrets)
        .map(|built| async move {
            match built {
                Err(e) => PayOutcome::Unknown(GatewayError::new(
                    "STATUS_NOT_BUILT",
                    e.to_string(),
                    RetryClass::Unknown,
                )),
                Ok(request) => match transport.send(request).await {
                    Ok(response) => {
                        link.connector
                            .parse_status_with(&response, &link.secrets, &link.settings)
                    }
                    Err(e) => PayOutcome::Unknown(GatewayError::new(
                        "STATUS_UNREACHABLE",
                        e.to_string(),
                        RetryClass::Unknown,
                    )),
                },
            }
        });
    let answer = match answer {
        Some(pending) => Some(pending.await),
        None => None,
    };
    let settled_for_sure = now_ms() - check.sent_at >= check.patience_ms;
    let asked = Money::from_minor(check.attempt.amount_minor, check.query.amount.currency);
    judge(
        &check.attempt,
        asked,
        link.idempotent,
        answer,
        settled_for_sure,
    )
}

fn status_query(
    attempt: &Attempt,
    order: &OrderView,
    settings: &BTreeMap<String, String>,
) -> Result<StatusQuery, PayError> {
    let currency =
        Currency::parse(&order.currency).map_err(|e| PayError::Refused(e.to_string()))?;
    let channel = Channel::parse(&attempt.channel).ok_or_else(|| {
        PayError::Refused(format!("stored channel {:?} is unknown", attempt.channel))
    })?;
    Ok(StatusQuery {
        order_no: order.order_no.clone(),
        amount: Money::from_minor(order.amount_minor, currency),
        channel,
        idempotency_key: attempt.idempotency_key.clone(),
        gateway_ref: attempt.gateway_ref.clone(),
        settings: settings.clone(),
        attributes: order.attributes.clone(),
        credit_amount: attempt
            .credit_minor
            .map(|minor| Money::from_minor(minor, currency)),
    })
}

fn interrupted() -> AttemptUpdate {
    AttemptUpdate {
        error_code: Some("INTERRUPTED".into()),
        error_message: Some("paydesk stopped before the gateway's answer was recorded".into()),
        detail: Some("the sender stopped before recording the answer".into()),
        ..AttemptUpdate::default()
    }
}

impl Engine {
    /// Settles these attempts as far as asking (and, with `pass.resend`, a same-key resend)
    /// can. Attempts that are not open are left alone. Returns the attempts whose state
    /// changed, in id order.
    pub(crate) async fn settle_many(
        &self,
        attempts: Vec<Attempt>,
        pass: Pass,
    ) -> Result<Vec<Attempt>, PayError> {
        let before: HashMap<i64, AttemptState> = attempts.iter().map(|a| (a.id, a.state)).collect();
        let mut latest: BTreeMap<i64, Attempt> = BTreeMap::new();
        let mut open = Vec::new();
        for attempt in attempts {
            match attempt.state {
                AttemptState::Submitting => {
                    // Its sender may still be waiting for the gateway: nothing changes, and a
                    // person who asked is told so.
                    if let Takeover::NotBefore(until) = self.takeover(&attempt) {
                        if pass.strict {
                            let order = self.store().order_of(&attempt).await?;
                            tracing::info!(attempt = attempt.id, until, "still being sent");
                            return Err(StoreError::AttemptInProgress(order.order_no).into());
                        }
                        continue;
                    }
                    tracing::warn!(
                        attempt = attempt.id,
                        "settling a payment whose sender is gone or out of time"
                    );
                    match self
                        .store()
                        .record(attempt.id, AttemptState::Unknown, &interrupted())
                        .await
                    {
                        Ok(unknown) => {
                            latest.insert(unknown.id, unknown.clone());
                            open.push(unknown);
                        }
                        Err(e) => self.cannot_ask(pass, attempt.id, e.into()).await?,
                    }
                }
                AttemptState::Pending | AttemptState::Unknown => open.push(attempt),
                _ => {}
            }
        }

        let permits = Arc::new(Semaphore::new(IN_FLIGHT));
        let mut asked = JoinSet::new();
        for check in self.status_checks(open, pass).await? {
            let permits = permits.clone();
            asked.spawn(async move {
                // A status query that is a resend counts against the bound on resends; past
                // it, nothing more is sent and a person decides.
                if check.link.status_is_resend && check.attempt.resends >= MAX_RESENDS {
                    let update = too_many_resends(&check.attempt);
                    let verdict = CheckVerdict::Settle(AttemptState::NeedsReview, update);
                    return (check, verdict, false);
                }
                let _permit = permits.acquire_owned().await.expect("never closed");
                let verdict = ask(&check).await;
                let resent = check.link.status_is_resend;
                (check, verdict, resent)
            });
        }
        let mut ready = Vec::with_capacity(BATCH);
        let mut to_resend = Vec::new();
        loop {
            while ready.len() < BATCH {
                match asked.try_join_next() {
                    Some(joined) => ready.push(joined.unwrap_or_else(|e| {
                        std::panic::resume_unwind(e.into_panic());
                    })),
                    None => break,
                }
            }
            if ready.is_empty() {
                match asked.join_next().await {
                    Some(joined) => {
                        ready.push(joined.unwrap_or_else(|e| {
                            std::panic::resume_unwind(e.into_panic());
                        }));
                        continue;
                    }
                    None => break,
                }
            }
            let mut verdicts = Vec::with_capacity(ready.len());
            for (check, verdict, resent) in ready.drain(..) {
                // Where asking was itself a resend, it is not sent a second time.
                if pass.resend
                    && check.link.idempotent
                    && !check.link.status_is_resend
                    && check.attempt.state == AttemptState::Unknown
                    && matches!(verdict, CheckVerdict::Inconclusive)
                {
                    to_resend.push(check.attempt.id);
                }
                verdicts.push(Checked {
                    seen: check.attempt,
                    verdict,
                    resent,
                });
            }
            for settled in self.store().record_checks(&verdicts).await? {
                tracing::info!(attempt = settled.id, state = %settled.state, "status settled");
                latest.insert(settled.id, settled);
            }
        }
        for id in to_resend {
            match self.resend_same_key(id).await {
                Ok(after) => {
                    latest.insert(after.id, after);
                }
                Err(e) => self.cannot_ask(pass, id, e).await?,
            }
        }
        Ok(latest
            .into_values()
            .filter(|a| before.get(&a.id) != Some(&a.state))
            .collect())
    }

    /// What each open attempt needs to be asked about: its order, its profile's link (read
    /// once per profile), its status query.
    async fn status_checks(
        &self,
        open: Vec<Attempt>,
        pass: Pass,
    ) -> Result<Vec<StatusCheck>, PayError> {
        let order_ids: Vec<i64> = open.iter().map(|a| a.order_id).collect();
        let orders = self.store().orders_by_id(&order_ids).await?;
        let mut links: HashMap<String, Result<Arc<GatewayLink>, String>> = HashMap::new();
        let mut checks = Vec::with_capacity(open.len());
        for attempt in open {
            let Some(order) = orders.get(&attempt.order_id) else {
                let missing = StoreError::Corrupt(format!("attempt {} has no order", attempt.id));
                self.cannot_ask(pass, attempt.id, missing.into()).await?;
                continue;
            };
            if !links.contains_key(&order.profile) {
                let link = match self.gateway_link(&order.profile).await {
                    Ok(link) => Ok(Arc::new(link)),
                    Err(e) if pass.strict => return Err(e),
                    Err(e) => Err(e.to_string()),
                };
                links.insert(order.profile.clone(), link);
            }
            let link = match &links[&order.profile] {
                Ok(link) => link.clone(),
                Err(why) => {
                    self.cannot_ask(pass, attempt.id, PayError::Refused(why.clone()))
                        .await?;
                    continue;
                }
            };
            let query = match status_query(&attempt, order, &link.settings) {
                Ok(query) => query,
                Err(e) => {
                    self.cannot_ask(pass, attempt.id, e).await?;
                    continue;
                }
            };
            // The patience comes from the timeout its own sender used, not this reader's.
            let sent_at = attempt.sent_at.unwrap_or(attempt.created_at);
            let patience_ms = crate::sender::patience_ms(attempt.sender_timeout_ms);
            checks.push(StatusCheck {
                attempt,
                query,
                link,
                sent_at,
                patience_ms,
            });
        }
        Ok(checks)
    }

    async fn gateway_link(&self, profile_name: &str) -> Result<GatewayLink, PayError> {
        let profile = self.store().profile(profile_name).await?;
        let connector = connector_for(&profile.gateway).ok_or_else(|| {
            PayError::Refused(format!("gateway {:?} is not supported", profile.gateway))
        })?;
        let capabilities = connector.capabilities();
        let secrets = self.secrets(&profile.vault_id, &capabilities).await?;
        let transport = self.transport_for(&profile.settings)?;
        Ok(GatewayLink {
            transport,
            base_url: profile.base_url,
            settings: profile.settings,
            connector,
            idempotent: capabilities.idempotency_key,
            status_is_resend: capabilities.status_query_is_resend,
            secrets,
        })
    }

    /// An attempt that could not be asked about: in a strict run that is the run's error; in
    /// the reconciler's background passes it is noted and asked again later.
    async fn cannot_ask(
        &self,
        pass: Pass,
        attempt_id: i64,
        error: PayError,
    ) -> Result<(), PayError> {
        if pass.strict {
            return Err(error);
        }
        tracing::warn!(attempt = attempt_id, error = %error, "status check failed");
        self.store().note_inconclusive_check(attempt_id).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{add_profile_and_order, begin_attempt, record_state, temp_store};
    use paydesk_gateways::{Charged, Receipt};

    fn attempt(state: AttemptState, checks: i64) -> Attempt {
        Attempt {
            id: 7,
            order_id: 1,
            channel: "alipay".into(),
            state,
            idempotency_key: "k".into(),
            amount_minor: 100,
            gateway_ref: None,
            pay_url: None,
            error_code: Some("ANSWER_LOST".into()),
            error_message: Some("timed out".into()),
            deductions: "[]".into(),
            coupon: None,
            credit_minor: None,
            checks,
            resends: 0,
            contested: None,
            gateway_deduction_minor: None,
            sent_at: Some(0),
            sender_timeout_ms: Some(30_000),
            sender: None,
            sender_process: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    /// What the attempt asked the gateway to charge.
    fn asked(attempt: &Attempt) -> Money {
        Money::from_minor(attempt.amount_minor, Currency::CNY)
    }

    #[test]
    fn a_payment_the_gateway_reports_for_another_amount_goes_to_a_person() {
        let pending = attempt(AttemptState::Pending, 0);
        let reporting = |charged: Charged| Receipt {
            gateway_ref: Some("ch_1".into()),
            charged: Some(charged),
            ..Receipt::default()
        };
        let fen = |minor| Charged::Money(Money::from_minor(minor, Currency::CNY));
        for exact in [
            fen(100),
            Charged::Decimal("1.00".into()),
            Charged::Decimal("1".into()),
        ] {
            let paid = PayOutcome::Succeeded(reporting(exact));
            assert_eq!(
                settles_to(&judge(&pending, asked(&pending), true, Some(paid), false)),
                Some(AttemptState::Succeeded)
            );
        }
        let more = PayOutcome::Succeeded(reporting(fen(101)));
        let verdict = judge(&pending, asked(&pending), true, Some(more), false);
        let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
            panic!("expected a review, got {verdict:?}");
        };
        assert_eq!(update.error_code.as_deref(), Some("AMOUNT_MISMATCH"));
        let why = update.detail.unwrap();
        assert!(why.contains("¥1.01") && why.contains("¥1.00"), "{why}");
        assert_eq!(update.gateway_ref.as_deref(), Some("ch_1"));
        // Still waiting, but for another amount; another currency; an amount finer than fen.
        for disputed in [
            PayOutcome::Pending(reporting(fen(99))),
            PayOutcome::Succeeded(reporting(Charged::Money(Money::from_minor(
                100,
                Currency::INR,
            )))),
            PayOutcome::Succeeded(reporting(Charged::Decimal("1.001".into()))),
        ] {
            assert_eq!(
                settles_to(&judge(
                    &pending,
                    asked(&pending),
                    true,
                    Some(disputed),
                    false
                )),
                Some(AttemptState::NeedsReview)
            );
        }
    }

    fn failed() -> PayOutcome {
        PayOutcome::Failed(GatewayError::new(
            "NOT_FOUND",
            "no such order",
            RetryClass::Safe,
        ))
    }

    fn settles_to(verdict: &CheckVerdict) -> Option<AttemptState> {
        match verdict {
            CheckVerdict::Settle(state, _) => Some(*state),
            CheckVerdict::Inconclusive => None,
        }
    }

    #[test]
    fn no_such_payment_is_believed_only_after_the_lost_request_had_time_to_land() {
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                true,
                Some(failed()),
                false
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &unknown,
                asked(&unknown),
                true,
                Some(failed()),
                true
            )),
            Some(AttemptState::Failed)
        );
        // A pending payment the gateway calls failed is failed: its request is long in.
        let pending = attempt(AttemptState::Pending, 0);
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                true,
                Some(failed()),
                false
            )),
            Some(AttemptState::Failed)
        );
    }

    #[test]
    fn no_such_payment_is_believed_only_for_a_request_the_gateway_never_acknowledged() {
        let not_found = || {
            PayOutcome::NoSuchPayment(GatewayError::new(
                "ORDER_NOT_FOUND",
                "order not found",
                RetryClass::Safe,
            ))
        };
        let lost = attempt(AttemptState::Unknown, 0);
        let acknowledged = Attempt {
            gateway_ref: Some("7".into()),
            ..attempt(AttemptState::Unknown, 0)
        };
        let pending = attempt(AttemptState::Pending, 0);
        // (attempt, patience over, what it settles to)
        let table = [
            (&lost, false, None),
            (&lost, true, Some(AttemptState::Failed)),
            (&acknowledged, false, Some(AttemptState::NeedsReview)),
            (&acknowledged, true, Some(AttemptState::NeedsReview)),
            (&pending, false, Some(AttemptState::NeedsReview)),
            (&pending, true, Some(AttemptState::NeedsReview)),
        ];
        for (seen, patience_over, expected) in table {
            let verdict = judge(seen, asked(seen), true, Some(not_found()), patience_over);
            assert_eq!(settles_to(&verdict), expected, "{seen:?} {patience_over}");
            if expected == Some(AttemptState::NeedsReview) {
                let CheckVerdict::Settle(_, update) = verdict else {
                    unreachable!()
                };
                assert_eq!(update.error_code.as_deref(), Some("CONTRADICTION"));
                assert!(update.detail.unwrap().contains("order not found"));
            }
        }
    }

    #[test]
    fn an_answer_for_a_person_settles_nothing_by_itself() {
        let refused = PayOutcome::ForAPerson(GatewayError::new(
            "isv.order-not-exist",
            "Remote service error",
            RetryClass::Not,
        ));
        for state in [AttemptState::Unknown, AttemptState::Pending] {
            let seen = attempt(state, 0);
            for patience_over in [false, true] {
                let verdict = judge(
                    &seen,
                    asked(&seen),
                    true,
                    Some(refused.clone()),
                    patience_over,
                );
                let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
                    panic!("expected a review, got {verdict:?}");
                };
                assert_eq!(update.error_code.as_deref(), Some("isv.order-not-exist"));
            }
        }
    }

    #[test]
    fn still_pending_and_unreadable_answers_settle_nothing() {
        let pending = attempt(AttemptState::Pending, 0);
        let waiting = PayOutcome::Pending(Receipt::default());
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                true,
                Some(waiting.clone()),
                true
            )),
            None
        );
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(&unknown, asked(&unknown), true, Some(waiting), true)),
            Some(AttemptState::Pending)
        );
        let garbled = PayOutcome::Unknown(GatewayError::new("X", "?", RetryClass::Unknown));
        assert_eq!(
            settles_to(&judge(&unknown, asked(&unknown), true, Some(garbled), true)),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &pending,
                asked(&pending),
                true,
                Some(PayOutcome::Succeeded(Receipt::default())),
                false
            )),
            Some(AttemptState::Succeeded)
        );
    }

    #[test]
    fn what_asking_cannot_settle_goes_to_a_person_with_the_evidence() {
        let last = MAX_INCONCLUSIVE_CHECKS - 1;
        let garbled = PayOutcome::Unknown(GatewayError::new("X", "?", RetryClass::Unknown));
        let verdict = judge(
            &attempt(AttemptState::Unknown, last),
            asked(&attempt(AttemptState::Unknown, last)),
            true,
            Some(garbled),
            true,
        );
        let CheckVerdict::Settle(AttemptState::NeedsReview, update) = verdict else {
            panic!("expected a review, got {verdict:?}");
        };
        assert!(update.detail.unwrap().contains("ANSWER_LOST: timed out"));
        assert_eq!(update.error_code.as_deref(), Some("ANSWER_LOST"));
        // No status query: an unknown attempt without an idempotency key cannot be settled by
        // a machine at all; one with a key waits for its resend.
        let unknown = attempt(AttemptState::Unknown, 0);
        assert_eq!(
            settles_to(&judge(&unknown, asked(&unknown), false, None, true)),
            Some(AttemptState::NeedsReview)
        );
        assert_eq!(
            settles_to(&judge(&unknown, asked(&unknown), true, None, true)),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &attempt(AttemptState::Pending, last - 1),
                asked(&attempt(AttemptState::Pending, last - 1)),
                true,
                None,
                true
            )),
            None
        );
        assert_eq!(
            settles_to(&judge(
                &attempt(AttemptState::Pending, last),
                asked(&attempt(AttemptState::Pending, last)),
                true,
                None,
                true
            )),
            Some(AttemptState::NeedsReview)
        );
    }

    fn checked(seen: &Attempt, verdict: CheckVerdict) -> Checked {
        Checked {
            seen: seen.clone(),
            verdict,
            resent: false,
        }
    }

    /// Order `o-1` (see [`add_profile_and_order`]) with an attempt on alipay, pending.
    async fn pending_attempt() -> (tempfile::TempDir, crate::store::Store, Attempt) {
        let (dir, store) = temp_store().await;
        let order = add_profile_and_order(&store).await;
        let sent = begin_attempt(&store, &order, "alipay", "key-1")
            .await
            .unwrap();
        let pending = record_state(&store, sent.id, AttemptState::Pending).await;
        (dir, store, pending)
    }

    #[tokio::test]
    async fn a_verdict_on_an_attempt_that_moved_on_changes_nothing() {
        let (_dir, store, seen) = pending_attempt().await;
        // While its status was being asked, the gateway's callback settled it.
        store
            .record(seen.id, AttemptState::Succeeded, &AttemptUpdate::default())
            .await
            .unwrap();
        let events = store.events(seen.id).await.unwrap().len();
        let failed = CheckVerdict::Settle(AttemptState::Failed, AttemptUpdate::default());
        let changed = store
            .record_checks(&[checked(&seen, failed)])
            .await
            .unwrap();
        assert!(changed.is_empty());
        let now = store.attempt(seen.id).await.unwrap();
        assert_eq!(now.state, AttemptState::Succeeded);
        assert_eq!(store.events(seen.id).await.unwrap().len(), events);
    }

    #[tokio::test]
    async fn an_answer_counted_by_another_pass_is_not_counted_twice() {
        let (_dir, store, seen) = pending_attempt().await;
        store.note_inconclusive_check(seen.id).await.unwrap();
        let changed = store
            .record_checks(&[checked(&seen, CheckVerdict::Inconclusive)])
            .await
            .unwrap();
        assert!(changed.is_empty());
        assert_eq!(store.attempt(seen.id).await.unwrap().checks, 1);
        // Read afresh, the same answer counts.
        let fresh = store.attempt(seen.id).await.unwrap();
        store
            .record_checks(&[checked(&fresh, CheckVerdict::Inconclusive)])
            .await
            .unwrap();
        assert_eq!(store.attempt(seen.id).await.unwrap().checks, 2);
    }

    #[tokio::test]
    async fn verdicts_are_recorded_together_with_their_events() {
        let (_dir, store, seen) = pending_attempt().await;
        let paid = CheckVerdict::Settle(
            AttemptState::Succeeded,
            AttemptUpdate {
                gateway_ref: Some("G-1".into()),
                detail: Some("paid".into()),
                ..AttemptUpdate::default()
            },
        );
        let changed = store.record_checks(&[checked(&seen, paid)]).await.unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].state, AttemptState::Succeeded);
        assert_eq!(changed[0].gateway_ref.as_deref(), Some("G-1"));
        let last = store.events(seen.id).await.unwrap().pop().unwrap();
        assert_eq!(last.state, AttemptState::Succeeded);
        assert_eq!(last.detail.as_deref(), Some("paid"));
        let order = store.order("o-1").await.unwrap();
        assert_eq!(order.state, Some(AttemptState::Succeeded));
    }
}
