//! The partner's wire format: the signed form paydesk sends, and the envelope and
//! `order_info` it reads back.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::SUCCESS_CODE;
use crate::common::answer::{self, Named};
use crate::common::lenient::{self, Kept, Object};
use crate::connector::*;
use crate::{Currency, Money};

/// The sign of a parameter set: every pair with a non-empty name and value except `sign`,
/// sorted by name in byte order, joined `k1=v1&k2=v2`, then `&key=<key>`, MD5 over UTF-8,
/// lowercase hex.
pub fn sign<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, value)| !name.is_empty() && !value.is_empty() && *name != "sign")
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::new();
    for (name, value) in kept {
        text.push_str(name);
        text.push('=');
        text.push_str(value);
        text.push('&');
    }
    text.push_str("key=");
    text.push_str(key);
    paydesk_crypto::md5_hex(text.as_bytes())
}

/// `pay_type` for a channel.
pub(super) fn pay_type(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Balance => Some("1"),
        Channel::Alipay => Some("2"),
        _ => None,
    }
}

/// Which codes leave the payment's fate unknown or a later attempt safe.
pub fn retry_class(code: i64) -> RetryClass {
    match code {
        // Rate limited: refused before anything was done.
        429 => RetryClass::Safe,
        // A server fault can strike after the balance was debited.
        500..=599 => RetryClass::Unknown,
        _ => RetryClass::Not,
    }
}

/// The order the gateway created, exactly as `result.order_info` describes it (every field of
/// the seed). Amounts are integer fen; `*_time_stamp` are unix milliseconds; `order_time` and
/// `order_pay_time` are `yyyy-MM-dd HH:mm:ss` text as the gateway wrote them.
///
/// The fields a payment's outcome rests on are required (a missing one makes the answer
/// unreadable); the descriptive ones default to empty / zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInfo {
    #[serde(deserialize_with = "lenient::text")]
    pub order_no: String,
    #[serde(deserialize_with = "lenient::text")]
    pub id: String,
    #[serde(deserialize_with = "lenient::integer")]
    pub order_status: i64,
    #[serde(deserialize_with = "lenient::integer")]
    pub pay_type: i64,
    /// The gift pack's price, fen.
    #[serde(deserialize_with = "lenient::integer")]
    pub order_price: i64,
    /// The coupon's deduction, fen.
    #[serde(deserialize_with = "lenient::integer")]
    pub deduct_price: i64,
    #[serde(deserialize_with = "lenient::text")]
    pub user_id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub gift_pos_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub coupon_id: String,
    #[serde(default, deserialize_with = "lenient::integer")]
    pub order_type: i64,
    #[serde(default, deserialize_with = "lenient::integer")]
    pub order_score: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_desc: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub gift_title: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub bill_no: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub third_order_no: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_time: String,
    #[serde(default, deserialize_with = "lenient::integer")]
    pub order_time_stamp: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_pay_time: String,
    #[serde(default, deserialize_with = "lenient::integer")]
    pub order_pay_time_stamp: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_phone: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_real_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_id_no: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_level_id: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_receieve_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_receieve_phone: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_receieve_address: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub receive_time: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_express_name: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_express_no: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_express_number: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_express_address: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_express_time: String,
    #[serde(default, deserialize_with = "lenient::integer")]
    pub order_express_time_stamp: i64,
    #[serde(default, deserialize_with = "lenient::text")]
    pub platform_remark: String,
}

impl OrderInfo {
    /// Reads an `order_info` object (e.g. a [`Receipt::detail`] the app stored).
    pub fn from_value(value: &Value) -> Result<OrderInfo, serde_json::Error> {
        OrderInfo::deserialize(value)
    }

    /// What the payer was charged: the price less the coupon's deduction.
    pub fn charged(&self) -> Money {
        Money::from_minor(
            self.order_price.saturating_sub(self.deduct_price),
            Currency::CNY,
        )
    }
}

/// `order_status`: [ours, PROTOCOLS.md] 1 is paid, 0 not yet paid; any other value says
/// nothing about the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Paid,
    /// An Alipay order whose `ali_pay_url` the payer must still open.
    AwaitingPayer,
    Unrecognised(i64),
}

impl From<i64> for OrderStatus {
    fn from(status: i64) -> Self {
        match status {
            1 => OrderStatus::Paid,
            0 => OrderStatus::AwaitingPayer,
            other => OrderStatus::Unrecognised(other),
        }
    }
}

impl OrderStatus {
    fn outcome(self, receipt: Receipt) -> PayOutcome {
        match self {
            OrderStatus::Paid => PayOutcome::Succeeded(receipt),
            OrderStatus::AwaitingPayer => PayOutcome::Pending(receipt),
            OrderStatus::Unrecognised(other) => answer::unknown(
                format!("ORDER_STATUS_{other}"),
                format!(
                    "order {} came back with order_status {other}, which says nothing about payment",
                    receipt.gateway_ref.as_deref().unwrap_or("?")
                ),
            ),
        }
    }
}

/// The answer's envelope: `code`, `msg`, `errors`, `result`. Without a readable `code` there
/// is no envelope; the other fields read as empty when they are not what the partner writes.
#[derive(Deserialize)]
pub(super) struct Envelope {
    #[serde(default, deserialize_with = "lenient::integer_or_none")]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "lenient::or_none")]
    msg: Option<String>,
    #[serde(default)]
    errors: Errors,
    #[serde(default, deserialize_with = "lenient::or_none")]
    result: Option<Object<PayResult>>,
}

/// `errors`: field → message, as the partner words it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Errors {
    ByField(Map<String, Value>),
    List(Vec<Value>),
    Text(String),
    Other(IgnoredAny),
}

impl Default for Errors {
    fn default() -> Self {
        Errors::Other(IgnoredAny)
    }
}

/// One field's complaint, a message or a list of them.
fn complaint(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

impl Errors {
    /// The complaints as one line: `field: message; field: message`.
    fn describe(&self) -> String {
        match self {
            Errors::ByField(fields) => fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", complaint(v)))
                .collect::<Vec<_>>()
                .join("; "),
            Errors::List(items) if !items.is_empty() => complaint(&Value::Array(items.clone())),
            Errors::Text(s) => s.clone(),
            Errors::List(_) | Errors::Other(_) => String::new(),
        }
    }
}

/// `result` of a success.
#[derive(Deserialize)]
struct PayResult {
    #[serde(default, deserialize_with = "lenient::or_none")]
    order_info: Option<Kept<Object<IgnoredAny>>>,
    #[serde(default)]
    ali_pay_url: AliPayUrl,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AliPayUrl {
    Text(String),
    Null(()),
    NotText(IgnoredAny),
}

impl Default for AliPayUrl {
    fn default() -> Self {
        AliPayUrl::Null(())
    }
}

impl Envelope {
    /// The refusal this envelope words.
    pub(super) fn refusal(&self, code: i64) -> GatewayError {
        let msg = self.msg.as_deref().unwrap_or_default();
        let details = self.errors.describe();
        let message = match (msg.is_empty(), details.is_empty()) {
            (false, false) => format!("{msg} ({details})"),
            (false, true) => msg.to_string(),
            (true, false) => details,
            (true, true) => format!("the partner refused with code {code}"),
        };
        GatewayError::new(code.to_string(), message, retry_class(code))
    }

    /// What a success (`code` 1) says.
    pub(super) fn success(self, asked: Option<Asked<'_>>) -> PayOutcome {
        debug_assert_eq!(self.code, Some(SUCCESS_CODE));
        let Some(Object(result)) = self.result else {
            return answer::malformed("code 1 without a result.order_info object");
        };
        let Some(Kept { raw, .. }) = result.order_info else {
            return answer::malformed("code 1 without a result.order_info object");
        };
        let info = match OrderInfo::from_value(&raw) {
            Ok(info) => info,
            Err(e) => {
                return answer::malformed(format!("code 1 with an unreadable order_info: {e}"))
            }
        };
        if info.order_price < 0 || info.deduct_price < 0 || info.deduct_price > info.order_price {
            return answer::malformed(format!(
                "code 1 with impossible prices: order_price {} fen, deduct_price {} fen",
                info.order_price, info.deduct_price
            ));
        }
        // The order names the user, the gift pack and the way it is paid: another's is not
        // this payment's.
        if let Some(asked) = asked {
            let sent = |name: &str| asked.attributes.get(name).map_or("", |v| v.trim());
            let answered_pay_type = info.pay_type.to_string();
            let named = [
                Named {
                    field: "user_id",
                    sent: sent("user_id"),
                    answered: info.user_id.trim(),
                },
                Named {
                    field: "gift_pos_id",
                    sent: sent("gift_pos_id"),
                    answered: info.gift_pos_id.trim(),
                },
                Named {
                    field: "pay_type",
                    sent: pay_type(asked.channel).unwrap_or(asked.channel.as_str()),
                    answered: &answered_pay_type,
                },
            ];
            if let Some(other) = answer::for_another_payment(&named) {
                return other;
            }
        }
        let pay_url = match result.ali_pay_url {
            AliPayUrl::Null(()) => None,
            AliPayUrl::Text(url) => Some(url.trim().to_string()).filter(|u| !u.is_empty()),
            AliPayUrl::NotText(_) => {
                return answer::malformed("code 1 with a result.ali_pay_url that is not a string")
            }
        };
        let gateway_ref = [&info.order_no, &info.id]
            .into_iter()
            .map(|r| r.trim())
            .find(|r| !r.is_empty())
            .map(str::to_string);
        let receipt = Receipt {
            gateway_ref,
            pay_url,
            detail: Some(raw),
            // [ours, PROTOCOLS.md] `order_price` must be the amount paydesk asked; the coupon's
            // `deduct_price` comes off it, and the payer is charged the difference.
            charged: Some(Charged::Money(info.charged())),
            gateway_deduction: Some(Money::from_minor(info.deduct_price, Currency::CNY)),
            payable_until: None,
            customer_ref: Some(info.third_order_no.trim().to_string()).filter(|t| !t.is_empty()),
        };
        OrderStatus::from(info.order_status).outcome(receipt)
    }
}
