//! Settling attempts whose outcome is open (pending, unknown, or whose sender died): ask
//! the gateway, read its answer by one set of rules ([`judge`]), record the verdicts.
//!
//! One path serves a person's "check status", paying an order whose last attempt is unknown
//! and the reconciler's passes. A pass asks about many attempts at once (at most
//! [`IN_FLIGHT`] queries in flight) and writes the verdicts that are ready together, one
//! durable commit for up to [`BATCH`] of them, while the next answers arrive. A verdict
//! lost to a crash is harmless: the attempt is still open and is asked again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use paydesk_gateways::transport::Transport;
use paydesk_gateways::{
    Channel, Connector, Currency, GatewayError, Money, PayOutcome, RetryClass, Secrets, StatusQuery,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::domain::{Attempt, AttemptState, OrderView};
use crate::engine::{Engine, PayError};
use crate::sender::Takeover;
use crate::settling::{
    judge, too_many_resends, AttemptUpdate, CheckVerdict, Patience, Repeats, MAX_RESENDS,
};
use crate::store::{now_ms, Checked, Claimant, StoreError};

/// Status queries in flight at once: enough to hide a gateway's latency, few enough that a
/// backlog does not look like an attack on it.
pub const IN_FLIGHT: usize = 16;
/// Verdicts written per durable commit, at most (fewer when fewer are ready).
pub const BATCH: usize = 256;

/// Due attempts a background pass claims at most.
const DUE_PER_PASS: usize = 200;

/// How a settling run behaves.
#[derive(Clone, Copy)]
struct Pass {
    after_asking: AfterAsking,
    on_error: OnError,
}

/// What follows an answer that settled an unknown attempt nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AfterAsking {
    /// Send it again under the same idempotency key, where the gateway deduplicates by it.
    ResendSameKey,
    /// Leave it for the next time it is due.
    Wait,
}

/// What an attempt that cannot be asked about (a missing secret, a broken profile) does to
/// the run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnError {
    /// Stop: a person asked, and is told.
    Stop,
    /// Note it and ask again later: the background reconciler.
    NoteAndGoOn,
}

/// What asking a gateway profile needs, read once per run.
struct GatewayLink {
    base_url: String,
    settings: BTreeMap<String, String>,
    connector: Box<dyn Connector>,
    repeats: Repeats,
    /// Its status query sends the payment again (TOP): each one is a resend.
    status_is_resend: bool,
    secrets: Secrets,
    /// Directly, or through the profile's own proxy.
    transport: Transport,
    /// A real gateway's profile, not a sandbox's.
    live: bool,
}

/// One attempt to ask about.
struct StatusCheck {
    attempt: Attempt,
    query: StatusQuery,
    link: Arc<GatewayLink>,
}

/// Sends one status query (if the gateway has one) and judges the answer, by the deciding
/// clock (this machine's plus `clock_offset_ms`, the store's clock ahead of it).
async fn ask(check: &StatusCheck, clock_offset_ms: i64) -> CheckVerdict {
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
                    Ok(response) => link.connector.parse_status_with(
                        &response,
                        &link.secrets,
                        &link.settings,
                        check.query.asked(link.live),
                    ),
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
    let asked = Money::from_minor(check.attempt.amount_minor, check.query.amount.currency);
    let now = now_ms().saturating_add(clock_offset_ms);
    let patience = Patience::at(&check.attempt, now);
    judge(&check.attempt, asked, link.repeats, answer, patience, now)
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
        subscription_refunds: crate::engine::read_refunds(&attempt.subscription_refunds, currency)
            .map_err(|why| {
                PayError::Store(crate::store::StoreError::Corrupt(format!(
                    "stored refunds: {why}"
                )))
            })?,
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
    /// Asks the gateway what became of a pending or unknown attempt and records a conclusive
    /// answer. An inconclusive one leaves the attempt as it was, to be asked again later.
    #[tracing::instrument(name = "check_status", skip(self))]
    pub async fn check_status(&self, attempt_id: i64) -> Result<Attempt, PayError> {
        let attempt = self.store().attempt(attempt_id).await?;
        let pass = Pass {
            after_asking: AfterAsking::Wait,
            on_error: OnError::Stop,
        };
        self.settle_many(vec![attempt], pass).await?;
        Ok(self.store().attempt(attempt_id).await?)
    }

    /// Settles an attempt whose fate is unknown: ask first; if the answer settles nothing and
    /// the gateway honours idempotency keys, resend the same request under the same key (the
    /// gateway answers with the first result); otherwise it stays unknown for the reconciler
    /// to ask again, and goes to a person when asking cannot settle it.
    #[tracing::instrument(name = "settle_unknown", skip(self))]
    pub async fn settle_unknown(&self, attempt_id: i64) -> Result<Attempt, PayError> {
        let attempt = self.store().attempt(attempt_id).await?;
        let pass = Pass {
            after_asking: AfterAsking::ResendSameKey,
            on_error: OnError::Stop,
        };
        self.settle_many(vec![attempt], pass).await?;
        Ok(self.store().attempt(attempt_id).await?)
    }

    /// One pass of the reconciler: settles every attempt that is due, returns the ones that
    /// changed state. An attempt that cannot be asked about is noted and asked again later.
    #[tracing::instrument(name = "reconcile_pass", skip_all)]
    pub async fn reconcile_due(&self) -> Result<Vec<Attempt>, PayError> {
        if self.store().is_read_only() || !self.store().is_reachable() {
            // A support agent's desk settles nothing: the desks that may write do. Nor does
            // a desk cut off from its shared store: only the store of record is settled.
            return Ok(Vec::new());
        }
        let actor = self.store().actor();
        let claimant = self.claimant(&actor.desk, DUE_PER_PASS);
        let mut due = self
            .store()
            .claim_due(&claimant, DUE_PER_PASS as i64)
            .await?;
        // A sender certainly gone (a crash, a task dropped mid-request) is settled at once,
        // before its time would be up.
        let due_ids: HashSet<i64> = due.iter().map(|a| a.id).collect();
        let abandoned: Vec<i64> = self
            .abandoned()
            .await?
            .into_iter()
            .filter(|id| !due_ids.contains(id))
            .collect();
        let claimant = self.claimant(&actor.desk, DUE_PER_PASS + abandoned.len());
        due.extend(self.store().claim(&abandoned, &claimant).await?);
        let pass = Pass {
            after_asking: AfterAsking::ResendSameKey,
            on_error: OnError::NoteAndGoOn,
        };
        // Whatever another reconciler took meanwhile is left to it.
        self.settle_and_release(due, None, claimant.id, pass).await
    }

    /// `submitting` attempts that may be taken over now: their sender is gone (killed,
    /// crashed, its task dropped) or its time is up. They become `unknown` (the request may
    /// or may not have left) and are settled like any unknown attempt.
    async fn abandoned(&self) -> Result<Vec<i64>, PayError> {
        let now = self.store().now().await?;
        Ok(self
            .store()
            .submitting_attempts()
            .await?
            .into_iter()
            .filter(|a| self.takeover(a, now) == Takeover::Now)
            .map(|a| a.id)
            .collect())
    }

    /// This engine as a claimant of `attempts` attempts at `desk`: its lease covers asking
    /// about each of them, resending each once, and the grace, at the concurrency it asks with.
    fn claimant<'a>(&'a self, desk: &'a str, attempts: usize) -> Claimant<'a> {
        let rounds = i64::try_from(attempts.div_ceil(IN_FLIGHT)).unwrap_or(i64::MAX);
        let timeout_ms = self.sending().timeout_ms;
        Claimant {
            id: &self.sending().sender.id,
            desk,
            lease_ms: timeout_ms
                .saturating_mul(rounds.saturating_mul(2).saturating_add(2))
                .saturating_add(crate::sender::TAKEOVER_GRACE_MS),
        }
    }

    /// Settles every open attempt now, whatever its schedule: abandoned sends, unknown and
    /// pending. Stops at the first attempt that cannot be asked about.
    #[tracing::instrument(name = "reconcile_all", skip_all)]
    pub async fn reconcile_all(&self) -> Result<Vec<Attempt>, PayError> {
        let abandoned = self.abandoned().await?;
        let actor = self.store().actor();
        let open = self
            .store()
            .claim_open(&abandoned, |attempts| self.claimant(&actor.desk, attempts))
            .await?;
        let claimant_id = &self.sending().sender.id;
        let pass = Pass {
            after_asking: AfterAsking::ResendSameKey,
            on_error: OnError::Stop,
        };
        self.settle_and_release(open.claimed, open.held, claimant_id, pass)
            .await
    }

    /// Settles these attempts as far as asking (and, after `AfterAsking::ResendSameKey`, a resend)
    /// can, each under this engine's claim: one another reconciler holds is left to it (and
    /// in a strict run, the run says who holds it). Attempts that are not open are left alone.
    /// Returns the attempts whose state changed, in id order.
    async fn settle_many(
        &self,
        attempts: Vec<Attempt>,
        pass: Pass,
    ) -> Result<Vec<Attempt>, PayError> {
        let ids: Vec<i64> = attempts.iter().map(|a| a.id).collect();
        let actor = self.store().actor();
        let claimant = self.claimant(&actor.desk, ids.len());
        let claimed = self.store().claim(&ids, &claimant).await?;
        let claimed_ids: HashSet<i64> = claimed.iter().map(|a| a.id).collect();
        let held = ids.into_iter().find(|id| !claimed_ids.contains(id));
        self.settle_and_release(claimed, held, claimant.id, pass)
            .await
    }

    /// Settles the attempts this engine claimed, then gives up its claims on them. With an
    /// attempt another reconciler `held`, a strict run settles nothing and says who holds it.
    async fn settle_and_release(
        &self,
        claimed: Vec<Attempt>,
        held: Option<i64>,
        claimant_id: &str,
        pass: Pass,
    ) -> Result<Vec<Attempt>, PayError> {
        let claimed_ids: Vec<i64> = claimed.iter().map(|a| a.id).collect();
        let settled = match held {
            Some(attempt_id) if pass.on_error == OnError::Stop => {
                let holder = self.store().claim_holder(attempt_id).await?;
                Err(StoreError::BeingSettled {
                    attempt_id,
                    desk: holder.and_then(|claim| claim.desk),
                }
                .into())
            }
            _ => self.settle_claimed(claimed, pass).await,
        };
        if let Err(e) = self.store().release_claims(&claimed_ids, claimant_id).await {
            // Its lease runs out all the same.
            tracing::warn!(error = %e, "could not give up the claims of a settling pass");
        }
        settled
    }

    async fn settle_claimed(
        &self,
        attempts: Vec<Attempt>,
        pass: Pass,
    ) -> Result<Vec<Attempt>, PayError> {
        let now = self.store().now().await?;
        let clock_offset_ms = now - now_ms();
        let before: HashMap<i64, AttemptState> = attempts.iter().map(|a| (a.id, a.state)).collect();
        let mut latest: BTreeMap<i64, Attempt> = BTreeMap::new();
        let mut open = Vec::new();
        for attempt in attempts {
            match attempt.state {
                AttemptState::Submitting => {
                    // Its sender may still be waiting for the gateway: nothing changes, and a
                    // person who asked is told so.
                    if let Takeover::NotBefore(until) = self.takeover(&attempt, now) {
                        if pass.on_error == OnError::Stop {
                            let order = self.store().order_of(&attempt).await?;
                            tracing::info!(attempt = attempt.id, until, "still being sent");
                            return Err(StoreError::in_progress(&order.order_no, &attempt).into());
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
                // A status query that is a resend (TOP) counts against the bound on resends
                // where the payment's fate is unknown; past it, nothing more is sent and a
                // person decides. A payment the gateway holds and that waits for its customer
                // is asked about by the same harmless repeat under its code for as long as
                // any waiting payment is (settling::judge), not for a minute.
                let counted =
                    check.link.status_is_resend && check.attempt.state != AttemptState::Pending;
                if counted && check.attempt.resends >= MAX_RESENDS {
                    let update = too_many_resends(&check.attempt);
                    let verdict = CheckVerdict::Settle(AttemptState::NeedsReview, update);
                    return (check, verdict, false);
                }
                let _permit = permits.acquire_owned().await.expect("never closed");
                let verdict = ask(&check, clock_offset_ms).await;
                (check, verdict, counted)
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
                if pass.after_asking == AfterAsking::ResendSameKey
                    && check.link.repeats == Repeats::Deduplicated
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
        let mut links: HashMap<String, Result<Arc<GatewayLink>, (String, bool)>> = HashMap::new();
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
                    Err(e) if pass.on_error == OnError::Stop => return Err(e),
                    Err(e) => Err((e.to_string(), matches!(e, PayError::NoSecret { .. }))),
                };
                links.insert(order.profile.clone(), link);
            }
            let link = match &links[&order.profile] {
                Ok(link) => link.clone(),
                // Left as it is (not counted, not put off) for a desk that holds the
                // secrets: the shared store's other desks check it.
                Err((_, true)) => continue,
                Err((why, false)) => {
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
            checks.push(StatusCheck {
                attempt,
                query,
                link,
            });
        }
        Ok(checks)
    }

    async fn gateway_link(&self, profile_name: &str) -> Result<GatewayLink, PayError> {
        let profile = self.store().profile(profile_name).await?;
        let connector = crate::pricing::connector_of(&profile.gateway)?;
        let capabilities = connector.capabilities();
        let secrets = self.secrets(&profile, &capabilities).await?;
        let transport = self.transport_for(&profile.settings)?;
        Ok(GatewayLink {
            transport,
            base_url: profile.base_url,
            settings: profile.settings,
            connector,
            repeats: Repeats::of(&capabilities),
            status_is_resend: capabilities.status_query_is_resend,
            secrets,
            live: !profile.is_sandbox,
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
        if pass.on_error == OnError::Stop {
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
    use crate::store::AttemptUpdate;
    use crate::store::Store;
    use crate::test_support::{add_profile_and_order, begin_attempt, record_state, store_contract};

    fn checked(seen: &Attempt, verdict: CheckVerdict) -> Checked {
        Checked {
            seen: seen.clone(),
            verdict,
            resent: false,
        }
    }

    /// Order `o-1` (see [`add_profile_and_order`]) with an attempt on alipay, pending.
    async fn pending_attempt(store: &Store) -> Attempt {
        let order = add_profile_and_order(store).await;
        let sent = begin_attempt(store, &order, "alipay", "key-1")
            .await
            .unwrap();
        record_state(store, sent.id, AttemptState::Pending).await
    }

    /// An engine at a desk whose keyring holds none of the profiles' secrets.
    fn without_secrets(store: &Store) -> Engine {
        let no_secrets: Arc<dyn crate::vault::Vault> =
            Arc::new(crate::vault::MemoryVault::default());
        Engine::new(
            store.clone(),
            no_secrets,
            paydesk_gateways::transport::Transport::new(std::time::Duration::from_secs(1)),
        )
    }

    #[tokio::test]
    async fn a_desk_without_a_profiles_secrets_leaves_its_payments_to_the_desks_that_hold_them() {
        let (_dir, store) = crate::test_support::temp_store().await;
        let pending = pending_attempt(&store).await;
        sqlx::query("UPDATE attempts SET next_check_at = 0 WHERE id = $1")
            .bind(pending.id)
            .execute(store.pool())
            .await
            .unwrap();
        let engine = without_secrets(&store);
        assert!(engine.reconcile_due().await.unwrap().is_empty());
        let after = store.attempt(pending.id).await.unwrap();
        let next_check_at: Option<i64> =
            sqlx::query_scalar("SELECT next_check_at FROM attempts WHERE id = $1")
                .bind(pending.id)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(
            (after.checks, next_check_at),
            (0, Some(0)),
            "left as it was"
        );
        assert_eq!(after.state, AttemptState::Pending);

        // A person asking here is told what this desk can and cannot do.
        let asked = engine.check_status(pending.id).await.unwrap_err();
        assert!(matches!(asked, PayError::NoSecret { .. }), "{asked}");
        assert!(
            asked.to_string().contains(
                "cannot pay or check its payments with the gateway (it can look them up)"
            ),
            "{asked}"
        );
    }

    #[tokio::test]
    async fn a_payment_this_desk_cannot_sign_is_journaled_failed_and_never_sent() {
        let (_dir, store) = crate::test_support::temp_store().await;
        let order = add_profile_and_order(&store).await;
        // Nothing listens here: had the request been sent, its failure would say so.
        let engine = without_secrets(&store);
        let command = crate::pricing::PayCommand {
            order_no: order.order_no.clone(),
            channel: Channel::Alipay,
            deductions: vec![],
            coupon: None,
            credit_amount: None,
            subscription_refunds: vec![],
            seen_revision: None,
        };
        let refused = engine.pay(&command).await.unwrap_err();
        assert!(matches!(refused, PayError::NoSecret { .. }), "{refused}");
        let attempts = store.attempts(&order.order_no).await.unwrap();
        assert_eq!(attempts.len(), 1, "journaled before the keyring answered");
        let attempt = &attempts[0];
        assert_eq!(attempt.state, AttemptState::Failed);
        assert_eq!(attempt.error_code.as_deref(), Some("NOT_SENT"));
        let message = attempt.error_message.as_deref().unwrap_or_default();
        assert!(
            message.starts_with("nothing was sent: this desk's keyring has no"),
            "{message}"
        );

        // A request refused for what was asked writes nothing at all.
        let mut credit = command.clone();
        credit.credit_amount = Some("0.01".into());
        assert!(engine.pay(&credit).await.is_err());
        assert_eq!(store.attempts(&order.order_no).await.unwrap().len(), 1);
    }

    store_contract! {

    async fn a_verdict_on_an_attempt_that_moved_on_changes_nothing(store) {
        let seen = pending_attempt(&store).await;
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

    async fn an_answer_counted_by_another_pass_is_not_counted_twice(store) {
        let seen = pending_attempt(&store).await;
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

    async fn one_commit_records_verdicts_that_change_different_references(store) {
        let first = pending_attempt(&store).await;
        let mut seen = vec![first];
        for (n, gateway_ref, pay_url) in [(2, Some("G-2"), Some("https://pay/2")), (3, None, None)] {
            let order = crate::test_support::add_order(&store, "p", &format!("o-{n}"), "1.00", "").await;
            let sent = begin_attempt(&store, &order, "alipay", &format!("key-{n}")).await.unwrap();
            let update = AttemptUpdate {
                gateway_ref: gateway_ref.map(Into::into),
                pay_url: pay_url.map(Into::into),
                ..AttemptUpdate::default()
            };
            seen.push(store.record(sent.id, AttemptState::Pending, &update).await.unwrap());
        }
        // A new reference, the same one again (and none of the pay link it had), and references
        // the answer gives where there were none.
        let answers = [
            (Some("G-1"), Some("https://pay/1")),
            (Some("G-2"), None),
            (Some("G-3"), Some("https://pay/3")),
        ];
        let checks: Vec<Checked> = seen
            .iter()
            .zip(answers)
            .map(|(attempt, (gateway_ref, pay_url))| {
                let update = AttemptUpdate {
                    gateway_ref: gateway_ref.map(Into::into),
                    pay_url: pay_url.map(Into::into),
                    ..AttemptUpdate::default()
                };
                checked(attempt, CheckVerdict::Settle(AttemptState::Succeeded, update))
            })
            .collect();
        let changed = store.record_checks(&checks).await.unwrap();
        let ids: Vec<i64> = seen.iter().map(|a| a.id).collect();
        assert_eq!(changed.iter().map(|a| a.id).collect::<Vec<_>>(), ids);
        let kept = [
            (Some("G-1"), Some("https://pay/1")),
            (Some("G-2"), Some("https://pay/2")),
            (Some("G-3"), Some("https://pay/3")),
        ];
        for (id, (gateway_ref, pay_url)) in ids.into_iter().zip(kept) {
            let now = store.attempt(id).await.unwrap();
            assert_eq!(now.state, AttemptState::Succeeded);
            assert_eq!(now.gateway_ref.as_deref(), gateway_ref, "attempt {id}");
            assert_eq!(now.pay_url.as_deref(), pay_url, "attempt {id}");
            assert_eq!(store.events(id).await.unwrap().last().unwrap().state, AttemptState::Succeeded);
        }
    }

    async fn verdicts_are_recorded_together_with_their_events(store) {
        let seen = pending_attempt(&store).await;
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
}
