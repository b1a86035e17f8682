//! The partner order-pay API: `POST {base}/app/partner/order/pay`.
//!
//! A partner (paydesk's merchant) buys a gift pack (`gift_pos_id`) for one of its users
//! (`user_id`), delivered to one of that user's addresses (`address_id`), paid from the user's
//! balance or by Alipay. The gateway creates its own order at pay time and answers with it.
//!
//! # Wire format
//!
//! Request parameters (seed): `user_id`, `pay_type` (`1` balance, `2` Alipay), `gift_pos_id`,
//! `coupon_id` (optional), `address_id` (int), `sign`. paydesk takes them from the order:
//!
//! | parameter | source | refusal before sending |
//! | --- | --- | --- |
//! | `user_id` | order attribute `user_id` | missing or blank |
//! | `gift_pos_id` | order attribute `gift_pos_id` | missing or blank |
//! | `address_id` | order attribute `address_id` | missing, or not a positive integer |
//! | `pay_type` | [`Channel::Balance`] → `1`, [`Channel::Alipay`] → `2` | any other channel |
//! | `coupon_id` | [`PayRequest::coupon`] | (omitted when absent or blank) |
//! | `sign` | profile secret `sign_key` | secret missing |
//!
//! The request carries no amount and no order number: the gateway prices the gift pack
//! itself. paydesk still refuses an order whose amount is not a positive CNY amount, voucher
//! deductions (the gateway takes one coupon id, nothing else) and a credit split.
//!
//! Answer: `{"code": 1, "errors": {}, "msg": "操作成功", "result": {"ali_pay_url": "...",
//! "order_info": {...}}}`. Success is `code: 1`, not 0. `order_info` is read completely into
//! [`OrderInfo`].
//!
//! # [ours] decisions (PROTOCOLS.md) and how they are implemented here
//!
//! - **Sign**: every non-empty parameter except `sign`, names sorted by byte order, joined
//!   `k1=v1&k2=v2`, then `&key=<sign_key>`, MD5 over the UTF-8 bytes, lowercase hex ([`sign`];
//!   the WeChat Pay v2 vector from PROTOCOLS.md is a unit test). Values are signed as sent,
//!   before form encoding.
//! - **Transport**: the body is `application/x-www-form-urlencoded` (the seed says "form/JSON";
//!   a form body makes what is signed byte-for-byte what is sent, with no question of whether
//!   `pay_type` travels as a JSON number or a string). Parameters are written in sorted order.
//! - **Outcome**: `order_status` 1 → [`PayOutcome::Succeeded`]; 0 → [`PayOutcome::Pending`] (an
//!   Alipay order whose `ali_pay_url` the payer must still open); any other status settles
//!   nothing → [`PayOutcome::Unknown`].
//! - **Receipt**: `gateway_ref` = `order_info.order_no` (the order number the partner shows its
//!   users and support staff; `order_info.id` when `order_no` is blank); `pay_url` =
//!   `ali_pay_url` when non-empty (shown as a QR code); `detail` = `order_info` as received.
//! - **Money**: `order_price` is the gift pack's price and `deduct_price` the coupon's
//!   deduction, both integer fen; the payer is charged `order_price - deduct_price`
//!   ([`OrderInfo::charged`]), which the receipt reports as `charged` with the coupon's
//!   deduction beside it. [ours, PROTOCOLS.md] `order_price` must equal the amount paydesk
//!   asked: another price (a wrong `gift_pos_id`, a price changed at the partner) is for a
//!   person, never a success. `*_time_stamp` fields are unix milliseconds.
//! - **Errors**: any `code` other than 1 is a refusal whose `msg` is shown; a non-empty
//!   `errors` object (field → message) is appended to it. Retry classes: `429` (rate limited)
//!   is [`RetryClass::Safe`]; `500`–`599` (a server fault, which may strike after the charge)
//!   is [`RetryClass::Unknown`]; every other code is [`RetryClass::Not`]. The sandbox answers
//!   `401` bad or missing sign, `422` invalid parameters (incl. `pay_type` other than 1/2),
//!   `404` unknown gift pack / address / coupon, `409` already paid, `0` coupon not usable on
//!   this order. Answers arrive with HTTP 200; a non-2xx answer is read only to keep its
//!   code and message: a 4xx carrying the envelope is a refusal as above, anything else
//!   (5xx, 3xx, an HTML page, no envelope) leaves the payment unknown.
//! - **No status call, no idempotency key**: the API documents neither, so
//!   [`Capabilities::status_query`] and [`Capabilities::idempotency_key`] are false. A pending
//!   Alipay attempt or an unknown attempt stays so until a person resolves it (the partner's
//!   back office shows the order under `gateway_ref`). A resend would create a second order
//!   at the gateway.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::connector::*;
use crate::{Currency, Money, Secrets};

pub const ID: &str = "partner";

/// The documented path of the pay call, below the profile's base URL.
pub const PAY_PATH: &str = "/app/partner/order/pay";

/// The secret the sign is keyed by.
pub const SIGN_KEY: &str = "sign_key";

/// `code` of a successful answer.
pub const SUCCESS_CODE: i64 = 1;

pub struct Partner;

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
fn pay_type(channel: Channel) -> Option<&'static str> {
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
    #[serde(deserialize_with = "text")]
    pub order_no: String,
    #[serde(deserialize_with = "text")]
    pub id: String,
    #[serde(deserialize_with = "integer")]
    pub order_status: i64,
    #[serde(deserialize_with = "integer")]
    pub pay_type: i64,
    /// The gift pack's price, fen.
    #[serde(deserialize_with = "integer")]
    pub order_price: i64,
    /// The coupon's deduction, fen.
    #[serde(deserialize_with = "integer")]
    pub deduct_price: i64,
    #[serde(deserialize_with = "text")]
    pub user_id: String,
    #[serde(deserialize_with = "text")]
    pub gift_pos_id: String,
    #[serde(default, deserialize_with = "text")]
    pub coupon_id: String,
    #[serde(default, deserialize_with = "integer")]
    pub order_type: i64,
    #[serde(default, deserialize_with = "integer")]
    pub order_score: i64,
    #[serde(default, deserialize_with = "text")]
    pub order_name: String,
    #[serde(default, deserialize_with = "text")]
    pub order_desc: String,
    #[serde(default, deserialize_with = "text")]
    pub gift_title: String,
    #[serde(default, deserialize_with = "text")]
    pub bill_no: String,
    #[serde(default, deserialize_with = "text")]
    pub third_order_no: String,
    #[serde(default, deserialize_with = "text")]
    pub order_time: String,
    #[serde(default, deserialize_with = "integer")]
    pub order_time_stamp: i64,
    #[serde(default, deserialize_with = "text")]
    pub order_pay_time: String,
    #[serde(default, deserialize_with = "integer")]
    pub order_pay_time_stamp: i64,
    #[serde(default, deserialize_with = "text")]
    pub user_phone: String,
    #[serde(default, deserialize_with = "text")]
    pub user_real_name: String,
    #[serde(default, deserialize_with = "text")]
    pub user_id_no: String,
    #[serde(default, deserialize_with = "text")]
    pub user_level_id: String,
    #[serde(default, deserialize_with = "text")]
    pub order_receieve_name: String,
    #[serde(default, deserialize_with = "text")]
    pub order_receieve_phone: String,
    #[serde(default, deserialize_with = "text")]
    pub order_receieve_address: String,
    #[serde(default, deserialize_with = "text")]
    pub receive_time: String,
    #[serde(default, deserialize_with = "text")]
    pub order_express_name: String,
    #[serde(default, deserialize_with = "text")]
    pub order_express_no: String,
    #[serde(default, deserialize_with = "text")]
    pub order_express_number: String,
    #[serde(default, deserialize_with = "text")]
    pub order_express_address: String,
    #[serde(default, deserialize_with = "text")]
    pub order_express_time: String,
    #[serde(default, deserialize_with = "integer")]
    pub order_express_time_stamp: i64,
    #[serde(default, deserialize_with = "text")]
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

/// A documented string field: a string, or `null` read as empty. A number is kept as its
/// text (a phone number written as a number loses nothing).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string, got {other}"
        ))),
    }
}

/// A documented int field: a JSON integer or a string of one. `300.0` is not an integer.
fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom(format!("{n} is not an int64"))),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not an integer"))),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// The answer's envelope: `code`, `msg`, `errors`, `result`.
struct Envelope {
    code: i64,
    msg: String,
    errors: Value,
    result: Value,
}

fn read_envelope(body: &[u8]) -> Option<Envelope> {
    let Value::Object(mut object) = serde_json::from_slice::<Value>(body).ok()? else {
        return None;
    };
    let code = match object.get("code")? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let msg = match object.get("msg") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    Some(Envelope {
        code,
        msg,
        errors: object.remove("errors").unwrap_or(Value::Null),
        result: object.remove("result").unwrap_or(Value::Null),
    })
}

/// `errors` as one line: `field: message; field: message`.
fn describe_errors(errors: &Value) -> String {
    let one = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    match errors {
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| format!("{k}: {}", one(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Array(items) if !items.is_empty() => one(errors),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn refusal(envelope: &Envelope) -> GatewayError {
    let details = describe_errors(&envelope.errors);
    let message = match (envelope.msg.is_empty(), details.is_empty()) {
        (false, false) => format!("{} ({details})", envelope.msg),
        (false, true) => envelope.msg.clone(),
        (true, false) => details,
        (true, true) => format!("the partner refused with code {}", envelope.code),
    };
    GatewayError::new(
        envelope.code.to_string(),
        message,
        retry_class(envelope.code),
    )
}

fn unknown(code: impl Into<String>, message: impl Into<String>) -> PayOutcome {
    PayOutcome::Unknown(GatewayError::new(code, message, RetryClass::Unknown))
}

fn read_success(envelope: Envelope) -> PayOutcome {
    let Some(raw) = envelope.result.get("order_info").filter(|v| v.is_object()) else {
        return unknown(
            "MALFORMED_RESPONSE",
            "code 1 without a result.order_info object",
        );
    };
    let info = match OrderInfo::from_value(raw) {
        Ok(info) => info,
        Err(e) => {
            return unknown(
                "MALFORMED_RESPONSE",
                format!("code 1 with an unreadable order_info: {e}"),
            )
        }
    };
    if info.order_price < 0 || info.deduct_price < 0 || info.deduct_price > info.order_price {
        return unknown(
            "MALFORMED_RESPONSE",
            format!(
                "code 1 with impossible prices: order_price {} fen, deduct_price {} fen",
                info.order_price, info.deduct_price
            ),
        );
    }
    let pay_url = match envelope.result.get("ali_pay_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) => Some(url.trim()).filter(|u| !u.is_empty()),
        Some(_) => {
            return unknown(
                "MALFORMED_RESPONSE",
                "code 1 with a result.ali_pay_url that is not a string",
            )
        }
    };
    let gateway_ref = [&info.order_no, &info.id]
        .into_iter()
        .map(|r| r.trim())
        .find(|r| !r.is_empty())
        .map(str::to_string);
    let receipt = Receipt {
        gateway_ref,
        pay_url: pay_url.map(str::to_string),
        detail: Some(raw.clone()),
        // [ours, PROTOCOLS.md] `order_price` must be the amount paydesk asked; the coupon's
        // `deduct_price` comes off it, and the payer is charged the difference.
        charged: Some(Charged::Money(info.charged())),
        gateway_deduction: Some(Money::from_minor(info.deduct_price, Currency::CNY)),
    };
    match info.order_status {
        1 => PayOutcome::Succeeded(receipt),
        0 => PayOutcome::Pending(receipt),
        other => unknown(
            format!("ORDER_STATUS_{other}"),
            format!(
                "order {} came back with order_status {other}, which says nothing about payment",
                receipt.gateway_ref.as_deref().unwrap_or("?")
            ),
        ),
    }
}

impl Partner {
    fn attribute<'a>(request: &'a PayRequest, name: &str) -> Result<&'a str, BuildError> {
        request
            .attributes
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| BuildError::Invalid(format!("missing order attribute {name:?}")))
    }
}

impl Connector for Partner {
    fn id(&self) -> &'static str {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: vec![Channel::Balance, Channel::Alipay],
            vouchers: false,
            coupon: true,
            credit_split: false,
            status_query: false,
            status_query_is_resend: false,
            idempotency_key: false,
            required_secrets: vec![SIGN_KEY.into()],
            optional_secrets: vec![],
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let pay_type = pay_type(request.channel)
            .ok_or(BuildError::UnsupportedChannel(request.channel.as_str()))?;
        let key = secrets.require(SIGN_KEY)?;
        if request.amount.currency != Currency::CNY {
            return Err(BuildError::Invalid(format!(
                "the partner prices in CNY fen, the order is in {}",
                request.amount.currency
            )));
        }
        if request.amount.minor <= 0 {
            return Err(BuildError::Invalid(format!(
                "the order amount must be positive, got {}",
                request.amount
            )));
        }
        if !request.deductions.is_empty() {
            return Err(BuildError::Invalid(
                "the partner takes one coupon id, not voucher deductions".into(),
            ));
        }
        if request.credit_amount.is_some() {
            return Err(BuildError::Invalid(
                "the partner has no credit split".into(),
            ));
        }
        let user_id = Self::attribute(request, "user_id")?;
        let gift_pos_id = Self::attribute(request, "gift_pos_id")?;
        let address_text = Self::attribute(request, "address_id")?;
        let address_id = address_text
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| address_text.parse::<i64>().ok())
            .flatten()
            .filter(|id| *id > 0)
            .ok_or_else(|| {
                BuildError::Invalid(format!(
                    "order attribute \"address_id\" must be a positive integer, got {address_text:?}"
                ))
            })?
            .to_string();
        let coupon_id = request
            .coupon
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());

        let mut params: Vec<(&str, &str)> = vec![
            ("address_id", &address_id),
            ("gift_pos_id", gift_pos_id),
            ("pay_type", pay_type),
            ("user_id", user_id),
        ];
        if let Some(coupon_id) = coupon_id {
            params.push(("coupon_id", coupon_id));
        }
        params.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let signature = sign(params.iter().copied(), key);
        params.push(("sign", &signature));
        let body = form_encode(params.iter().copied());

        let url = join_url(base_url, PAY_PATH)?;
        http::Request::post(url)
            .header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .header("accept", "application/json")
            .body(body.into_bytes())
            .map_err(|e| BuildError::Invalid(e.to_string()))
    }

    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        let status = response.status();
        let Some(envelope) = read_envelope(response.body()) else {
            return unknown(
                format!("HTTP_{}", status.as_u16()),
                format!("HTTP {status} without a readable partner answer"),
            );
        };
        if status.is_success() {
            if envelope.code == SUCCESS_CODE {
                return read_success(envelope);
            }
            let error = refusal(&envelope);
            return match error.retry {
                RetryClass::Unknown => PayOutcome::Unknown(error),
                _ => PayOutcome::Failed(error),
            };
        }
        if status.is_client_error() && envelope.code != SUCCESS_CODE {
            let error = refusal(&envelope);
            return match error.retry {
                RetryClass::Unknown => PayOutcome::Unknown(error),
                _ => PayOutcome::Failed(error),
            };
        }
        // A server fault or a redirect: whatever the body says, the request may have been
        // processed.
        let said = refusal(&envelope);
        unknown(said.code, format!("HTTP {status}: {}", said.message))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The seed's example answer, verbatim.
    const SEED_ANSWER: &str = r#"{ "code": 1, "errors": { }, "msg": "操作成功", "result": { "ali_pay_url": "", "order_info": { "order_no": "202201071757551641549475668", "gift_pos_id": "55fca782f55f406d94e2cecb23d0140b", "order_express_time_stamp": 0, "bill_no": "", "order_time": "2022-01-07 17:57:55", "order_name": "购买机器", "user_id_no": "", "gift_title": "拉卡拉大POS 1台装礼包 升V5", "order_status": 1, "coupon_id": "", "order_express_number": "", "user_phone": "18569557087", "pay_type": 1, "order_time_stamp": 1641549475356, "id": "fd85f86a959043878cf2c03d8c09f39f", "order_type": 1, "user_level_id": "", "order_express_name": "", "order_express_time": "", "order_receieve_phone": "18578229023", "receive_time": "", "order_price": 300, "order_desc": "", "order_express_address": "", "order_pay_time": "2022-01-07 17:57:55", "order_receieve_name": "刘德华", "platform_remark": "", "order_score": 0, "deduct_price": 0, "user_id": "41840909af844632885424fbc20cae79", "user_real_name": "张学友", "order_receieve_address": "湖南省长沙市德思勤城市广场b5栋", "third_order_no": "", "order_pay_time_stamp": 1641549475356, "order_express_no": "" } } }"#;

    const USER: &str = "41840909af844632885424fbc20cae79";
    const GIFT: &str = "55fca782f55f406d94e2cecb23d0140b";

    fn request(channel: Channel) -> PayRequest {
        PayRequest {
            order_no: "202201071757551641549475668".into(),
            amount: Money::parse("3.00", Currency::CNY).unwrap(),
            subject: "拉卡拉大POS 1台装礼包 升V5".into(),
            channel,
            idempotency_key: "k1".into(),
            deductions: vec![],
            settings: BTreeMap::new(),
            attributes: BTreeMap::from([
                ("user_id".to_string(), USER.to_string()),
                ("gift_pos_id".to_string(), GIFT.to_string()),
                ("address_id".to_string(), "1".to_string()),
            ]),
            coupon: None,
            credit_amount: None,
        }
    }

    fn secrets() -> Secrets {
        Secrets::new().with(SIGN_KEY, "sandbox-partner-sign-key")
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    fn form(body: &[u8]) -> Vec<(String, String)> {
        std::str::from_utf8(body)
            .unwrap()
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (decode(k), decode(v))
            })
            .collect()
    }

    fn failed(outcome: PayOutcome) -> GatewayError {
        match outcome {
            PayOutcome::Failed(e) => e,
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn the_wechat_v2_vector_passes_through_sign_in_lowercase() {
        let params = [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ];
        assert_eq!(
            sign(params, "192006250b4c09247ec02edce69f6a2d"),
            "9a0a8659f005d6984697e2ca0a9cf3b7"
        );
    }

    #[test]
    fn sign_drops_empty_values_and_the_sign_itself() {
        let base = [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ];
        let with_noise =
            base.iter()
                .copied()
                .chain([("coupon_id", ""), ("sign", "ABCDEF"), ("", "orphan")]);
        assert_eq!(
            sign(with_noise, "192006250b4c09247ec02edce69f6a2d"),
            "9a0a8659f005d6984697e2ca0a9cf3b7"
        );
    }

    #[test]
    fn sign_sorts_names_by_byte_order() {
        // Z (0x5A) < _ (0x5F) < a; "a" < "a_b" < "ab" because '_' < 'b'.
        // printf '%s' 'Z=1&_=2&a=3&a_b=4&ab=5&key=k' | md5sum
        let params = [
            ("ab", "5"),
            ("a", "3"),
            ("a_b", "4"),
            ("_", "2"),
            ("Z", "1"),
        ];
        assert_eq!(sign(params, "k"), "e9bd5f13935b1ae74d36ecf84b5e397e");
    }

    #[test]
    fn sign_hashes_non_ascii_as_utf8() {
        // printf '%s' 'address_id=1&coupon_id=券A&gift_pos_id=礼包&pay_type=2&user_id=张学友&key=密钥' | md5sum
        let params = [
            ("user_id", "张学友"),
            ("pay_type", "2"),
            ("gift_pos_id", "礼包"),
            ("coupon_id", "券A"),
            ("address_id", "1"),
        ];
        assert_eq!(sign(params, "密钥"), "9e6104438ab4956973652d7c44ec12ef");
    }

    #[test]
    fn builds_a_signed_form_post() {
        let req = Partner
            .build_pay(
                "http://127.0.0.1:1/partner/",
                &request(Channel::Balance),
                &secrets(),
            )
            .unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:1/partner/app/partner/order/pay"
        );
        assert_eq!(
            req.headers()["content-type"],
            "application/x-www-form-urlencoded; charset=utf-8"
        );
        // printf '%s' 'address_id=1&gift_pos_id=55fc...&pay_type=1&user_id=4184...&key=sandbox-partner-sign-key' | md5sum
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            format!(
                "address_id=1&gift_pos_id={GIFT}&pay_type=1&user_id={USER}&sign=9bb154f9d3fedcfee54d8c4b111cecff"
            )
        );
    }

    #[test]
    fn alipay_and_a_coupon_are_sent_and_signed() {
        let mut req = request(Channel::Alipay);
        req.coupon = Some(" 券 A&B=1 ".into());
        let built = Partner.build_pay("http://x", &req, &secrets()).unwrap();
        let raw = std::str::from_utf8(built.body()).unwrap();
        assert!(
            raw.contains("coupon_id=%E5%88%B8%20A%26B%3D1&"),
            "the coupon is form-encoded: {raw}"
        );
        let params = form(built.body());
        let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "address_id",
                "coupon_id",
                "gift_pos_id",
                "pay_type",
                "user_id",
                "sign"
            ]
        );
        let get = |k: &str| params.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(get("pay_type"), "2");
        assert_eq!(get("coupon_id"), "券 A&B=1");
        let expected = sign(
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            "sandbox-partner-sign-key",
        );
        assert_eq!(get("sign"), expected);
        assert_eq!(expected.len(), 32);
        assert!(expected
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    }

    #[test]
    fn a_blank_coupon_is_not_sent() {
        let mut req = request(Channel::Balance);
        req.coupon = Some("  ".into());
        let with_blank = Partner.build_pay("http://x", &req, &secrets()).unwrap();
        let without = Partner
            .build_pay("http://x", &request(Channel::Balance), &secrets())
            .unwrap();
        assert_eq!(with_blank.body(), without.body());
    }

    #[test]
    fn offers_balance_and_alipay_and_refuses_the_rest() {
        let caps = Partner.capabilities();
        assert_eq!(caps.channels, vec![Channel::Balance, Channel::Alipay]);
        assert!(caps.coupon && !caps.vouchers && !caps.credit_split);
        assert!(!caps.status_query && !caps.idempotency_key);
        assert_eq!(caps.required_secrets, vec!["sign_key".to_string()]);
        for channel in Channel::ALL {
            let built = Partner.build_pay("http://x", &request(channel), &secrets());
            match channel {
                Channel::Balance | Channel::Alipay => assert!(built.is_ok()),
                other => assert_eq!(
                    built.unwrap_err(),
                    BuildError::UnsupportedChannel(other.as_str())
                ),
            }
        }
        assert!(Partner
            .build_status(
                "http://x",
                &StatusQuery {
                    order_no: "1".into(),
                    amount: Money::from_minor(1, Currency::CNY),
                    channel: Channel::Alipay,
                    idempotency_key: "k".into(),
                    gateway_ref: Some("g".into()),
                    settings: BTreeMap::new(),
                    attributes: BTreeMap::new(),
                    credit_amount: None,
                },
                &secrets()
            )
            .is_none());
    }

    #[test]
    fn refuses_without_the_sign_key() {
        for secrets in [Secrets::new(), Secrets::new().with(SIGN_KEY, "")] {
            assert_eq!(
                Partner
                    .build_pay("http://x", &request(Channel::Balance), &secrets)
                    .unwrap_err(),
                BuildError::MissingSecret("sign_key".into())
            );
        }
    }

    #[test]
    fn names_a_missing_attribute() {
        for name in ["user_id", "gift_pos_id", "address_id"] {
            for value in [None, Some(""), Some("   ")] {
                let mut req = request(Channel::Balance);
                match value {
                    None => req.attributes.remove(name),
                    Some(v) => req.attributes.insert(name.into(), v.into()),
                };
                let err = Partner.build_pay("http://x", &req, &secrets()).unwrap_err();
                assert_eq!(
                    err,
                    BuildError::Invalid(format!("missing order attribute {name:?}"))
                );
            }
        }
    }

    #[test]
    fn address_id_must_be_a_positive_integer() {
        for bad in ["abc", "1.5", "-1", "0", "+1", "1e3", "99999999999999999999"] {
            let mut req = request(Channel::Balance);
            req.attributes.insert("address_id".into(), bad.into());
            let err = Partner.build_pay("http://x", &req, &secrets()).unwrap_err();
            assert!(
                matches!(&err, BuildError::Invalid(m) if m.contains("address_id")),
                "{bad}: {err:?}"
            );
        }
        let mut req = request(Channel::Balance);
        req.attributes.insert("address_id".into(), " 007 ".into());
        let built = Partner.build_pay("http://x", &req, &secrets()).unwrap();
        assert!(form(built.body()).contains(&("address_id".into(), "7".into())));
    }

    #[test]
    fn refuses_what_the_api_cannot_carry() {
        let mut req = request(Channel::Balance);
        req.deductions.push(Deduction {
            id: "v1".into(),
            amount: Money::from_minor(100, Currency::CNY),
        });
        assert!(matches!(
            Partner.build_pay("http://x", &req, &secrets()),
            Err(BuildError::Invalid(_))
        ));
        let mut req = request(Channel::Balance);
        req.credit_amount = Some(Money::from_minor(100, Currency::CNY));
        assert!(matches!(
            Partner.build_pay("http://x", &req, &secrets()),
            Err(BuildError::Invalid(_))
        ));
        for amount in [
            Money::from_minor(0, Currency::CNY),
            Money::from_minor(-5, Currency::CNY),
            Money::from_minor(300, Currency::INR),
        ] {
            let mut req = request(Channel::Balance);
            req.amount = amount;
            assert!(matches!(
                Partner.build_pay("http://x", &req, &secrets()),
                Err(BuildError::Invalid(_))
            ));
        }
        assert!(matches!(
            Partner.build_pay("ftp://x", &request(Channel::Balance), &secrets()),
            Err(BuildError::BadBaseUrl(_))
        ));
    }

    #[test]
    fn the_secret_never_reaches_the_request_in_clear() {
        let built = Partner
            .build_pay("http://x", &request(Channel::Balance), &secrets())
            .unwrap();
        let shown = format!("{built:?}");
        assert!(!shown.contains("sandbox-partner-sign-key"));
        assert!(!String::from_utf8_lossy(built.body()).contains("sandbox-partner-sign-key"));
    }

    #[test]
    fn reads_the_seed_answer_completely() {
        let outcome = Partner.parse_pay(&response(200, SEED_ANSWER));
        let PayOutcome::Succeeded(receipt) = outcome else {
            panic!("{outcome:?}");
        };
        assert_eq!(
            receipt.gateway_ref.as_deref(),
            Some("202201071757551641549475668")
        );
        assert_eq!(receipt.pay_url, None, "an empty ali_pay_url is no URL");
        let detail = receipt.detail.unwrap();
        let info = OrderInfo::from_value(&detail).unwrap();
        assert_eq!(
            info,
            OrderInfo {
                order_no: "202201071757551641549475668".into(),
                id: "fd85f86a959043878cf2c03d8c09f39f".into(),
                order_status: 1,
                pay_type: 1,
                order_price: 300,
                deduct_price: 0,
                user_id: USER.into(),
                gift_pos_id: GIFT.into(),
                coupon_id: "".into(),
                order_type: 1,
                order_score: 0,
                order_name: "购买机器".into(),
                order_desc: "".into(),
                gift_title: "拉卡拉大POS 1台装礼包 升V5".into(),
                bill_no: "".into(),
                third_order_no: "".into(),
                order_time: "2022-01-07 17:57:55".into(),
                order_time_stamp: 1641549475356,
                order_pay_time: "2022-01-07 17:57:55".into(),
                order_pay_time_stamp: 1641549475356,
                user_phone: "18569557087".into(),
                user_real_name: "张学友".into(),
                user_id_no: "".into(),
                user_level_id: "".into(),
                order_receieve_name: "刘德华".into(),
                order_receieve_phone: "18578229023".into(),
                order_receieve_address: "湖南省长沙市德思勤城市广场b5栋".into(),
                receive_time: "".into(),
                order_express_name: "".into(),
                order_express_no: "".into(),
                order_express_number: "".into(),
                order_express_address: "".into(),
                order_express_time: "".into(),
                order_express_time_stamp: 0,
                platform_remark: "".into(),
            }
        );
        assert_eq!(info.charged(), Money::from_minor(300, Currency::CNY));
        // Every field the seed lists is a field of OrderInfo, and nothing else.
        let seed: Value = serde_json::from_str(SEED_ANSWER).unwrap();
        let seed_keys: Vec<&String> = seed["result"]["order_info"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        let typed = serde_json::to_value(&info).unwrap();
        let typed_keys: Vec<&String> = typed.as_object().unwrap().keys().collect();
        assert_eq!(seed_keys.len(), 35);
        let mut a = seed_keys.clone();
        let mut b = typed_keys.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        // The detail is the order_info as received.
        assert_eq!(detail, seed["result"]["order_info"]);
    }

    fn answer_with(order_info: Value, ali_pay_url: Value) -> String {
        serde_json::json!({"code": 1, "errors": {}, "msg": "操作成功",
            "result": {"ali_pay_url": ali_pay_url, "order_info": order_info}})
        .to_string()
    }

    fn seed_info() -> Value {
        serde_json::from_str::<Value>(SEED_ANSWER).unwrap()["result"]["order_info"].clone()
    }

    #[test]
    fn an_unpaid_alipay_order_is_pending_with_its_url() {
        let mut info = seed_info();
        info["order_status"] = 0.into();
        info["pay_type"] = 2.into();
        info["order_pay_time"] = "".into();
        info["order_pay_time_stamp"] = 0.into();
        let body = answer_with(info, " https://pay.example/ali?o=1 ".into());
        let PayOutcome::Pending(receipt) = Partner.parse_pay(&response(200, &body)) else {
            panic!("not pending");
        };
        assert_eq!(
            receipt.pay_url.as_deref(),
            Some("https://pay.example/ali?o=1")
        );
        assert_eq!(
            receipt.gateway_ref.as_deref(),
            Some("202201071757551641549475668")
        );
        // Without a URL it is still pending: nothing says it was paid.
        let mut info = seed_info();
        info["order_status"] = 0.into();
        let body = answer_with(info, Value::Null);
        assert!(matches!(
            Partner.parse_pay(&response(200, &body)),
            PayOutcome::Pending(Receipt { pay_url: None, .. })
        ));
    }

    #[test]
    fn reads_amounts_exactly_and_tolerates_numbers_as_strings() {
        let mut info = seed_info();
        info["order_price"] = "5800".into();
        info["deduct_price"] = 500.into();
        info["coupon_id"] = "sandbox-coupon-500".into();
        info["user_phone"] = 18569557087_i64.into();
        info["order_desc"] = Value::Null;
        let body = answer_with(info.clone(), "".into());
        let PayOutcome::Succeeded(receipt) = Partner.parse_pay(&response(200, &body)) else {
            panic!("not succeeded");
        };
        let read = OrderInfo::from_value(receipt.detail.as_ref().unwrap()).unwrap();
        assert_eq!((read.order_price, read.deduct_price), (5800, 500));
        assert_eq!(read.charged(), Money::from_minor(5300, Currency::CNY));
        assert_eq!(read.user_phone, "18569557087");
        assert_eq!(read.order_desc, "");
        // The code may come as a string too.
        let body = body.replacen("\"code\":1", "\"code\":\"1\"", 1);
        assert!(matches!(
            Partner.parse_pay(&response(200, &body)),
            PayOutcome::Succeeded(_)
        ));
    }

    #[test]
    fn gateway_ref_falls_back_to_the_id() {
        let mut info = seed_info();
        info["order_no"] = "".into();
        let body = answer_with(info, "".into());
        let PayOutcome::Succeeded(receipt) = Partner.parse_pay(&response(200, &body)) else {
            panic!("not succeeded");
        };
        assert_eq!(
            receipt.gateway_ref.as_deref(),
            Some("fd85f86a959043878cf2c03d8c09f39f")
        );
    }

    #[test]
    fn a_success_that_cannot_be_read_is_unknown() {
        let mut cases = Vec::new();
        for field in [
            "order_no",
            "id",
            "order_status",
            "pay_type",
            "order_price",
            "deduct_price",
            "user_id",
            "gift_pos_id",
        ] {
            let mut info = seed_info();
            info.as_object_mut().unwrap().remove(field);
            cases.push(answer_with(info, "".into()));
        }
        let mut info = seed_info();
        info["order_price"] = serde_json::json!(300.5);
        cases.push(answer_with(info, "".into()));
        let mut info = seed_info();
        info["order_price"] = serde_json::json!(300.0);
        cases.push(answer_with(info, "".into()));
        let mut info = seed_info();
        info["order_status"] = "paid".into();
        cases.push(answer_with(info, "".into()));
        let mut info = seed_info();
        info["order_status"] = 2.into();
        cases.push(answer_with(info, "".into()));
        cases.push(answer_with(seed_info(), 5.into()));
        cases.push(r#"{"code":1,"errors":{},"msg":"操作成功","result":{}}"#.into());
        cases.push(r#"{"code":1,"errors":{},"msg":"操作成功","result":null}"#.into());
        cases.push(r#"{"code":1,"msg":"操作成功"}"#.into());
        for body in cases {
            assert!(
                matches!(
                    Partner.parse_pay(&response(200, &body)),
                    PayOutcome::Unknown(_)
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn maps_every_refusal_shape() {
        let table = [
            (
                r#"{"code":401,"errors":{"sign":"签名错误"},"msg":"签名错误","result":{}}"#,
                "401",
                "签名错误 (sign: 签名错误)",
                RetryClass::Not,
            ),
            (
                r#"{"code":422,"errors":{"pay_type":"支付类型错误","address_id":["地址id必须是整数"]},"msg":"参数错误","result":{}}"#,
                "422",
                "参数错误 (address_id: 地址id必须是整数; pay_type: 支付类型错误)",
                RetryClass::Not,
            ),
            (
                r#"{"code":404,"errors":{},"msg":"礼包不存在","result":{}}"#,
                "404",
                "礼包不存在",
                RetryClass::Not,
            ),
            (
                r#"{"code":409,"errors":{},"msg":"订单已支付","result":null}"#,
                "409",
                "订单已支付",
                RetryClass::Not,
            ),
            (
                r#"{"code":0,"errors":{"coupon_id":"优惠券不满足使用条件"},"msg":"优惠券不满足使用条件"}"#,
                "0",
                "优惠券不满足使用条件 (coupon_id: 优惠券不满足使用条件)",
                RetryClass::Not,
            ),
            (
                r#"{"code":-1,"msg":"","errors":{"user_id":"用户不存在"}}"#,
                "-1",
                "user_id: 用户不存在",
                RetryClass::Not,
            ),
            (
                r#"{"code":"2","msg":"","errors":[]}"#,
                "2",
                "the partner refused with code 2",
                RetryClass::Not,
            ),
            (
                r#"{"code":429,"errors":{},"msg":"请求过于频繁","result":{}}"#,
                "429",
                "请求过于频繁",
                RetryClass::Safe,
            ),
        ];
        for (body, code, message, class) in table {
            let error = failed(Partner.parse_pay(&response(200, body)));
            assert_eq!(error, GatewayError::new(code, message, class), "{body}");
        }
    }

    #[test]
    fn a_server_fault_code_is_unknown() {
        for code in [500, 503, 599] {
            let body = format!(r#"{{"code":{code},"errors":{{}},"msg":"系统繁忙","result":{{}}}}"#);
            match Partner.parse_pay(&response(200, &body)) {
                PayOutcome::Unknown(e) => {
                    assert_eq!(e.code, code.to_string());
                    assert_eq!(e.message, "系统繁忙");
                    assert_eq!(e.retry, RetryClass::Unknown);
                }
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[test]
    fn http_status_only_confirms_a_refusal() {
        let body = r#"{"code":401,"errors":{},"msg":"签名错误","result":{}}"#;
        assert_eq!(failed(Partner.parse_pay(&response(401, body))).code, "401");
        // A 5xx or a redirect with an envelope: the request may have been processed.
        for status in [500, 502, 302] {
            match Partner.parse_pay(&response(status, body)) {
                PayOutcome::Unknown(e) => {
                    assert_eq!(e.code, "401");
                    assert!(e.message.contains("签名错误"), "{}", e.message);
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        // A success code with an error status settles nothing.
        assert!(matches!(
            Partner.parse_pay(&response(400, SEED_ANSWER)),
            PayOutcome::Unknown(_)
        ));
    }

    #[test]
    fn an_unreadable_answer_is_unknown_never_failed() {
        for (status, body) in [
            (200, "not json"),
            (200, ""),
            (200, "{}"),
            (200, "[]"),
            (200, r#"{"code":null,"msg":"x"}"#),
            (200, r#"{"code":"one","msg":"x"}"#),
            (200, r#"{"code":1.5,"msg":"x"}"#),
            (404, "<html>Not Found</html>"),
            (500, ""),
            (502, "<html>bad gateway</html>"),
        ] {
            assert!(
                matches!(
                    Partner.parse_pay(&response(status, body)),
                    PayOutcome::Unknown(_)
                ),
                "{status} {body}"
            );
        }
    }
}
