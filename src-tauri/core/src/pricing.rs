//! What a payment comes to (pure): a person's [`PayCommand`] checked against the order and the
//! gateway's capabilities, its deductions and split worked out exactly. The one place both
//! paying and quoting decide this, so the window's quote and the payment cannot disagree.

use paydesk_gateways::{Capabilities, Channel, Currency, Deduction, Money, SubscriptionRefund};
use serde::Serialize;
use ts_rs::TS;

use crate::domain::OrderView;

/// What a person asked for: pay this order this way.
#[derive(Debug, Clone)]
pub struct PayCommand {
    pub order_no: String,
    pub channel: Channel,
    /// Voucher/coupon id and the amount it deducts, as a decimal string in the order's currency.
    pub deductions: Vec<(String, String)>,
    /// A coupon id, where the gateway takes one.
    pub coupon: Option<String>,
    /// The part paid on credit instead of balance (decimal string), where the gateway splits.
    pub credit_amount: Option<String>,
    /// Subscriptions the payment replaces, each with its refund as a decimal string in the
    /// order's currency (TOP).
    pub subscription_refunds: Vec<(String, String)>,
}

/// What a payment comes to once its deductions and split are applied, exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPlan {
    pub amount: Money,
    pub deductions: Vec<Deduction>,
    /// What the gateway is asked to charge after the deductions.
    pub remaining: Money,
    /// Of the remainder, the part paid on credit (split gateways only).
    pub credit: Option<Money>,
    /// The subscriptions it replaces, each refunded; the amounts above are not changed by them.
    pub subscription_refunds: Vec<SubscriptionRefund>,
}

/// Why a payment would be refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanRefusal {
    #[error("order {order_no:?} is cancelled: it cannot be paid")]
    Cancelled { order_no: String },
    #[error("gateway {gateway:?} is not supported")]
    UnsupportedGateway { gateway: String },
    #[error("{gateway} does not offer the {channel} channel")]
    ChannelNotOffered { gateway: String, channel: String },
    #[error("the order's currency: {0}")]
    Currency(String),
    #[error("{gateway} does not take vouchers")]
    NoVouchers { gateway: String },
    #[error("{gateway} does not take coupons")]
    NoCoupon { gateway: String },
    #[error("voucher {id}: {why}")]
    BadVoucher { id: String, why: String },
    #[error("the deductions exceed the order amount")]
    DeductionsExceedAmount,
    #[error("{gateway} does not split payments between balance and credit")]
    NoCreditSplit { gateway: String },
    #[error("credit amount: {0}")]
    BadCredit(String),
    #[error("the credit amount {credit} is more than the {remaining} to pay")]
    CreditExceedsRemainder { credit: String, remaining: String },
    #[error("{gateway} takes no subscription refunds")]
    NoSubscriptionRefunds { gateway: String },
    #[error("subscription refund {id:?}: {why}")]
    BadSubscriptionRefund { id: String, why: String },
}

/// The connector that speaks a profile's gateway.
pub fn connector_of(gateway: &str) -> Result<Box<dyn paydesk_gateways::Connector>, PlanRefusal> {
    paydesk_gateways::connector_for(gateway).ok_or_else(|| PlanRefusal::UnsupportedGateway {
        gateway: gateway.to_string(),
    })
}

/// Checks a payment against the order and the gateway's capabilities and works out its
/// amounts, or says why it would be refused.
pub fn plan_payment(
    order: &OrderView,
    gateway: &str,
    capabilities: &Capabilities,
    command: &PayCommand,
) -> Result<PaymentPlan, PlanRefusal> {
    let gateway_name = || gateway.to_string();
    if order.cancelled_at.is_some() {
        return Err(PlanRefusal::Cancelled {
            order_no: order.order_no.clone(),
        });
    }
    if !capabilities.channels.contains(&command.channel) {
        return Err(PlanRefusal::ChannelNotOffered {
            gateway: gateway_name(),
            channel: command.channel.as_str().to_string(),
        });
    }
    let currency =
        Currency::parse(&order.currency).map_err(|e| PlanRefusal::Currency(e.to_string()))?;
    if !command.deductions.is_empty() && !capabilities.vouchers {
        return Err(PlanRefusal::NoVouchers {
            gateway: gateway_name(),
        });
    }
    if command.coupon.is_some() && !capabilities.coupon {
        return Err(PlanRefusal::NoCoupon {
            gateway: gateway_name(),
        });
    }
    let amount = Money::from_minor(order.amount_minor, currency);
    let mut deductions = Vec::new();
    let mut remaining = amount;
    for (id, text) in &command.deductions {
        let bad_voucher = |why: String| PlanRefusal::BadVoucher {
            id: id.clone(),
            why,
        };
        let deducted =
            Money::parse_positive(text, currency).map_err(|e| bad_voucher(e.to_string()))?;
        remaining = remaining
            .checked_sub(&deducted)
            .map_err(|e| bad_voucher(e.to_string()))?;
        deductions.push(Deduction {
            id: id.clone(),
            amount: deducted,
        });
    }
    if remaining.minor < 0 {
        return Err(PlanRefusal::DeductionsExceedAmount);
    }
    let credit = match &command.credit_amount {
        None => None,
        Some(text) => {
            if !capabilities.credit_split {
                return Err(PlanRefusal::NoCreditSplit {
                    gateway: gateway_name(),
                });
            }
            let credit = Money::parse_positive(text, currency)
                .map_err(|e| PlanRefusal::BadCredit(e.to_string()))?;
            if credit.minor > remaining.minor {
                return Err(PlanRefusal::CreditExceedsRemainder {
                    credit: credit.to_string(),
                    remaining: remaining.to_string(),
                });
            }
            Some(credit)
        }
    };
    let subscription_refunds = plan_refunds(command, currency, capabilities, gateway)?;
    Ok(PaymentPlan {
        amount,
        deductions,
        remaining,
        credit,
        subscription_refunds,
    })
}

/// The subscriptions a payment replaces: only where the gateway takes them, each id once and
/// typed as it is, each refund a positive amount in the order's currency.
fn plan_refunds(
    command: &PayCommand,
    currency: Currency,
    capabilities: &Capabilities,
    gateway: &str,
) -> Result<Vec<SubscriptionRefund>, PlanRefusal> {
    if command.subscription_refunds.is_empty() {
        return Ok(Vec::new());
    }
    if !capabilities.subscription_refunds {
        return Err(PlanRefusal::NoSubscriptionRefunds {
            gateway: gateway.to_string(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    command
        .subscription_refunds
        .iter()
        .map(|(id, text)| {
            let bad = |why: String| PlanRefusal::BadSubscriptionRefund {
                id: id.clone(),
                why,
            };
            paydesk_rules::input_rules::check_reference(id).map_err(bad)?;
            if !seen.insert(id.as_str()) {
                return Err(bad("it is given twice".into()));
            }
            let refund = Money::parse_positive(text, currency).map_err(|e| bad(e.to_string()))?;
            Ok(SubscriptionRefund {
                subscribe_id: id.clone(),
                refund_amount: refund,
            })
        })
        .collect()
}

/// What a payment would charge, computed exactly as [`crate::engine::Engine::pay`] checks it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, TS)]
pub struct Quote {
    pub currency: String,
    /// The order's amount.
    pub amount: String,
    pub amount_minor: i64,
    /// The sum of the voucher deductions.
    pub deducted: String,
    pub deducted_minor: i64,
    /// What the gateway is asked to charge after the deductions.
    pub remaining: String,
    pub remaining_minor: i64,
    /// Of the remainder, the part paid on credit and the part paid from balance (split only).
    pub credit: Option<String>,
    pub balance: Option<String>,
}

impl Quote {
    pub fn of(plan: &PaymentPlan) -> Quote {
        let (amount, remaining, credit) = (plan.amount, plan.remaining, plan.credit);
        let currency = amount.currency;
        let decimal = |minor| Money::from_minor(minor, currency).to_decimal_string();
        let deducted_minor = amount.minor - remaining.minor;
        Quote {
            currency: currency.code().to_string(),
            amount: amount.to_decimal_string(),
            amount_minor: amount.minor,
            deducted: decimal(deducted_minor),
            deducted_minor,
            remaining: remaining.to_decimal_string(),
            remaining_minor: remaining.minor,
            credit: credit.map(|c| c.to_decimal_string()),
            balance: credit.map(|c| decimal(remaining.minor - c.minor)),
        }
    }
}
