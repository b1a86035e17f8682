//! The shapes the shells print and send over IPC: one place, so the window and the command
//! line cannot disagree about what a payment looks like.

use serde::Serialize;
use ts_rs::TS;

use crate::domain::{Attempt, AttemptEvent, AttemptState, OrderChange, OrderView, Profile};
use crate::engine::{error_report, ErrorReport};
use paydesk_gateways::{connector_for, Capabilities, OrderAttribute};

pub use crate::pricing::{AttemptAmounts, Charges, DeductionKind, DeductionLine, RefundLine};

/// One payment's outcome, as `pay --json` prints it and `pay_order` returns it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct PaymentReport {
    pub order_no: String,
    pub state: AttemptState,
    pub attempt_id: i64,
    #[ts(as = "paydesk_gateways::Channel")]
    pub channel: String,
    pub idempotency_key: String,
    pub gateway_ref: Option<String>,
    /// The customer's own payment number, as their wallet shows it (what they read out).
    pub customer_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error: Option<ErrorReport>,
    /// On a sandbox profile: demo money, never real (scripts reading `--json` book nothing).
    pub is_sandbox: bool,
    #[serde(flatten)]
    #[ts(flatten)]
    pub charges: Charges,
}

impl PaymentReport {
    pub fn new(order: &OrderView, attempt: &Attempt) -> Self {
        PaymentReport {
            order_no: order.order_no.clone(),
            state: attempt.state,
            attempt_id: attempt.id,
            channel: attempt.channel.clone(),
            idempotency_key: attempt.idempotency_key.clone(),
            gateway_ref: attempt.gateway_ref.clone(),
            customer_ref: attempt.customer_ref.clone(),
            pay_url: attempt.pay_url.clone(),
            error: error_report(attempt),
            is_sandbox: order.is_sandbox,
            charges: Charges::of(attempt, &order.currency),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AttemptDetail {
    #[serde(flatten)]
    pub attempt: Attempt,
    /// The charged amount in the main unit ("12.30"), formatted by the backend.
    pub amount: String,
    pub error: Option<ErrorReport>,
    pub events: Vec<AttemptEvent>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub charges: Charges,
    /// Whether the customer may yet pay it ([`Attempt::may_still_be_paid`]): deciding it "not
    /// paid" then takes a person's word that its code can no longer be used.
    pub may_still_be_paid: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct OrderDetail {
    pub order: OrderView,
    pub attempts: Vec<AttemptDetail>,
    /// The order's edits and cancellation, oldest first.
    pub changes: Vec<OrderChange>,
}

/// A gateway profile as the window shows it: never any secret, only which ones it needs.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileView {
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub is_sandbox: bool,
    pub settings: std::collections::BTreeMap<String, String>,
    pub capabilities: Option<Capabilities>,
    /// The currency the profile's orders are in, where its gateway fixes one.
    pub order_currency: Option<String>,
    /// The order attributes its gateway reads (New order shows them as fields).
    pub order_attributes: Vec<OrderAttribute>,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        let connector = connector_for(&p.gateway);
        ProfileView {
            name: p.name.clone(),
            gateway: p.gateway.clone(),
            base_url: p.base_url.clone(),
            is_sandbox: p.is_sandbox,
            settings: p.settings.clone(),
            capabilities: connector.as_ref().map(|c| c.capabilities()),
            order_currency: connector
                .as_ref()
                .and_then(|c| c.order_currency(&p.settings))
                .map(|c| c.code().to_string()),
            order_attributes: connector.map(|c| c.order_attributes()).unwrap_or_default(),
        }
    }
}

impl crate::store::Store {
    pub async fn order_detail(&self, order_no: &str) -> crate::store::Result<OrderDetail> {
        let order = self.order(order_no).await?;
        let currency = paydesk_gateways::Currency::parse(&order.currency)
            .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
        let mut attempts = Vec::new();
        for attempt in self.attempts(order_no).await? {
            let events = self.events(attempt.id).await?;
            attempts.push(AttemptDetail {
                amount: paydesk_gateways::Money::from_minor(attempt.charged_minor(), currency)
                    .to_decimal_string(),
                error: error_report(&attempt),
                charges: Charges::of(&attempt, &order.currency),
                may_still_be_paid: attempt.may_still_be_paid(),
                attempt,
                events,
            });
        }
        let changes = self.order_changes(&order).await?;
        Ok(OrderDetail {
            order,
            attempts,
            changes,
        })
    }
}
