//! What a payment comes to (pure): a person's [`PayCommand`] checked against the order and the
//! gateway's capabilities, its deductions and split worked out exactly. The one place both
//! paying and quoting decide this, so the window's quote and the payment cannot disagree.

use paydesk_gateways::{
    Capabilities, Channel, Currency, Deduction, Money, MoneyError, SubscriptionRefund,
};
use serde::Serialize;
use ts_rs::TS;

use crate::domain::{Attempt, OrderView};

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
    /// The order's revision the person saw priced (the window's pay dialog): when the order
    /// has been edited since, at another desk or window, the payment is refused and nothing is
    /// written or sent, so what is charged is what was on the screen.
    pub seen_revision: Option<i64>,
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
    #[error("voucher {id}: {error}")]
    VoucherAmount { id: String, error: MoneyError },
    #[error("the deductions exceed the order amount")]
    DeductionsExceedAmount,
    #[error("{gateway} does not split payments between balance and credit")]
    NoCreditSplit { gateway: String },
    #[error("credit amount: {0}")]
    CreditAmount(MoneyError),
    #[error("the credit amount {credit} is more than the {remaining} to pay")]
    CreditExceedsRemainder { credit: String, remaining: String },
    #[error("{gateway} takes no subscription refunds")]
    NoSubscriptionRefunds { gateway: String },
    #[error("subscription refund: {0}")]
    BadSubscriptionRefund(paydesk_gateways::Invalid),
    #[error("subscription refund {id:?}: {error}")]
    RefundAmount { id: String, error: MoneyError },
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
            Money::parse_positive(text, currency).map_err(|error| PlanRefusal::VoucherAmount {
                id: id.clone(),
                error,
            })?;
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
            let credit =
                Money::parse_positive(text, currency).map_err(PlanRefusal::CreditAmount)?;
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
            paydesk_rules::input_rules::check_reference(id)
                .map_err(PlanRefusal::BadSubscriptionRefund)?;
            if !seen.insert(id.as_str()) {
                return Err(PlanRefusal::BadSubscriptionRefund(
                    paydesk_gateways::Invalid::new(
                        paydesk_gateways::invalid::Field::SubscriptionId,
                        paydesk_gateways::invalid::Rule::GivenTwice {
                            value: paydesk_gateways::shown(id),
                        },
                    ),
                ));
            }
            let refund = Money::parse_positive(text, currency).map_err(|error| {
                PlanRefusal::RefundAmount {
                    id: id.clone(),
                    error,
                }
            })?;
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
        let decimal = |minor: i64| crate::domain::amount_in(minor, currency);
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
