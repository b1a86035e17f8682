//! The shapes the shells print and send over IPC: one place, so the window and the command
//! line cannot disagree about what a payment looks like.

use serde::Serialize;
use ts_rs::TS;

use crate::domain::{Attempt, AttemptEvent, AttemptState, OrderChange, OrderView, Profile};
use crate::engine::{error_report, ErrorReport};
use paydesk_gateways::{connector_for, Capabilities, Currency, Money, OrderAttribute};

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
    pub pay_url: Option<String>,
    pub error: Option<ErrorReport>,
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
            pay_url: attempt.pay_url.clone(),
            error: error_report(attempt),
            charges: Charges::of(attempt, &order.currency),
        }
    }
}

/// Whose deduction it is: a voucher the desk applied, or a coupon the gateway took off.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeductionKind {
    Voucher,
    Coupon,
}

/// One deduction from what the order comes to.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct DeductionLine {
    pub kind: DeductionKind,
    pub id: String,
    /// `None` for a coupon whose amount the gateway has not (yet) said.
    pub amount: Option<String>,
    pub amount_minor: Option<i64>,
}

/// What a payment came to, from the order's amount to what was charged: each deduction, the
/// split between balance and credit where there was one, and the amount charged (the
/// gateway's figure where it gave one). Amounts in the main unit beside their minor units.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Charges {
    pub deductions: Vec<DeductionLine>,
    pub balance_amount: Option<String>,
    pub balance_amount_minor: Option<i64>,
    pub credit_amount: Option<String>,
    pub credit_amount_minor: Option<i64>,
    pub charged_amount: String,
    pub charged_amount_minor: i64,
    /// Subscriptions the payment replaces, each with its refund (TOP); not part of the sums
    /// above.
    pub subscription_refunds: Vec<RefundLine>,
}

/// A subscription a payment replaces, and its refund.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct RefundLine {
    pub subscribe_id: String,
    pub amount: String,
    pub amount_minor: i64,
}

impl Charges {
    pub fn of(attempt: &Attempt, currency: &str) -> Self {
        Charges::from_parts(
            &AttemptAmounts {
                amount_minor: attempt.amount_minor,
                deductions: &attempt.deductions,
                coupon: attempt.coupon.as_deref(),
                credit_minor: attempt.credit_minor,
                gateway_deduction_minor: attempt.gateway_deduction_minor,
                subscription_refunds: &attempt.subscription_refunds,
            },
            currency,
        )
    }

    pub fn from_parts(a: &AttemptAmounts<'_>, currency: &str) -> Self {
        // A currency the store holds was checked when the order was written; should one not
        // read, the amounts still show, in minor units.
        let decimal = |minor: i64| match Currency::parse(currency) {
            Ok(c) => Money::from_minor(minor, c).to_decimal_string(),
            Err(_) => minor.to_string(),
        };
        let mut deductions: Vec<DeductionLine> = vouchers(a.deductions)
            .into_iter()
            .map(|(id, minor)| DeductionLine {
                kind: DeductionKind::Voucher,
                id,
                amount: Some(decimal(minor)),
                amount_minor: Some(minor),
            })
            .collect();
        if let Some(coupon) = a.coupon.filter(|c| !c.trim().is_empty()) {
            deductions.push(DeductionLine {
                kind: DeductionKind::Coupon,
                id: coupon.to_string(),
                amount: a.gateway_deduction_minor.map(decimal),
                amount_minor: a.gateway_deduction_minor,
            });
        }
        let balance_minor = a.credit_minor.map(|credit| a.amount_minor - credit);
        let charged_minor = a.amount_minor - a.gateway_deduction_minor.unwrap_or(0);
        Charges {
            deductions,
            balance_amount: balance_minor.map(decimal),
            balance_amount_minor: balance_minor,
            credit_amount: a.credit_minor.map(decimal),
            credit_amount_minor: a.credit_minor,
            charged_amount: decimal(charged_minor),
            charged_amount_minor: charged_minor,
            subscription_refunds: refunds(a.subscription_refunds)
                .into_iter()
                .map(|(subscribe_id, minor)| RefundLine {
                    subscribe_id,
                    amount: decimal(minor),
                    amount_minor: minor,
                })
                .collect(),
        }
    }

    /// The deductions in one line (`voucher v-1 2.50; coupon c-1 1.00`), for a CSV cell.
    pub fn deductions_text(&self) -> String {
        self.deductions
            .iter()
            .map(|d| {
                let kind = match d.kind {
                    DeductionKind::Voucher => "voucher",
                    DeductionKind::Coupon => "coupon",
                };
                format!("{kind} {} {}", d.id, d.amount.as_deref().unwrap_or("?"))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The amounts an attempt journaled, as [`Charges`] reads them.
pub struct AttemptAmounts<'a> {
    /// What was asked of the gateway: the order's amount less the vouchers.
    pub amount_minor: i64,
    /// The vouchers, as journaled (`[{"id", "amount_minor"}]`).
    pub deductions: &'a str,
    pub coupon: Option<&'a str>,
    pub credit_minor: Option<i64>,
    pub gateway_deduction_minor: Option<i64>,
    /// The subscription refunds, as journaled (`[{"subscribe_id", "refund_amount_minor"}]`).
    pub subscription_refunds: &'a str,
}

/// The subscription refunds an attempt journaled, as (id, minor units).
fn refunds(json: &str) -> Vec<(String, i64)> {
    #[derive(serde::Deserialize)]
    struct Refund {
        subscribe_id: String,
        refund_amount_minor: i64,
    }
    serde_json::from_str::<Vec<Refund>>(json)
        .map(|list| {
            list.into_iter()
                .map(|r| (r.subscribe_id, r.refund_amount_minor))
                .collect()
        })
        .unwrap_or_default()
}

/// The vouchers an attempt journaled (`[{"id", "amount_minor"}]`), as (id, minor units).
fn vouchers(json: &str) -> Vec<(String, i64)> {
    #[derive(serde::Deserialize)]
    struct Voucher {
        id: String,
        amount_minor: i64,
    }
    serde_json::from_str::<Vec<Voucher>>(json)
        .map(|list| list.into_iter().map(|v| (v.id, v.amount_minor)).collect())
        .unwrap_or_default()
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
