//! The payment engine: journal, send once, record what the gateway said.
//!
//! The order of operations is the guarantee: the request is checked (pure, may refuse), the
//! attempt with its idempotency key is committed durably while the profile's secrets are read
//! from the keyring, the request is signed, and only then does it leave. One that cannot be
//! signed (a secret missing) is recorded failed: it never left. Whatever happens after sending is recorded; an answer that cannot be read leaves
//! the attempt `unknown`, never `failed`.

use std::sync::Arc;

use paydesk_gateways::transport::{Transport, TransportError};
use paydesk_gateways::{
    Asked, BuildError, Channel, Connector, Currency, Deduction, GatewayError, Money, PayOutcome,
    PayRequest, RetryClass, Secrets, SubscriptionRefund,
};
use serde::Serialize;

use crate::domain::{Attempt, AttemptState};
use crate::not_recorded::why_not_recorded;
use crate::pricing::{connector_of, plan_payment, PayCommand, PlanRefusal};
use crate::sender::{InFlight, Sender, Takeover};
use crate::settling::{outcome_update, refused_resend, too_many_resends, AttemptUpdate};
use crate::store::Sending;
use crate::store::{Store, StoreError};
use crate::vault::{Vault, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// Refused before anything was sent; nothing changed.
    #[error("{0}")]
    Refused(String),
    /// "Not paid" was asked for an attempt the customer may yet pay, without a person's word
    /// that they did not and that its code can no longer be used.
    #[error("attempt {attempt_id} may still be paid by the customer: mark it not paid only once you are sure they did not pay and its payment code can no longer be used (it was never shown, or it has expired)")]
    CodeMayStillBePaid { attempt_id: i64 },
    /// "Not paid" was asked for an attempt whose code the gateway says can be paid until
    /// `until` (unix ms, the store's clock): not before then, whoever vouches for it.
    #[error("attempt {attempt_id} can still be paid with its code until {until} (unix ms): it cannot be marked not paid before then")]
    StillPayable { attempt_id: i64, until: i64 },
    /// The order's last payment waits for a person's decision: nothing else is sent first.
    #[error("the last payment of order {order_no} needs a person to resolve it before anything else is sent")]
    NeedsAPerson { order_no: String },
    /// This machine's keyring lacks a secret the profile's gateway needs: the desk looks the
    /// profile's payments up, but neither pays nor asks the gateway about them.
    #[error("this desk's keyring has no {key:?} secret for gateway profile {profile:?}, so it cannot pay or check its payments with the gateway (it can look them up); set the secret here, or check them at a desk that holds it")]
    NoSecret { profile: String, key: String },
    /// A value a rule refuses (a profile's base URL, proxy or setting); nothing was sent.
    #[error("{0}")]
    Invalid(paydesk_gateways::Invalid),
    /// The gateway's connector could not build the request; nothing was sent.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The order, its gateway and what was asked do not make a payment; nothing was sent.
    #[error(transparent)]
    Plan(#[from] PlanRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The request left, but its answer could not be written (the store went out of reach,
    /// refused the write): the attempt stays journaled as being sent, and a status query
    /// settles it once the store takes writes again. The customer may have been charged.
    #[error("the payment request of attempt {attempt_id} was sent to the gateway, but its answer could not be written to the history ({reason}); do not take another payment for this order: paydesk asks the gateway what became of it as soon as it can write again")]
    SentNotRecorded {
        attempt_id: i64,
        reason: String,
        because: NotRecordedBecause,
    },
}

/// A gateway error as the UI and CLI show it: the gateway's own code and words.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
}

#[derive(Clone)]
pub struct Engine {
    store: Store,
    vault: Arc<dyn Vault>,
    transport: Transport,
    /// This engine as the sender of the requests it sends (its clones are the same sender).
    sender: Sender,
}

impl Engine {
    /// An engine over this store, a new sender with an identity of its own.
    pub fn new(store: Store, vault: Arc<dyn Vault>, transport: Transport) -> Self {
        Engine {
            store,
            vault,
            transport,
            sender: Sender::new(),
        }
    }

    /// How this engine journals the requests it sends: itself, and its transport's timeout.
    pub(crate) fn sending(&self) -> Sending<'_> {
        Sending {
            sender: &self.sender,
            timeout_ms: i64::try_from(self.transport.timeout().as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// What may be done now with a `submitting` attempt: [`crate::sender`]'s one rule, for
    /// every path that might touch one.
    /// `now` is the store's clock ([`Store::now`]), the one the journal's times are on.
    pub(crate) fn takeover(&self, attempt: &Attempt, now: i64) -> Takeover {
        let record = attempt.send_record();
        let liveness = crate::sender::liveness(&attempt.idempotency_key, &record);
        crate::sender::takeover(&record, liveness, now)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn vault(&self) -> Arc<dyn Vault> {
        self.vault.clone()
    }

    /// The transport a profile's requests take: through its own proxy where it names one,
    /// directly otherwise.
    pub(crate) fn transport_for(
        &self,
        settings: &std::collections::BTreeMap<String, String>,
    ) -> Result<Transport, PayError> {
        match crate::base_url::proxy(settings).map_err(PayError::Invalid)? {
            None => Ok(self.transport.clone()),
            Some(proxy) => self
                .transport
                .through_proxy(proxy)
                .map_err(|e| PayError::Refused(e.to_string())),
        }
    }

    /// Reads the profile's secrets off the async runtime (keyring calls block on D-Bus):
    /// every required one (refusing when one is missing) and the optional ones it holds.
    pub(crate) async fn secrets(
        &self,
        profile: &crate::domain::Profile,
        capabilities: &paydesk_gateways::Capabilities,
    ) -> Result<Secrets, PayError> {
        let vault = self.vault.clone();
        let (vault_id, name) = (profile.vault_id.clone(), profile.name.clone());
        let required = capabilities.required_secrets.clone();
        let optional = capabilities.optional_secrets.clone();
        crate::off_thread::run("the keyring call", move || {
            let mut secrets = Secrets::new();
            for key in required {
                match vault.get(&vault_id, &key)? {
                    Some(value) => secrets.insert(key, value),
                    None => return Err(PayError::NoSecret { profile: name, key }),
                }
            }
            for key in optional {
                if let Some(value) = vault.get(&vault_id, &key)? {
                    secrets.insert(key, value);
                }
            }
            Ok(secrets)
        })
        .await
        .map_err(VaultError::from)?
    }

    /// Pays an order. An order whose last attempt's fate is unknown is settled first (status
    /// query, then a resend under the same idempotency key where the gateway honours one);
    /// it is never paid again blind.
    #[tracing::instrument(name = "pay", skip_all, fields(order_no = %command.order_no, channel = command.channel.as_str()))]
    pub async fn pay(&self, command: &PayCommand) -> Result<Attempt, PayError> {
        let (order, latest, profile) = self.store.payment_start(&command.order_no).await?;
        if command
            .seen_revision
            .is_some_and(|seen| seen != order.revision)
        {
            return Err(StoreError::OrderChanged(order.order_no.clone()).into());
        }
        if let Some(latest) = latest {
            match latest.state {
                AttemptState::Submitting
                    if matches!(
                        self.takeover(&latest, self.store.now().await?),
                        Takeover::NotBefore(_)
                    ) =>
                {
                    return Err(StoreError::in_progress(&order.order_no, &latest).into());
                }
                AttemptState::Unknown | AttemptState::Submitting => {
                    let settled = self.settle_unknown(latest.id).await?;
                    if settled.state != AttemptState::Failed {
                        return Ok(settled);
                    }
                }
                AttemptState::NeedsReview => {
                    return Err(PayError::NeedsAPerson {
                        order_no: order.order_no.clone(),
                    })
                }
                _ => {}
            }
        }
        let connector = connector_of(&profile.gateway)?;
        let capabilities = connector.capabilities();
        let plan = plan_payment(&order, &profile.gateway, &capabilities, command)?;
        // Profiles are checked when written; a database from before those rules (or a profile
        // another desk's older paydesk wrote) is checked here.
        crate::base_url::check(&profile.base_url).map_err(PayError::Invalid)?;
        crate::base_url::check_not_test_environment(&profile.base_url, connector.test_domains())
            .map_err(PayError::Invalid)?;
        let transport = self.transport_for(&profile.settings)?;
        let remaining = plan.remaining;
        // Everything but the signature is checked before anything is written: a payment
        // refused for what was asked changes nothing.
        let request = checked_request(connector.as_ref(), &order, &profile, command, plan)?;
        // Marked in flight before it is journaled: from the commit on, whoever reads the
        // attempt in this process knows its sender is waiting.
        let _in_flight = InFlight::mark(&self.sender, &request.idempotency_key);
        // The keyring is read while the attempt is journaled: the two are a payment's slowest
        // steps before it is sent, and neither needs the other.
        let (deductions, refunds) = (
            deductions_json(&request.deductions),
            refunds_json(&request.subscription_refunds),
        );
        let (secrets, journaled) = tokio::join!(
            self.secrets(&profile, &capabilities),
            self.store.begin_attempt(
                &order,
                command.channel.as_str(),
                &request.idempotency_key,
                remaining.minor,
                &deductions,
                request.coupon.as_deref(),
                request.credit_amount.map(|m| m.minor),
                &refunds,
                self.sending(),
            )
        );
        let attempt = journaled?;
        let signed = secrets.and_then(|secrets| {
            let built = connector.build_pay(&profile.base_url, &request, &secrets)?;
            Ok((built, secrets))
        });
        let (http_request, secrets) = match signed {
            Ok(signed) => signed,
            Err(refused) => return Err(self.never_sent(attempt.id, refused).await),
        };
        tracing::info!(order_no = %order.order_no, attempt = attempt.id, gateway = %profile.gateway, "sending payment");
        let link = Link {
            connector: connector.as_ref(),
            secrets: &secrets,
            settings: &profile.settings,
            transport: &transport,
        };
        self.send_and_record(
            link,
            attempt.id,
            remaining,
            request.asked(!profile.is_sandbox),
            http_request,
            RequestKind::First,
        )
        .await
    }

    /// Sends a journaled attempt's request once and records what came back.
    async fn send_and_record(
        &self,
        link: Link<'_>,
        attempt_id: i64,
        asked: Money,
        payment: Asked<'_>,
        http_request: http::Request<Vec<u8>>,
        kind: RequestKind,
    ) -> Result<Attempt, PayError> {
        let outcome = match link.transport.send(http_request).await {
            Ok(response) => link
                .connector
                .parse_pay_with(&response, link.secrets, link.settings, payment),
            // A resend that never left changes nothing about the first request, still unknown.
            Err(TransportError::NotSent(why)) if kind == RequestKind::Resend => {
                PayOutcome::Unknown(GatewayError::new(
                    "RESEND_NOT_SENT",
                    format!("the gateway could not be reached to ask again; the first request's fate is still unknown ({why})"),
                    RetryClass::Unknown,
                ))
            }
            Err(TransportError::NotSent(why)) => PayOutcome::Failed(GatewayError::new(
                "NOT_SENT",
                format!("the gateway could not be reached; nothing was sent ({why})"),
                RetryClass::Safe,
            )),
            Err(TransportError::AnswerLost(why)) => PayOutcome::Unknown(GatewayError::new(
                "ANSWER_LOST",
                format!("the request was sent but its answer was lost ({why})"),
                RetryClass::Unknown,
            )),
        };
        let (state, update) = match (kind, outcome) {
            (RequestKind::Resend, PayOutcome::Failed(refusal)) => refused_resend(refusal),
            (_, outcome) => outcome_update(asked, outcome),
        };
        match self.store.record(attempt_id, state, &update).await {
            Ok(attempt) => {
                tracing::info!(attempt = attempt_id, state = %state, "payment recorded");
                Ok(attempt)
            }
            // Never "nothing was sent": it was. The journal still says it is being sent, so
            // nothing pays the order again before its fate is asked.
            Err(e) => {
                tracing::warn!(attempt = attempt_id, state = %state, error = %e, "a payment's answer could not be recorded");
                Err(PayError::SentNotRecorded {
                    attempt_id,
                    reason: why_not_recorded(&e),
                    because: NotRecordedBecause::of(&e),
                })
            }
        }
    }

    /// Records a journaled attempt whose request could not be signed (a secret missing from
    /// this desk's keyring, the keyring unreachable) as failed: nothing left, so nothing can
    /// have been charged. Returns why, for the caller.
    async fn never_sent(&self, attempt_id: i64, why: PayError) -> PayError {
        let update = AttemptUpdate {
            error_code: Some("NOT_SENT".into()),
            error_message: Some(format!("nothing was sent: {why}")),
            detail: Some("the request could not be signed; nothing was sent".into()),
            ..AttemptUpdate::default()
        };
        match self
            .store
            .record(attempt_id, AttemptState::Failed, &update)
            .await
        {
            Ok(_) => why,
            // Left submitting: once its sender's time is up the reconciler asks the gateway,
            // which has never heard of it.
            Err(e) => {
                tracing::warn!(attempt = attempt_id, error = %e, "could not record a payment that was never sent");
                why
            }
        }
    }

    /// Rebuilds what an attempt needs to talk to its gateway again.
    async fn context(&self, attempt: &Attempt) -> Result<AttemptContext, PayError> {
        let order = self.store.order_of(attempt).await?;
        let profile = self.store.profile(&order.profile).await?;
        let connector = connector_of(&profile.gateway)?;
        let currency =
            Currency::parse(&order.currency).map_err(|e| PayError::Refused(e.to_string()))?;
        let channel = Channel::parse(&attempt.channel).ok_or_else(|| {
            PayError::Refused(format!("stored channel {:?} is unknown", attempt.channel))
        })?;
        let secrets = self.secrets(&profile, &connector.capabilities()).await?;
        Ok(AttemptContext {
            order,
            profile,
            connector,
            currency,
            channel,
            secrets,
        })
    }

    /// Sends an unknown attempt's request again under its own idempotency key, where the
    /// gateway deduplicates by it; any other attempt is returned as it is.
    #[tracing::instrument(name = "resend", skip(self))]
    pub(crate) async fn resend_same_key(&self, attempt_id: i64) -> Result<Attempt, PayError> {
        let attempt = self.store.attempt(attempt_id).await?;
        if attempt.state != AttemptState::Unknown {
            return Ok(attempt);
        }
        let ctx = self.context(&attempt).await?;
        if !ctx.connector.capabilities().idempotency_key {
            return Ok(attempt);
        }
        if attempt.resends >= MAX_RESENDS {
            return Ok(self
                .store
                .record(
                    attempt.id,
                    AttemptState::NeedsReview,
                    &too_many_resends(&attempt),
                )
                .await?);
        }
        let deductions = read_deductions(&attempt.deductions, ctx.currency)?;
        let request = PayRequest {
            order_no: ctx.order.order_no.clone(),
            amount: Money::from_minor(ctx.order.amount_minor, ctx.currency),
            subject: ctx.order.subject.clone(),
            channel: ctx.channel,
            idempotency_key: attempt.idempotency_key.clone(),
            deductions,
            settings: ctx.profile.settings.clone(),
            attributes: ctx.order.attributes.clone(),
            coupon: attempt.coupon.clone(),
            credit_amount: attempt
                .credit_minor
                .map(|m| Money::from_minor(m, ctx.currency)),
            subscription_refunds: read_refunds(&attempt.subscription_refunds, ctx.currency)
                .map_err(|why| {
                    PayError::Store(StoreError::Corrupt(format!("stored refunds: {why}")))
                })?,
        };
        let http_request =
            ctx.connector
                .build_pay(&ctx.profile.base_url, &request, &ctx.secrets)?;
        let _in_flight = InFlight::mark(&self.sender, &attempt.idempotency_key);
        let resubmitted = self
            .store
            .record_resend(
                attempt.id,
                &format!(
                    "resent under the same idempotency key ({} of at most {MAX_RESENDS})",
                    attempt.resends + 1
                ),
                self.sending(),
            )
            .await?;
        let transport = self.transport_for(&ctx.profile.settings)?;
        let link = Link {
            connector: ctx.connector.as_ref(),
            secrets: &ctx.secrets,
            settings: &ctx.profile.settings,
            transport: &transport,
        };
        self.send_and_record(
            link,
            resubmitted.id,
            Money::from_minor(resubmitted.amount_minor, ctx.currency),
            request.asked(!ctx.profile.is_sandbox),
            http_request,
            RequestKind::Resend,
        )
        .await
    }

    /// A notification the gateway pushed for a profile (debit's callback): verified and read
    /// by the connector, then recorded on the attempt it names when it settles it. An `Err`
    /// means the notification was not accepted (the gateway will send it again).
    #[tracing::instrument(name = "callback", skip(self, body), fields(bytes = body.len()))]
    pub async fn receive_callback(
        &self,
        profile_name: &str,
        body: &[u8],
    ) -> Result<Attempt, PayError> {
        let profile = self.store.profile(profile_name).await?;
        let connector = connector_of(&profile.gateway)?;
        let secrets = self.secrets(&profile, &connector.capabilities()).await?;
        let (key, outcome) = connector
            .parse_callback(body, &secrets)
            .ok_or_else(|| PayError::Refused(format!("{} sends no callbacks", profile.gateway)))?
            .map_err(|e| {
                PayError::Refused(format!("callback refused: {}: {}", e.code, e.message))
            })?;
        let attempt =
            self.store.attempt_by_key(&key).await?.ok_or_else(|| {
                PayError::Refused(format!("no attempt sent idempotency key {key:?}"))
            })?;
        // Verified with this profile's secrets, it speaks for this profile's payments only: a
        // notification sealed with another profile's key (a sandbox's public one) naming a
        // real payout's key must not settle it.
        let order = self.store.order_of(&attempt).await?;
        if order.profile != profile.name {
            return Err(PayError::Refused(format!(
                "callback refused: it came for profile {:?} and names a payment of another profile",
                profile.name
            )));
        }
        // Still processing, or unreadable: nothing to record.
        if !matches!(outcome, PayOutcome::Succeeded(_) | PayOutcome::Failed(_)) {
            return Ok(attempt);
        }
        let currency =
            Currency::parse(&order.currency).map_err(|e| PayError::Refused(e.to_string()))?;
        let (state, update) =
            outcome_update(Money::from_minor(attempt.amount_minor, currency), outcome);
        let report = match &update.detail {
            Some(why) => format!("the gateway's callback reports this payment {state}: {why}"),
            None => format!("the gateway's callback reports this payment {state}"),
        };
        // A callback never decides what a person must: it is evidence for them.
        if attempt.state == AttemptState::NeedsReview {
            return Ok(self.store.add_evidence(attempt.id, &report).await?);
        }
        if attempt.state == state {
            return Ok(attempt);
        }
        if attempt.state.is_terminal() {
            tracing::warn!(attempt = attempt.id, from = %attempt.state, to = %state, "a callback contradicts a settled payment: raised for a person");
            let evidence = format!("{report}, but it is recorded as {}", attempt.state);
            return Ok(self.store.contest(attempt.id, &evidence).await?);
        }
        if !attempt.state.can_become(state) {
            tracing::warn!(attempt = attempt.id, from = %attempt.state, to = %state, "a callback for a payment not yet sent");
            return Ok(attempt);
        }
        tracing::info!(attempt = attempt.id, state = %state, "callback settled a payment");
        let detail = match update.detail {
            Some(why) if state == AttemptState::NeedsReview => {
                format!("reported by the gateway's callback: {why}")
            }
            _ => "reported by the gateway's callback".into(),
        };
        Ok(self
            .store
            .record(
                attempt.id,
                state,
                &AttemptUpdate {
                    detail: Some(detail),
                    ..update
                },
            )
            .await?)
    }

    /// A person's decision on an attempt that needs review, on a settled one a gateway's
    /// report contradicts (confirming its record or correcting it), or on a pending one that
    /// cannot settle by itself (its gateway has no status query). `code_unusable`: the
    /// person's word that the customer did not pay and the attempt's payment code can no
    /// longer be used, which "not paid" takes wherever the customer may yet pay.
    #[tracing::instrument(name = "resolve_review", skip(self, note))]
    pub async fn resolve_review(
        &self,
        attempt_id: i64,
        decision: AttemptState,
        note: &str,
        code_unusable: bool,
    ) -> Result<Attempt, PayError> {
        if note.trim().is_empty() {
            return Err(PayError::Refused(
                "a resolution needs a note saying why".into(),
            ));
        }
        // Kept on the audit trail and shown wherever the attempt is: a note's rules.
        crate::input_rules::check_note(note).map_err(PayError::Invalid)?;
        let attempt = self.store.attempt(attempt_id).await?;
        let settles_itself = self.settles_itself(&attempt).await?;
        // The store checks the state again as it writes: this reading only chooses what to
        // say first.
        if !attempt
            .state
            .can_be_decided(attempt.contested.is_some(), settles_itself, decision)
        {
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from: attempt.state,
                to: decision,
            }
            .into());
        }
        if decision == AttemptState::Failed {
            if let Some(until) = attempt.payable_until {
                if self.store.now().await? < until {
                    return Err(PayError::StillPayable { attempt_id, until });
                }
            }
            if attempt.may_still_be_paid() && !code_unusable {
                return Err(PayError::CodeMayStillBePaid { attempt_id });
            }
        }
        Ok(self
            .store
            .decide(attempt_id, decision, note.trim(), settles_itself)
            .await?)
    }

    /// Whether the attempt's gateway can be asked about it, so that it settles without a
    /// person.
    async fn settles_itself(&self, attempt: &Attempt) -> Result<bool, PayError> {
        let order = self.store.order_of(attempt).await?;
        Ok(paydesk_gateways::connector_for(&order.gateway)
            .is_none_or(|c| c.capabilities().status_query))
    }
}

pub use crate::not_recorded::NotRecordedBecause;
pub use crate::settling::{MAX_INCONCLUSIVE_CHECKS, MAX_RESENDS};

/// Whether a request is an attempt's first or the same request sent again under its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    First,
    Resend,
}

/// What reading a gateway's answers for a profile needs.
#[derive(Clone, Copy)]
struct Link<'a> {
    connector: &'a dyn Connector,
    secrets: &'a Secrets,
    settings: &'a std::collections::BTreeMap<String, String>,
    transport: &'a Transport,
}

struct AttemptContext {
    order: crate::domain::OrderView,
    profile: crate::domain::Profile,
    connector: Box<dyn Connector>,
    currency: Currency,
    channel: Channel,
    secrets: Secrets,
}

/// The request a payment sends, under a fresh idempotency key, checked by its connector for
/// everything but the signature (the quote asks the same).
pub(crate) fn checked_request(
    connector: &dyn Connector,
    order: &crate::domain::OrderView,
    profile: &crate::domain::Profile,
    command: &PayCommand,
    plan: crate::pricing::PaymentPlan,
) -> Result<PayRequest, PayError> {
    let request = PayRequest {
        order_no: order.order_no.clone(),
        amount: plan.amount,
        subject: order.subject.clone(),
        channel: command.channel,
        idempotency_key: uuid::Uuid::new_v4().simple().to_string(),
        deductions: plan.deductions,
        settings: profile.settings.clone(),
        attributes: order.attributes.clone(),
        coupon: command.coupon.clone(),
        credit_amount: plan.credit,
        subscription_refunds: plan.subscription_refunds,
    };
    connector.check_pay(&profile.base_url, &request)?;
    Ok(request)
}

fn deductions_json(deductions: &[Deduction]) -> String {
    serde_json::to_string(
        &deductions
            .iter()
            .map(|d| serde_json::json!({"id": d.id, "amount_minor": d.amount.minor}))
            .collect::<Vec<_>>(),
    )
    .expect("serializable")
}

/// The subscription refunds as the attempt journals them: `[{"subscribe_id",
/// "refund_amount_minor"}]`.
fn refunds_json(refunds: &[SubscriptionRefund]) -> String {
    serde_json::to_string(
        &refunds
            .iter()
            .map(|r| {
                serde_json::json!({"subscribe_id": r.subscribe_id, "refund_amount_minor": r.refund_amount.minor})
            })
            .collect::<Vec<_>>(),
    )
    .expect("serializable")
}

/// The subscription refunds an attempt journaled, in the order's currency.
pub(crate) fn read_refunds(
    json: &str,
    currency: Currency,
) -> Result<Vec<SubscriptionRefund>, String> {
    #[derive(serde::Deserialize)]
    struct Journaled {
        subscribe_id: String,
        refund_amount_minor: i64,
    }
    let list: Vec<Journaled> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok(list
        .into_iter()
        .map(|r| SubscriptionRefund {
            subscribe_id: r.subscribe_id,
            refund_amount: Money::from_minor(r.refund_amount_minor, currency),
        })
        .collect())
}

fn read_deductions(json: &str, currency: Currency) -> Result<Vec<Deduction>, PayError> {
    let corrupt =
        |why: String| PayError::Store(StoreError::Corrupt(format!("stored deductions: {why}")));
    let items: Vec<serde_json::Value> =
        serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))?;
    items
        .iter()
        .map(|item| {
            let id = item["id"].as_str().ok_or_else(|| corrupt("no id".into()))?;
            let minor = item["amount_minor"]
                .as_i64()
                .ok_or_else(|| corrupt("no amount".into()))?;
            Ok(Deduction {
                id: id.to_string(),
                amount: Money::from_minor(minor, currency),
            })
        })
        .collect()
}

/// The attempt's error, if any, in the shape the UI and CLI print.
pub fn error_report(attempt: &Attempt) -> Option<ErrorReport> {
    attempt.error_code.as_ref().map(|code| ErrorReport {
        code: code.clone(),
        message: attempt.error_message.clone().unwrap_or_default(),
    })
}
