//! The payment engine: journal, send once, record what the gateway said.
//!
//! The order of operations is the guarantee: the request is built (pure, may refuse), the
//! attempt with its idempotency key is committed durably, and only then does the request
//! leave. Whatever happens after sending is recorded; an answer that cannot be read leaves
//! the attempt `unknown`, never `failed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_gateways::transport::{Transport, TransportError};
use paydesk_gateways::{
    connector_for, BuildError, Channel, Currency, Deduction, GatewayError, Money, PayOutcome,
    PayRequest, Receipt, Secrets,
};
use serde::Serialize;

use crate::domain::{Attempt, AttemptState};
use crate::store::{AttemptUpdate, Store, StoreError};
use crate::vault::{Vault, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// Refused before anything was sent; nothing changed.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl PayError {
    /// True when nothing was journaled or sent (bad input, refusal, a live attempt exists).
    pub fn nothing_sent(&self) -> bool {
        match self {
            PayError::Refused(_) | PayError::Vault(_) => true,
            PayError::Store(e) => matches!(
                e,
                StoreError::NoSuchOrder(_)
                    | StoreError::NoSuchProfile(_)
                    | StoreError::AttemptInProgress(_)
                    | StoreError::AlreadyPaid(_)
            ),
        }
    }
}

impl From<BuildError> for PayError {
    fn from(e: BuildError) -> Self {
        PayError::Refused(e.to_string())
    }
}

/// What a person asked for: pay this order this way.
#[derive(Debug, Clone)]
pub struct PayCommand {
    pub order_no: String,
    pub channel: Channel,
    /// Voucher/coupon id and the amount it deducts, as a decimal string in the order's currency.
    pub deductions: Vec<(String, String)>,
    /// A coupon id, where the gateway takes one.
    pub coupon: Option<String>,
}

/// A gateway error as the UI and CLI show it: the gateway's own code and words.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorReport {
    pub code: String,
    pub message: String,
}

#[derive(Clone)]
pub struct Engine {
    store: Store,
    vault: Arc<dyn Vault>,
    transport: Transport,
}

impl Engine {
    pub fn new(store: Store, vault: Arc<dyn Vault>, transport: Transport) -> Self {
        Engine {
            store,
            vault,
            transport,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn vault(&self) -> Arc<dyn Vault> {
        self.vault.clone()
    }

    /// Reads the profile's secrets off the async runtime (keyring calls block on D-Bus).
    async fn secrets(&self, vault_id: &str, keys: &[String]) -> Result<Secrets, PayError> {
        let vault = self.vault.clone();
        let vault_id = vault_id.to_string();
        let keys = keys.to_vec();
        tokio::task::spawn_blocking(move || {
            let mut secrets = Secrets::new();
            for key in keys {
                match vault.get(&vault_id, &key)? {
                    Some(value) => secrets.insert(key, value),
                    None => {
                        return Err(PayError::Refused(format!(
                            "the gateway profile has no {key:?} secret in the keyring"
                        )))
                    }
                }
            }
            Ok(secrets)
        })
        .await
        .map_err(|e| PayError::Refused(format!("keyring task failed: {e}")))?
    }

    pub async fn pay(&self, command: &PayCommand) -> Result<Attempt, PayError> {
        let order = self.store.order(&command.order_no).await?;
        let profile = self.store.profile(&order.profile).await?;
        let connector = connector_for(&profile.gateway).ok_or_else(|| {
            PayError::Refused(format!("gateway {:?} is not supported", profile.gateway))
        })?;
        let capabilities = connector.capabilities();
        if !capabilities.channels.contains(&command.channel) {
            return Err(PayError::Refused(format!(
                "{} does not offer the {} channel",
                profile.gateway,
                command.channel.as_str()
            )));
        }
        let currency =
            Currency::parse(&order.currency).map_err(|e| PayError::Refused(e.to_string()))?;
        let amount = Money::from_minor(order.amount_minor, currency);
        let mut deductions = Vec::new();
        let mut remaining = amount;
        for (id, text) in &command.deductions {
            let deducted = Money::parse_positive(text, currency)
                .map_err(|e| PayError::Refused(format!("voucher {id}: {e}")))?;
            remaining = remaining
                .checked_sub(&deducted)
                .map_err(|e| PayError::Refused(e.to_string()))?;
            deductions.push(Deduction {
                id: id.clone(),
                amount: deducted,
            });
        }
        if remaining.minor < 0 {
            return Err(PayError::Refused(
                "the deductions exceed the order amount".into(),
            ));
        }
        let secrets = self
            .secrets(&profile.vault_id, &capabilities.required_secrets)
            .await?;
        let request = PayRequest {
            order_no: order.order_no.clone(),
            amount,
            subject: order.subject.clone(),
            channel: command.channel,
            idempotency_key: uuid::Uuid::new_v4().simple().to_string(),
            deductions,
            settings: profile.settings.clone(),
            attributes: order.attributes.clone(),
            coupon: command.coupon.clone(),
            credit_amount: None,
        };
        let http_request = connector.build_pay(&profile.base_url, &request, &secrets)?;
        let deductions_json = serde_json::to_string(
            &request
                .deductions
                .iter()
                .map(|d| {
                    BTreeMap::from([
                        ("id", d.id.clone()),
                        ("amount_minor", d.amount.minor.to_string()),
                    ])
                })
                .collect::<Vec<_>>(),
        )
        .expect("serializable");
        let attempt = self
            .store
            .begin_attempt(
                order.id,
                &order.order_no,
                command.channel.as_str(),
                &request.idempotency_key,
                remaining.minor,
                &deductions_json,
            )
            .await?;
        tracing::info!(order_no = %order.order_no, attempt = attempt.id, gateway = %profile.gateway, "sending payment");
        let outcome = match self.transport.send(http_request).await {
            Ok(response) => connector.parse_pay(&response),
            Err(TransportError::NotSent(why)) => PayOutcome::Failed(GatewayError::new(
                "NOT_SENT",
                format!("the gateway could not be reached; nothing was sent ({why})"),
                paydesk_gateways::RetryClass::Safe,
            )),
            Err(TransportError::AnswerLost(why)) => PayOutcome::Unknown(GatewayError::new(
                "ANSWER_LOST",
                format!("the request was sent but its answer was lost ({why})"),
                paydesk_gateways::RetryClass::Unknown,
            )),
        };
        let (state, update) = outcome_update(outcome);
        tracing::info!(order_no = %order.order_no, attempt = attempt.id, state = %state, "payment recorded");
        Ok(self.store.record(attempt.id, state, &update).await?)
    }
}

fn receipt_update(receipt: Receipt) -> AttemptUpdate {
    AttemptUpdate {
        gateway_ref: receipt.gateway_ref,
        pay_url: receipt.pay_url,
        detail: receipt.detail.map(|d| d.to_string()),
        ..AttemptUpdate::default()
    }
}

fn error_update(error: GatewayError) -> AttemptUpdate {
    AttemptUpdate {
        detail: Some(format!("{}: {}", error.code, error.message)),
        error_code: Some(error.code),
        error_message: Some(error.message),
        ..AttemptUpdate::default()
    }
}

fn outcome_update(outcome: PayOutcome) -> (AttemptState, AttemptUpdate) {
    match outcome {
        PayOutcome::Succeeded(r) => (AttemptState::Succeeded, receipt_update(r)),
        PayOutcome::Pending(r) => (AttemptState::Pending, receipt_update(r)),
        PayOutcome::Failed(e) => (AttemptState::Failed, error_update(e)),
        PayOutcome::Unknown(e) => (AttemptState::Unknown, error_update(e)),
    }
}

/// The attempt's error, if any, in the shape the UI and CLI print.
pub fn error_report(attempt: &Attempt) -> Option<ErrorReport> {
    attempt.error_code.as_ref().map(|code| ErrorReport {
        code: code.clone(),
        message: attempt.error_message.clone().unwrap_or_default(),
    })
}
