//! 益安 (yian): a Django REST Framework backend in front of Ping++,
//! `PUT {base}/pay/pay_for_order/`.
//!
//! Wire format:
//! - Auth is DRF TokenAuthentication, `Authorization: Token <key>`; the key (profile secret
//!   `token`) is 40 hex characters, and anything else is refused before sending. A missing or
//!   bad token answers HTTP 401 with `WWW-Authenticate: Token` and `{"detail": "..."}`; the
//!   detail is surfaced as the error message, under DRF's own error codes (`not_authenticated`
//!   for "Authentication credentials were not provided.", `authentication_failed` otherwise).
//! - The body is form-encoded: `order_no` (always a string: the seed's 12134676899915430002 does
//!   not fit in 64 signed bits) and `channel`, `alipay` ([`Channel::Alipay`]) or `wx`
//!   ([`Channel::Wechat`]). No vouchers, coupons or credit splits: those are refused before
//!   sending rather than silently dropped.
//! - Success is `{"status": 0, "message": "", "ch": <Ping++ charge>}`. The charge is read in
//!   full into [`Charge`]; `gateway_ref` is the charge id and `Receipt.detail` keeps the charge
//!   JSON as received. `paid: true` is Succeeded, `paid: false` Pending (the payer must still
//!   act through the credential), and an unpaid charge carrying a `failure_code` is Failed
//!   (`Safe`: nothing was charged), with Ping++'s `failure_code` and `failure_msg`.
//! - Errors are `{"status": -4, "message": "..."}`, surfaced with the gateway's own message.
//!
//! Decisions ([ours]; the emulator implements the same ones):
//! - A non-zero `status` is a refusal: no charge came back, so no credential reached the payer
//!   and nothing can have been paid. Retry classes: `支付请求失败` (the backend's call to Ping++
//!   failed; a later attempt is fine) is `Safe`; `无效的支付通道` and every other message is
//!   `Not`. The emulator's own messages are `订单不存在` (unknown order), `订单号不能为空` (no
//!   order number), `订单已支付` (paid without a charge it knows) and `订单已使用其他支付通道`
//!   (a charge for the order exists on the other channel); a bad order amount or currency is
//!   Ping++ refusing the charge, so it answers the documented `支付请求失败`.
//! - The -4 answers come with HTTP 200; the body's `status` is what is read, whatever the
//!   HTTP status. A success needs a 2xx.
//! - DRF `{"detail"}` errors: 400/401/403/404/405/406/415 are refused before the view runs
//!   (`Not`), 429 throttled is `Safe`, anything else (5xx) leaves the fate `Unknown`.
//! - No idempotency key exists. The emulator keeps one charge per order: a repeat on the same
//!   channel returns that charge as it now stands (unpaid or paid), never a second one; a
//!   repeat on the other channel is refused with `订单已使用其他支付通道`.
//! - `pay_url` is the first URL (http, https, weixin, alipays) found in the credential: the
//!   charge's own channel entry first, then any other entry. A real `alipay` credential carries
//!   only the SDK's signed `orderInfo` and a `wx` one only the SDK's fields, so neither has a
//!   URL; the emulator adds `alipay_qr` (Ping++'s own QR credential key, a URL string) next to
//!   `alipay.orderInfo`, pointing at its cashier page. `pay_url` is set only while pending.
//! - Status: `GET {base}/pay/charge/{order_no}/` (emulator-only) answers the same envelope.
//!   A 404, 405 or 501 there means the deployment has no status endpoint: Unknown
//!   (`NO_STATUS_ENDPOINT`), and the attempt waits for a person. `订单不存在` (no such order) and
//!   `未找到支付记录` (no charge was ever made for the order) are NoSuchPayment (`Safe`):
//!   believable for a pay request whose answer was lost, a contradiction for a person once a
//!   charge came back; any other refusal settles nothing (Unknown).
//! - Lenient where nothing rides on it: the charge's identity, state and money (`id` with the
//!   `ch_` prefix, `object: "charge"`, `created`, `paid`, `channel`, `order_no`, `amount`,
//!   `currency`) must be present; descriptive fields default when absent. `subject`, `body`
//!   and `order_no` are read as strings or JSON numbers (the seed's `subject` is `1`); a
//!   numeric `order_no` must be an exact integer.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::connector::*;
use crate::{Currency, Money, MoneyError, Secrets};

pub const ID: &str = "yian";

pub const PAY_PATH: &str = "/pay/pay_for_order/";

/// The documented messages of the `-4` answers (seed), and the emulator's own ([ours]).
pub const MSG_INVALID_CHANNEL: &str = "无效的支付通道";
pub const MSG_PAY_REQUEST_FAILED: &str = "支付请求失败";
pub const MSG_UNKNOWN_ORDER: &str = "订单不存在";
pub const MSG_NO_ORDER_NO: &str = "订单号不能为空";
pub const MSG_ALREADY_PAID: &str = "订单已支付";
pub const MSG_OTHER_CHANNEL: &str = "订单已使用其他支付通道";
pub const MSG_NO_CHARGE: &str = "未找到支付记录";

/// DRF's text when no `Authorization: Token` header came at all.
pub const DRF_NOT_PROVIDED: &str = "Authentication credentials were not provided.";

pub struct Yian;

fn channel_value(channel: Channel) -> Option<&'static str> {
    match channel {
        Channel::Alipay => Some("alipay"),
        Channel::Wechat => Some("wx"),
        _ => None,
    }
}

/// A Ping++ charge, every field the protocol lists.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Charge {
    pub id: String,
    pub object: String,
    /// Unix seconds.
    pub created: i64,
    #[serde(default)]
    pub livemode: bool,
    pub paid: bool,
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub app: String,
    pub channel: String,
    #[serde(deserialize_with = "integer_text")]
    pub order_no: String,
    #[serde(default)]
    pub client_ip: Option<String>,
    /// Fen.
    pub amount: i64,
    #[serde(default)]
    pub amount_settle: Option<i64>,
    /// Lowercase ISO 4217 (`cny`).
    pub currency: String,
    #[serde(default, deserialize_with = "text")]
    pub subject: String,
    #[serde(default, deserialize_with = "text")]
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
    #[serde(deserialize_with = "text")]
    pub partner_id: String,
    pub prepay_id: String,
    pub nonce_str: String,
    /// Unix seconds; Ping++ writes a number, some backends a string.
    #[serde(deserialize_with = "text")]
    pub time_stamp: String,
    pub package_value: String,
    pub sign: String,
}

/// A string, or a JSON number kept as its text.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}

/// A string, or a JSON integer read exactly (a float would have lost digits).
fn integer_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or an exact integer, got {other}"
        ))),
    }
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
    #[serde(default)]
    ch: Option<Value>,
}

#[derive(Deserialize)]
struct DrfDetail {
    detail: String,
}

/// DRF's default code for an exception answered with `{"detail"}`, by HTTP status.
fn drf_code(status: u16, detail: &str) -> String {
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
fn drf_retry(status: u16) -> RetryClass {
    match status {
        400 | 401 | 403 | 404 | 405 | 406 | 415 => RetryClass::Not,
        429 => RetryClass::Safe,
        _ => RetryClass::Unknown,
    }
}

/// The class of a pay refusal (`status != 0`).
fn pay_retry(message: &str) -> RetryClass {
    match message {
        MSG_PAY_REQUEST_FAILED => RetryClass::Safe,
        _ => RetryClass::Not,
    }
}

fn unreadable(status: http::StatusCode, why: impl std::fmt::Display) -> PayOutcome {
    PayOutcome::Unknown(GatewayError::new(
        format!("HTTP_{}", status.as_u16()),
        format!("HTTP {status} without a readable answer: {why}"),
        RetryClass::Unknown,
    ))
}

/// The outcome a charge stands for.
fn charge_outcome(ch: Value) -> PayOutcome {
    let charge = match Charge::from_value(&ch) {
        Ok(c) => c,
        Err(why) => {
            return PayOutcome::Unknown(GatewayError::new(
                "MALFORMED_CHARGE",
                format!("the Ping++ charge is unreadable: {why}"),
                RetryClass::Unknown,
            ))
        }
    };
    // Checked readable by `Charge::from_value`.
    let charged = charge.money().ok().map(Charged::Money);
    if charge.paid {
        return PayOutcome::Succeeded(Receipt {
            gateway_ref: Some(charge.id),
            pay_url: None,
            detail: Some(ch),
            charged,
            gateway_deduction: None,
        });
    }
    if let Some(code) = charge.failure_code.clone().filter(|c| !c.is_empty()) {
        let message = charge.failure_msg.clone().unwrap_or_else(|| code.clone());
        return PayOutcome::Failed(GatewayError::new(code, message, RetryClass::Safe));
    }
    PayOutcome::Pending(Receipt {
        pay_url: charge.pay_url(),
        gateway_ref: Some(charge.id),
        detail: Some(ch),
        charged,
        gateway_deduction: None,
    })
}

/// What an answer says, before pay and status read it differently.
enum Answer {
    Charge(Value),
    Refused { status: i64, message: String },
    Drf { status: u16, detail: String },
    Unreadable(PayOutcome),
}

fn read_answer(response: &http::Response<Vec<u8>>) -> Answer {
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
            Some(ch) if ch.is_object() => Answer::Charge(ch),
            _ => Answer::Unreadable(unreadable(status, "status 0 without a charge")),
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

impl Yian {
    fn token<'a>(&self, secrets: &'a Secrets) -> Result<&'a str, BuildError> {
        let token = secrets.require("token")?;
        if token.len() != 40 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BuildError::Invalid(
                "the yian token must be a DRF token key: 40 hexadecimal characters".into(),
            ));
        }
        Ok(token)
    }
}

impl Connector for Yian {
    fn id(&self) -> &'static str {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: vec![Channel::Alipay, Channel::Wechat],
            vouchers: false,
            coupon: false,
            credit_split: false,
            status_query: true,
            status_query_is_resend: false,
            idempotency_key: false,
            required_secrets: vec!["token".into()],
            optional_secrets: vec![],
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let channel = channel_value(request.channel)
            .ok_or(BuildError::UnsupportedChannel(request.channel.as_str()))?;
        let token = self.token(secrets)?;
        if request.order_no.is_empty() {
            return Err(BuildError::Invalid("order number is empty".into()));
        }
        if request.amount.currency != Currency::CNY {
            return Err(BuildError::Invalid(format!(
                "Ping++ charges in CNY; the order is in {}",
                request.amount.currency
            )));
        }
        if request.amount.minor <= 0 {
            return Err(BuildError::Invalid(format!(
                "the amount must be positive, got {}",
                request.amount
            )));
        }
        if !request.deductions.is_empty() {
            return Err(BuildError::Invalid("yian takes no vouchers".into()));
        }
        if request.coupon.is_some() {
            return Err(BuildError::Invalid("yian takes no coupons".into()));
        }
        if request.credit_amount.is_some() {
            return Err(BuildError::Invalid("yian has no credit split".into()));
        }
        let body = form_encode([
            ("order_no", request.order_no.as_str()),
            ("channel", channel),
        ]);
        http::Request::put(join_url(base_url, PAY_PATH)?)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header(
                "authorization",
                crate::secrets::secret_header(format!("Token {token}"))?,
            )
            .body(body.into_bytes())
            .map_err(|e| BuildError::Invalid(e.to_string()))
    }

    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        match read_answer(response) {
            Answer::Charge(ch) => charge_outcome(ch),
            Answer::Refused { status, message } => {
                let retry = pay_retry(&message);
                PayOutcome::Failed(GatewayError::new(status.to_string(), message, retry))
            }
            Answer::Drf { status, detail } => {
                let error = GatewayError::new(drf_code(status, &detail), detail, drf_retry(status));
                match error.retry {
                    RetryClass::Unknown => PayOutcome::Unknown(error),
                    _ => PayOutcome::Failed(error),
                }
            }
            Answer::Unreadable(outcome) => outcome,
        }
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        let built = (|| {
            let token = self.token(secrets)?;
            if query.order_no.is_empty() {
                return Err(BuildError::Invalid("order number is empty".into()));
            }
            let segment = escape(&query.order_no);
            http::Request::get(join_url(base_url, &format!("/pay/charge/{segment}/"))?)
                .header("accept", "application/json")
                .header(
                    "authorization",
                    crate::secrets::secret_header(format!("Token {token}"))?,
                )
                .body(Vec::new())
                .map_err(|e| BuildError::Invalid(e.to_string()))
        })();
        Some(built)
    }

    fn parse_status(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        if matches!(response.status().as_u16(), 404 | 405 | 501) {
            return PayOutcome::Unknown(GatewayError::new(
                "NO_STATUS_ENDPOINT",
                format!(
                    "HTTP {}: this yian deployment has no charge status endpoint; a person must confirm the payment",
                    response.status()
                ),
                RetryClass::Unknown,
            ));
        }
        match read_answer(response) {
            Answer::Charge(ch) => charge_outcome(ch),
            Answer::Refused { status, message } => {
                let code = status.to_string();
                match message.as_str() {
                    // Neither the order nor a charge for it: nothing was charged, if the
                    // request this answers for ever arrived.
                    MSG_UNKNOWN_ORDER | MSG_NO_CHARGE => PayOutcome::NoSuchPayment(
                        GatewayError::new(code, message, RetryClass::Safe),
                    ),
                    _ => PayOutcome::Unknown(GatewayError::new(code, message, RetryClass::Unknown)),
                }
            }
            Answer::Drf { status, detail } => PayOutcome::Unknown(GatewayError::new(
                drf_code(status, &detail),
                detail,
                RetryClass::Unknown,
            )),
            Answer::Unreadable(outcome) => outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The seed's example answer, verbatim (its `¬ify_url` is the document's own mangling of
    /// `&notify_url`).
    const SEED_ANSWER: &str = r#"{"status": 0,"message": "","ch": {"order_no": "12134676899915430002","extra": {},"app": "app_GuHu9Of9KaTG5GiT","livemode": true,"currency": "cny","time_settle": null,"time_expire": 1466236251,"id": "ch_WrHW58Ki5unLCSuf54OuHKCS","subject": 1,"failure_msg": null,"channel": "alipay","metadata": {"order_id": 1,"buyer": "15201052252","names": "collection的使用","order_no": "12134676899915430002","courses": "1"},"body": "12134676899915430002","credential": {"alipay": {"orderInfo": "service=\"mobile.securitypay.pay\"&_input_charset=\"utf-8\"¬ify_url=\"https%3A%2F%2Fapi.pingxx.com%2Fnotify%2Fcharges%2Fch_WrHW58Ki5unLCSuf54OuHKCS\"&partner=\"2088021773101301\"&out_trade_no=\"12134676899915430002\"&subject=\"1\"&body=\"12134676899915430002\"&total_fee=\"99.00\"&payment_type=\"1\"&seller_id=\"2088021773101301\"&it_b_pay=\"2016-06-18 15:50:51\"&sign=\"jMPi1%2BktjpQbQloc%2F8SkKI0Lie705yZLgKD7SNuEUghhCZj7iTzLfoMXtmqSSvZ8XRWKDr%2FGrS7xLenBNsFlqeo%2BLKqCOYxFmtOZRHlNhFrhebowM9IiJGQvlXJWr6S9dwtmRmWl455DQfyO%2FP48Frny0vjTlI%2B7YRKPyyFZPx0%3D\"&sign_type=\"RSA\""},"object": "credential"},"client_ip": "127.0.0.1","description": null,"amount_refunded": 0,"refunded": false,"object": "charge","paid": false,"amount_settle": 9900,"time_paid": null,"failure_code": null,"refunds": {"url": "/v1/charges/ch_WrHW58Ki5unLCSuf54OuHKCS/refunds","has_more": false,"object": "list","data": []},"created": 1466149851,"transaction_no": null,"amount": 9900}}"#;

    const TOKEN: &str = "706a87288233ea2427cddb8a1bbce29369ac5073";
    const SEED_ORDER: &str = "12134676899915430002";

    fn request(order_no: &str, channel: Channel) -> PayRequest {
        PayRequest {
            order_no: order_no.into(),
            amount: Money::parse("99.00", Currency::CNY).unwrap(),
            subject: "collection的使用".into(),
            channel,
            idempotency_key: "k1".into(),
            deductions: vec![],
            settings: BTreeMap::new(),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
        }
    }

    fn query(order_no: &str) -> StatusQuery {
        StatusQuery {
            order_no: order_no.into(),
            amount: Money::parse("99.00", Currency::CNY).unwrap(),
            channel: Channel::Alipay,
            idempotency_key: "k1".into(),
            gateway_ref: Some("ch_WrHW58Ki5unLCSuf54OuHKCS".into()),
            settings: BTreeMap::new(),
            attributes: BTreeMap::new(),
            credit_amount: None,
        }
    }

    fn secrets() -> Secrets {
        Secrets::new().with("token", TOKEN)
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    /// The seed's answer with the charge edited by `edit`.
    fn seed_with(edit: impl FnOnce(&mut Value)) -> String {
        let mut answer: Value = serde_json::from_str(SEED_ANSWER).unwrap();
        edit(&mut answer["ch"]);
        answer.to_string()
    }

    fn failed(outcome: PayOutcome) -> GatewayError {
        match outcome {
            PayOutcome::Failed(e) => e,
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    fn unknown(outcome: PayOutcome) -> GatewayError {
        match outcome {
            PayOutcome::Unknown(e) => e,
            other => panic!("expected Unknown, got {other:?}"),
        }
    }

    #[test]
    fn builds_a_token_authenticated_form_put_with_the_order_number_as_text() {
        let req = Yian
            .build_pay(
                "http://127.0.0.1:8000/",
                &request(SEED_ORDER, Channel::Alipay),
                &secrets(),
            )
            .unwrap();
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:8000/pay/pay_for_order/"
        );
        assert_eq!(req.headers()["authorization"], format!("Token {TOKEN}"));
        assert_eq!(
            req.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            "order_no=12134676899915430002&channel=alipay"
        );
        let wx = Yian
            .build_pay(
                "http://x/yian",
                &request(SEED_ORDER, Channel::Wechat),
                &secrets(),
            )
            .unwrap();
        assert_eq!(wx.uri().to_string(), "http://x/yian/pay/pay_for_order/");
        assert_eq!(
            std::str::from_utf8(wx.body()).unwrap(),
            "order_no=12134676899915430002&channel=wx"
        );
    }

    #[test]
    fn escapes_form_delimiters_and_non_ascii_in_the_order_number() {
        let req = Yian
            .build_pay(
                "http://x",
                &request("A&channel=wx +=%/单", Channel::Alipay),
                &secrets(),
            )
            .unwrap();
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            "order_no=A%26channel%3Dwx%20%2B%3D%25%2F%E5%8D%95&channel=alipay"
        );
    }

    #[test]
    fn offers_alipay_and_wechat_only() {
        let caps = Yian.capabilities();
        assert_eq!(caps.channels, vec![Channel::Alipay, Channel::Wechat]);
        assert!(caps.status_query);
        assert!(!caps.idempotency_key && !caps.vouchers && !caps.coupon && !caps.credit_split);
        assert_eq!(caps.required_secrets, vec!["token".to_string()]);
        for channel in Channel::ALL {
            let built = Yian.build_pay("http://x", &request("1", channel), &secrets());
            match channel {
                Channel::Alipay | Channel::Wechat => assert!(built.is_ok(), "{channel:?}"),
                _ => assert_eq!(
                    built.unwrap_err(),
                    BuildError::UnsupportedChannel(channel.as_str())
                ),
            }
        }
    }

    #[test]
    fn refuses_a_missing_or_malformed_token_without_showing_it() {
        let req = request("1", Channel::Alipay);
        assert_eq!(
            Yian.build_pay("http://x", &req, &Secrets::new())
                .unwrap_err(),
            BuildError::MissingSecret("token".into())
        );
        for bad in [
            "too-short",
            "706a87288233ea2427cddb8a1bbce29369ac507",
            "706a87288233ea2427cddb8a1bbce29369ac50733",
            "706a87288233ea2427cddb8a1bbce29369ac507g",
            "706a87288233ea2427cddb8a1bbce29369ac507 ",
        ] {
            let err = Yian
                .build_pay("http://x", &req, &Secrets::new().with("token", bad))
                .unwrap_err();
            assert!(matches!(err, BuildError::Invalid(_)), "{bad}");
            assert!(!err.to_string().contains(bad.trim()), "{err}");
        }
        let upper = TOKEN.to_ascii_uppercase();
        assert!(Yian
            .build_pay("http://x", &req, &Secrets::new().with("token", upper))
            .is_ok());
    }

    #[test]
    fn refuses_what_the_form_cannot_carry() {
        let mut zero = request("1", Channel::Alipay);
        zero.amount = Money::from_minor(0, Currency::CNY);
        let mut usd = request("1", Channel::Alipay);
        usd.amount = Money::parse("1.00", Currency::parse("USD").unwrap()).unwrap();
        let mut voucher = request("1", Channel::Alipay);
        voucher.deductions.push(Deduction {
            id: "v1".into(),
            amount: Money::from_minor(1, Currency::CNY),
        });
        let mut coupon = request("1", Channel::Alipay);
        coupon.coupon = Some("c1".into());
        let mut credit = request("1", Channel::Alipay);
        credit.credit_amount = Some(Money::from_minor(1, Currency::CNY));
        let empty = request("", Channel::Alipay);
        for req in [zero, usd, voucher, coupon, credit, empty] {
            assert!(
                matches!(
                    Yian.build_pay("http://x", &req, &secrets()),
                    Err(BuildError::Invalid(_))
                ),
                "{req:?}"
            );
        }
        assert!(matches!(
            Yian.build_pay("ftp://x", &request("1", Channel::Alipay), &secrets()),
            Err(BuildError::BadBaseUrl(_))
        ));
    }

    #[test]
    fn reads_the_seed_answer_in_full() {
        let outcome = Yian.parse_pay(&response(200, SEED_ANSWER));
        let PayOutcome::Pending(receipt) = outcome else {
            panic!("an unpaid charge is pending: {outcome:?}");
        };
        assert_eq!(
            receipt.gateway_ref.as_deref(),
            Some("ch_WrHW58Ki5unLCSuf54OuHKCS")
        );
        assert_eq!(receipt.pay_url, None, "orderInfo is for the SDK, not a URL");
        assert_eq!(
            receipt.charged,
            Some(Charged::Money(Money::from_minor(9900, Currency::CNY)))
        );
        let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
        assert_eq!(receipt.detail.as_ref(), Some(&seed["ch"]));

        let ch = Charge::from_value(&seed["ch"]).unwrap();
        assert_eq!(ch.id, "ch_WrHW58Ki5unLCSuf54OuHKCS");
        assert_eq!(ch.object, "charge");
        assert_eq!(ch.created, 1466149851);
        assert!(ch.livemode);
        assert!(!ch.paid);
        assert!(!ch.refunded);
        assert_eq!(ch.app, "app_GuHu9Of9KaTG5GiT");
        assert_eq!(ch.channel, "alipay");
        assert_eq!(ch.order_no, SEED_ORDER);
        assert_eq!(ch.client_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(ch.amount, 9900);
        assert_eq!(
            ch.money().unwrap(),
            Money::parse("99.00", Currency::CNY).unwrap()
        );
        assert_eq!(ch.amount_settle, Some(9900));
        assert_eq!(ch.currency, "cny");
        assert_eq!(ch.subject, "1", "the seed's subject is the number 1");
        assert_eq!(ch.body, SEED_ORDER);
        assert!(ch.extra.is_empty());
        assert_eq!(ch.time_paid, None);
        assert_eq!(ch.time_expire, Some(1466236251));
        assert_eq!(ch.time_settle, None);
        assert_eq!(ch.transaction_no, None);
        assert_eq!(
            ch.refunds,
            RefundList {
                object: "list".into(),
                url: "/v1/charges/ch_WrHW58Ki5unLCSuf54OuHKCS/refunds".into(),
                has_more: false,
                data: vec![],
            }
        );
        assert_eq!(ch.amount_refunded, 0);
        assert_eq!(ch.failure_code, None);
        assert_eq!(ch.failure_msg, None);
        assert_eq!(ch.metadata["order_id"], 1);
        assert_eq!(ch.metadata["names"], "collection的使用");
        assert_eq!(ch.metadata["order_no"], SEED_ORDER);
        assert_eq!(ch.description, None);
        assert_eq!(ch.credential.object, "credential");
        assert!(ch.credential.wx.is_none());
        assert!(ch.credential.other.is_empty());
        let info = &ch.credential.alipay.as_ref().unwrap().order_info;
        assert!(info.starts_with("service=\"mobile.securitypay.pay\""));
        assert!(info.contains("&out_trade_no=\"12134676899915430002\"&"));
        assert!(info.contains("&total_fee=\"99.00\"&"));
        assert!(info.ends_with("&sign_type=\"RSA\""));
    }

    #[test]
    fn a_paid_charge_succeeds_and_a_failed_one_fails() {
        let paid = seed_with(|ch| {
            ch["paid"] = true.into();
            ch["time_paid"] = 1466150000.into();
            ch["transaction_no"] = "2016061721001004400288787881".into();
        });
        let outcome = Yian.parse_pay(&response(200, &paid));
        assert!(
            matches!(outcome, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("ch_WrHW58Ki5unLCSuf54OuHKCS") && r.pay_url.is_none()),
            "{outcome:?}"
        );
        let failed_charge = seed_with(|ch| {
            ch["failure_code"] = "channel_returns_fail".into();
            ch["failure_msg"] = "支付宝返回失败".into();
        });
        let error = failed(Yian.parse_pay(&response(200, &failed_charge)));
        assert_eq!(error.code, "channel_returns_fail");
        assert_eq!(error.message, "支付宝返回失败");
        assert_eq!(error.retry, RetryClass::Safe);
    }

    #[test]
    fn reads_a_wx_credential_with_either_timestamp_form() {
        for stamp in [json_number(1466149851), Value::from("1466149851")] {
            let body = seed_with(|ch| {
                ch["channel"] = "wx".into();
                ch["credential"] = serde_json::json!({
                    "object": "credential",
                    "wx": {
                        "appId": "wxd930ea5d5a258f4f",
                        "partnerId": 10000100,
                        "prepayId": "wx201606171550515a4dbe3f9c1e4b7d8a",
                        "nonceStr": "ibuaiVcKdpRxkhJA",
                        "timeStamp": stamp,
                        "packageValue": "Sign=WXPay",
                        "sign": "9A0A8659F005D6984697E2CA0A9CF3B7"
                    }
                });
            });
            let seed: Value = serde_json::from_str(&body).unwrap();
            let ch = Charge::from_value(&seed["ch"]).unwrap();
            assert_eq!(
                ch.credential.wx,
                Some(WxCredential {
                    app_id: "wxd930ea5d5a258f4f".into(),
                    partner_id: "10000100".into(),
                    prepay_id: "wx201606171550515a4dbe3f9c1e4b7d8a".into(),
                    nonce_str: "ibuaiVcKdpRxkhJA".into(),
                    time_stamp: "1466149851".into(),
                    package_value: "Sign=WXPay".into(),
                    sign: "9A0A8659F005D6984697E2CA0A9CF3B7".into(),
                })
            );
            let outcome = Yian.parse_pay(&response(200, &body));
            assert!(
                matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.is_none()),
                "{outcome:?}"
            );
        }
        let incomplete = seed_with(|ch| {
            ch["credential"] = serde_json::json!({"object": "credential", "wx": {"appId": "wx1"}});
        });
        unknown(Yian.parse_pay(&response(200, &incomplete)));
    }

    fn json_number(n: i64) -> Value {
        Value::from(n)
    }

    #[test]
    fn a_url_in_the_credential_becomes_the_pay_url() {
        let with_qr = seed_with(|ch| {
            ch["credential"]["alipay_qr"] = "http://127.0.0.1:9/yian/pay/cashier/ch_1/".into();
        });
        let outcome = Yian.parse_pay(&response(200, &with_qr));
        assert!(
            matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("http://127.0.0.1:9/yian/pay/cashier/ch_1/")),
            "{outcome:?}"
        );
        // The charge's own channel entry wins over other entries.
        let own = seed_with(|ch| {
            ch["channel"] = "wx_pub_qr".into();
            ch["credential"] = serde_json::json!({
                "object": "credential",
                "alipay_qr": "https://qr.alipay.com/other",
                "wx_pub_qr": "weixin://wxpay/bizpayurl?pr=abc"
            });
        });
        let outcome = Yian.parse_pay(&response(200, &own));
        assert!(
            matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("weixin://wxpay/bizpayurl?pr=abc")),
            "{outcome:?}"
        );
        let not_url = seed_with(|ch| {
            ch["credential"]["alipay_qr"] = "ftp://x".into();
            ch["credential"]["note"] = "http://".into();
        });
        let outcome = Yian.parse_pay(&response(200, &not_url));
        assert!(
            matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.is_none()),
            "{outcome:?}"
        );
    }

    #[test]
    fn reads_both_documented_refusals_with_their_classes() {
        let error = failed(Yian.parse_pay(&response(
            200,
            r#"{"status":-4,"message":"无效的支付通道"}"#,
        )));
        assert_eq!(
            error,
            GatewayError::new("-4", MSG_INVALID_CHANNEL, RetryClass::Not)
        );
        let error =
            failed(Yian.parse_pay(&response(200, r#"{"status":-4,"message":"支付请求失败"}"#)));
        assert_eq!(
            error,
            GatewayError::new("-4", MSG_PAY_REQUEST_FAILED, RetryClass::Safe)
        );
    }

    #[test]
    fn reads_the_emulator_refusals_and_unlisted_codes_as_not_retryable() {
        for message in [
            MSG_UNKNOWN_ORDER,
            MSG_NO_ORDER_NO,
            MSG_ALREADY_PAID,
            MSG_OTHER_CHANNEL,
            "something new",
        ] {
            let body = serde_json::json!({"status": -4, "message": message}).to_string();
            assert_eq!(
                failed(Yian.parse_pay(&response(200, &body))),
                GatewayError::new("-4", message, RetryClass::Not)
            );
        }
        let error = failed(Yian.parse_pay(&response(400, r#"{"status":-1}"#)));
        assert_eq!(error, GatewayError::new("-1", "", RetryClass::Not));
    }

    #[test]
    fn reads_drf_errors_by_status() {
        let table = [
            (401, DRF_NOT_PROVIDED, "not_authenticated", RetryClass::Not),
            (
                401,
                "Invalid token.",
                "authentication_failed",
                RetryClass::Not,
            ),
            (
                401,
                "Invalid token header. No credentials provided.",
                "authentication_failed",
                RetryClass::Not,
            ),
            (
                403,
                "You do not have permission to perform this action.",
                "permission_denied",
                RetryClass::Not,
            ),
            (404, "Not found.", "not_found", RetryClass::Not),
            (
                405,
                "Method \"POST\" not allowed.",
                "method_not_allowed",
                RetryClass::Not,
            ),
            (
                415,
                "Unsupported media type \"text/plain\" in request.",
                "unsupported_media_type",
                RetryClass::Not,
            ),
            (400, "JSON parse error - x", "parse_error", RetryClass::Not),
            (
                429,
                "Request was throttled. Expected available in 3 seconds.",
                "throttled",
                RetryClass::Safe,
            ),
            (
                500,
                "A server error occurred.",
                "HTTP_500",
                RetryClass::Unknown,
            ),
            (503, "Service unavailable", "HTTP_503", RetryClass::Unknown),
        ];
        for (status, detail, code, retry) in table {
            let body = serde_json::json!({ "detail": detail }).to_string();
            let outcome = Yian.parse_pay(&response(status, &body));
            let error = match (retry, outcome) {
                (RetryClass::Unknown, PayOutcome::Unknown(e)) => e,
                (RetryClass::Not | RetryClass::Safe, PayOutcome::Failed(e)) => e,
                (_, other) => panic!("{status} {detail}: {other:?}"),
            };
            assert_eq!(error, GatewayError::new(code, detail, retry));
        }
    }

    #[test]
    fn an_unreadable_answer_is_unknown_never_failed() {
        let cases = [
            (200, "not json".to_string()),
            (200, "".to_string()),
            (200, "{}".to_string()),
            (200, r#"{"detail":"Invalid token."}"#.to_string()),
            (200, r#"{"status":0,"message":""}"#.to_string()),
            (200, r#"{"status":0,"message":"","ch":null}"#.to_string()),
            (500, SEED_ANSWER.to_string()),
            (502, "<html>bad gateway</html>".to_string()),
            (404, "<h1>Not Found</h1>".to_string()),
            (401, "".to_string()),
            (500, "".to_string()),
            (200, seed_with(|ch| ch["amount"] = serde_json::json!(99.0))),
            (200, seed_with(|ch| ch["amount"] = "9900".into())),
            (200, seed_with(|ch| ch["amount"] = (-1).into())),
            (200, seed_with(|ch| ch["object"] = "refund".into())),
            (200, seed_with(|ch| ch["id"] = "re_1".into())),
            (200, seed_with(|ch| ch["id"] = "ch_".into())),
            (200, seed_with(|ch| ch["currency"] = "xyz".into())),
            (200, seed_with(|ch| ch["paid"] = "false".into())),
            (
                200,
                seed_with(|ch| {
                    ch.as_object_mut().unwrap().remove("order_no");
                }),
            ),
            (
                200,
                seed_with(|ch| {
                    ch.as_object_mut().unwrap().remove("paid");
                }),
            ),
            (
                200,
                seed_with(|ch| ch["order_no"] = serde_json::json!(1.5e20)),
            ),
            (200, seed_with(|ch| ch["subject"] = serde_json::json!([1]))),
        ];
        for (status, body) in cases {
            unknown(Yian.parse_pay(&response(status, &body)));
        }
    }

    #[test]
    fn reads_a_numeric_order_number_exactly() {
        let body = SEED_ANSWER.replacen(
            r#""order_no": "12134676899915430002","extra""#,
            r#""order_no": 12134676899915430002,"extra""#,
            1,
        );
        assert_ne!(body, SEED_ANSWER);
        let seed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            Charge::from_value(&seed["ch"]).unwrap().order_no,
            SEED_ORDER
        );
    }

    #[test]
    fn lenient_on_descriptive_fields() {
        let minimal = serde_json::json!({"status": 0, "message": "", "ch": {
            "id": "ch_a", "object": "charge", "created": 1, "paid": false,
            "channel": "alipay", "order_no": "o1", "amount": 1, "currency": "cny",
            "subject": null
        }});
        let outcome = Yian.parse_pay(&response(200, &minimal.to_string()));
        assert!(matches!(outcome, PayOutcome::Pending(_)), "{outcome:?}");
    }

    #[test]
    fn builds_a_status_get_with_one_encoded_segment() {
        let req = Yian
            .build_status("http://x/yian", &query(SEED_ORDER), &secrets())
            .unwrap()
            .unwrap();
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(
            req.uri().to_string(),
            "http://x/yian/pay/charge/12134676899915430002/"
        );
        assert_eq!(req.headers()["authorization"], format!("Token {TOKEN}"));
        assert!(req.body().is_empty());
        let odd = Yian
            .build_status("http://x", &query("a/b?c#d 单"), &secrets())
            .unwrap()
            .unwrap();
        assert_eq!(
            odd.uri().to_string(),
            "http://x/pay/charge/a%2Fb%3Fc%23d%20%E5%8D%95/"
        );
        assert_eq!(
            Yian.build_status("http://x", &query("1"), &Secrets::new())
                .unwrap()
                .unwrap_err(),
            BuildError::MissingSecret("token".into())
        );
    }

    #[test]
    fn reads_status_answers() {
        let paid = seed_with(|ch| ch["paid"] = true.into());
        assert!(matches!(
            Yian.parse_status(&response(200, &paid)),
            PayOutcome::Succeeded(_)
        ));
        assert!(matches!(
            Yian.parse_status(&response(200, SEED_ANSWER)),
            PayOutcome::Pending(_)
        ));
        assert_eq!(
            Yian.parse_status(&response(200, r#"{"status":-4,"message":"订单不存在"}"#)),
            PayOutcome::NoSuchPayment(GatewayError::new("-4", MSG_UNKNOWN_ORDER, RetryClass::Safe))
        );
        let no_charge = Yian.parse_status(&response(
            200,
            r#"{"status":-4,"message":"未找到支付记录"}"#,
        ));
        assert_eq!(
            no_charge,
            PayOutcome::NoSuchPayment(GatewayError::new("-4", MSG_NO_CHARGE, RetryClass::Safe))
        );
        let error =
            unknown(Yian.parse_status(&response(200, r#"{"status":-4,"message":"支付请求失败"}"#)));
        assert_eq!(error.message, MSG_PAY_REQUEST_FAILED);
        let error = unknown(Yian.parse_status(&response(401, r#"{"detail":"Invalid token."}"#)));
        assert_eq!(error.code, "authentication_failed");
        assert_eq!(error.message, "Invalid token.");
    }

    #[test]
    fn a_missing_status_endpoint_is_unknown_not_failed() {
        for (status, body) in [
            (404, r#"{"detail":"Not found."}"#),
            (404, "<h1>Not Found</h1>"),
            (404, ""),
            (405, r#"{"detail":"Method \"GET\" not allowed."}"#),
            (501, ""),
        ] {
            let error = unknown(Yian.parse_status(&response(status, body)));
            assert_eq!(error.code, "NO_STATUS_ENDPOINT", "{status} {body}");
        }
        for (status, body) in [(200, "nope"), (500, ""), (200, r#"{"status":0}"#)] {
            unknown(Yian.parse_status(&response(status, body)));
        }
    }

    #[test]
    fn a_charge_serializes_back_with_its_credential_entries() {
        let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
        let ch = Charge::from_value(&seed["ch"]).unwrap();
        let again = serde_json::to_value(&ch).unwrap();
        assert_eq!(
            again["credential"]["alipay"],
            seed["ch"]["credential"]["alipay"]
        );
        assert_eq!(Charge::from_value(&again).unwrap(), ch);
    }
}
