//! 益安's wire format: the Ping++ charge read in full, the status envelope around it, DRF's
//! `{"detail"}` errors, and what each of them means.

use std::collections::BTreeMap;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DRF_NOT_PROVIDED, MSG_PAY_REQUEST_FAILED};
use crate::common::answer::{self, Named};
use crate::common::lenient::{self, Kept, Object};
use crate::connector::*;
use crate::{Currency, Money, MoneyError};

/// A Ping++ charge, every field the protocol lists.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Charge {
    pub id: String,
    pub object: String,
    /// Unix seconds.
    pub created: i64,
    /// Which world the charge is from; read where present (Ping++ always sends it).
    #[serde(default)]
    pub livemode: Option<bool>,
    pub paid: bool,
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub app: String,
    pub channel: String,
    #[serde(deserialize_with = "lenient::integer_text")]
    pub order_no: String,
    #[serde(default)]
    pub client_ip: Option<String>,
    /// Fen.
    pub amount: i64,
    #[serde(default)]
    pub amount_settle: Option<i64>,
    /// Lowercase ISO 4217 (`cny`).
    pub currency: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub subject: String,
    #[serde(default, deserialize_with = "lenient::text")]
    pub body: String,
    #[serde(default)]
    pub extra: Map<String, Value>,
    #[serde(default)]
    pub time_paid: Option<i64>,
    #[serde(default)]
    pub time_expire: Option<i64>,
    #[serde(default)]
    pub time_settle: Option<i64>,
    #[serde(default)]
    pub transaction_no: Option<String>,
    #[serde(default)]
    pub refunds: RefundList,
    #[serde(default)]
    pub amount_refunded: i64,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_msg: Option<String>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
    #[serde(default)]
    pub credential: Credential,
    #[serde(default)]
    pub description: Option<String>,
}

/// Ping++'s list object; refunds are kept as the gateway wrote them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct RefundList {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub data: Vec<Value>,
}

/// `{"object": "credential", "<channel>": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Credential {
    #[serde(default)]
    pub object: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alipay: Option<AlipayCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wx: Option<WxCredential>,
    /// Entries for other channels (`alipay_qr`, `wx_pub_qr`, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AlipayCredential {
    /// The signed string the Alipay mobile SDK takes.
    #[serde(rename = "orderInfo")]
    pub order_info: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WxCredential {
    pub app_id: String,
    #[serde(deserialize_with = "lenient::text")]
    pub partner_id: String,
    pub prepay_id: String,
    pub nonce_str: String,
    /// Unix seconds; Ping++ writes a number, some backends a string.
    #[serde(deserialize_with = "lenient::text")]
    pub time_stamp: String,
    pub package_value: String,
    pub sign: String,
}

impl Charge {
    /// Reads a charge and checks what the outcome rests on.
    pub fn from_value(value: &Value) -> Result<Charge, String> {
        let charge = Charge::deserialize(value).map_err(|e| e.to_string())?;
        if charge.object != "charge" {
            return Err(format!("object is {:?}, not \"charge\"", charge.object));
        }
        if charge.id.strip_prefix("ch_").is_none_or(str::is_empty) {
            return Err(format!("id {:?} is not a charge id", charge.id));
        }
        if charge.amount < 0 {
            return Err(format!("amount {} is negative", charge.amount));
        }
        charge.money().map_err(|e| e.to_string())?;
        Ok(charge)
    }

    /// The charged amount, exactly.
    pub fn money(&self) -> Result<Money, MoneyError> {
        Ok(Money::from_minor(
            self.amount,
            Currency::parse(&self.currency)?,
        ))
    }

    /// The first URL the payer could open: the charge's own channel entry, then the others.
    pub fn pay_url(&self) -> Option<String> {
        // `alipay` and `wx` are typed fields and carry no URL; `other` holds every other entry.
        let others = &self.credential.other;
        let rest = others
            .iter()
            .filter(|(k, _)| **k != self.channel)
            .map(|(_, v)| v);
        others
            .get(&self.channel)
            .into_iter()
            .chain(rest)
            .filter_map(Value::as_str)
            .find(|s| is_url(s))
            .map(|s| s.trim().to_string())
    }
}

fn is_url(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    ["http://", "https://", "weixin://", "alipays://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

#[derive(Deserialize)]
struct Envelope {
    status: i64,
    #[serde(default)]
    message: Option<String>,
    /// The charge as Ping++ wrote it, where it is an object.
    #[serde(default, deserialize_with = "lenient::or_none")]
    ch: Option<Kept<Object<IgnoredAny>>>,
}

#[derive(Deserialize)]
struct DrfDetail {
    detail: String,
}

/// DRF's default code for an exception answered with `{"detail"}`, by HTTP status.
pub(super) fn drf_code(status: u16, detail: &str) -> String {
    match status {
        400 => "parse_error".into(),
        401 if detail == DRF_NOT_PROVIDED => "not_authenticated".into(),
        401 => "authentication_failed".into(),
        403 => "permission_denied".into(),
        404 => "not_found".into(),
        405 => "method_not_allowed".into(),
        406 => "not_acceptable".into(),
        415 => "unsupported_media_type".into(),
        429 => "throttled".into(),
        other => format!("HTTP_{other}"),
    }
}

/// DRF raises these before the view runs: nothing happened.
pub(super) fn drf_retry(status: u16) -> RetryClass {
    match status {
        400 | 401 | 403 | 404 | 405 | 406 | 415 => RetryClass::Not,
        429 => RetryClass::Safe,
        _ => RetryClass::Unknown,
    }
}

/// The class of a pay refusal (`status != 0`).
pub(super) fn pay_retry(message: &str) -> RetryClass {
    match message {
        MSG_PAY_REQUEST_FAILED => RetryClass::Safe,
        _ => RetryClass::Not,
    }
}

fn unreadable(status: http::StatusCode, why: impl std::fmt::Display) -> PayOutcome {
    answer::unknown(
        answer::http_code(status),
        format!("HTTP {status} without a readable answer: {why}"),
    )
}

/// Where a charge stands, as its `paid` and `failure_code` say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeState {
    Paid,
    /// Unpaid with a `failure_code`: nothing was charged.
    Failed {
        code: String,
        message: String,
    },
    /// Unpaid: the payer must still act through the credential.
    AwaitingPayer,
}

impl Charge {
    pub fn state(&self) -> ChargeState {
        if self.paid {
            return ChargeState::Paid;
        }
        match self.failure_code.clone().filter(|c| !c.is_empty()) {
            Some(code) => ChargeState::Failed {
                message: self.failure_msg.clone().unwrap_or_else(|| code.clone()),
                code,
            },
            None => ChargeState::AwaitingPayer,
        }
    }
}

/// The outcome a charge stands for.
pub(super) fn charge_outcome(ch: Value, asked: Option<Asked<'_>>) -> PayOutcome {
    let charge = match Charge::from_value(&ch) {
        Ok(c) => c,
        Err(why) => {
            return answer::unknown(
                "MALFORMED_CHARGE",
                format!("the Ping++ charge is unreadable: {why}"),
            )
        }
    };
    // A charge names its order and channel: one for another is not this payment's, paid,
    // waiting or failed.
    if let Some(asked) = asked {
        let channel = super::channel_value(asked.channel).unwrap_or(asked.channel.as_str());
        let mut named = vec![
            Named {
                field: "order_no",
                sent: asked.order_no,
                answered: &charge.order_no,
            },
            Named {
                field: "channel",
                sent: channel,
                answered: &charge.channel,
            },
        ];
        if let Some(known) = asked.gateway_ref {
            named.push(Named {
                field: "id",
                sent: known,
                answered: &charge.id,
            });
        }
        if let Some(other) = answer::for_another_payment(&named) {
            return other;
        }
        if charge.livemode.is_some_and(|live| live != asked.live) {
            return answer::in_other_mode(asked.live);
        }
    }
    // Checked readable by `Charge::from_value`.
    let charged = charge.money().ok().map(Charged::Money);
    // The number the customer's Alipay or WeChat shows, once the channel gave one.
    let customer_ref = charge
        .transaction_no
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    match charge.state() {
        ChargeState::Paid => PayOutcome::Succeeded(Receipt {
            gateway_ref: Some(charge.id),
            pay_url: None,
            detail: Some(ch),
            charged,
            gateway_deduction: None,
            payable_until: None,
            customer_ref,
        }),
        ChargeState::Failed { code, message } => {
            PayOutcome::Failed(GatewayError::new(code, message, RetryClass::Safe))
        }
        ChargeState::AwaitingPayer => PayOutcome::Pending(Receipt {
            pay_url: charge.pay_url(),
            gateway_ref: Some(charge.id),
            detail: Some(ch),
            charged,
            gateway_deduction: None,
            payable_until: charge
                .time_expire
                .map(|seconds| seconds.saturating_mul(1000)),
            customer_ref,
        }),
    }
}

/// What an answer says, before pay and status read it differently.
pub(super) enum Answer {
    Charge(Value),
    Refused { status: i64, message: String },
    Drf { status: u16, detail: String },
    Unreadable(PayOutcome),
}

pub(super) fn read_answer(response: &http::Response<Vec<u8>>) -> Answer {
    let status = response.status();
    let body = response.body();
    if let Ok(envelope) = serde_json::from_slice::<Envelope>(body) {
        if envelope.status != 0 {
            return Answer::Refused {
                status: envelope.status,
                message: envelope.message.unwrap_or_default(),
            };
        }
        if !status.is_success() {
            return Answer::Unreadable(unreadable(status, "a success envelope on an error"));
        }
        return match envelope.ch {
            Some(Kept { raw, .. }) => Answer::Charge(raw),
            None => Answer::Unreadable(unreadable(status, "status 0 without a charge")),
        };
    }
    if !status.is_success() {
        if let Ok(drf) = serde_json::from_slice::<DrfDetail>(body) {
            return Answer::Drf {
                status: status.as_u16(),
                detail: drf.detail,
            };
        }
    }
    let why = match serde_json::from_slice::<Value>(body) {
        Ok(_) => "neither a status envelope nor a DRF detail".to_string(),
        Err(e) => e.to_string(),
    };
    Answer::Unreadable(unreadable(status, why))
}
