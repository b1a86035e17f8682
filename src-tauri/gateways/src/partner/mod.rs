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
//!   `404` unknown gift pack / address / coupon, `409` already paid (the order's money was
//!   taken: for a person, never a failure), `0` coupon not usable on
//!   this order. Answers arrive with HTTP 200; a non-2xx answer is read only to keep its
//!   code and message: a 4xx carrying the envelope is a refusal as above, anything else
//!   (5xx, 3xx, an HTML page, no envelope) leaves the payment unknown.
//! - **No status call, no idempotency key**: the API documents neither, so
//!   [`Capabilities::status_query`] and [`Capabilities::idempotency_key`] are false. A pending
//!   Alipay attempt or an unknown attempt stays so until a person resolves it (the partner's
//!   back office shows the order under `gateway_ref`). A resend would create a second order
//!   at the gateway.
//! - [ours] The order names the user, the gift pack and the way it was paid: read by the engine
//!   (`parse_pay_with`), a `user_id`, `gift_pos_id` or `pay_type` other than what was sent is
//!   another payment's order and goes to a person (`ANSWER_FOR_ANOTHER_PAYMENT`).

use crate::common::answer;
use crate::connector::*;
use std::collections::BTreeMap;

use crate::{Currency, Secrets};

mod config;
mod wire;

pub use config::Keys;
use wire::{pay_type, Envelope};
pub use wire::{retry_class, sign, OrderInfo, OrderStatus};

pub const ID: &str = "partner";

/// The documented path of the pay call, below the profile's base URL.
pub const PAY_PATH: &str = "/app/partner/order/pay";

/// The secret the sign is keyed by.
pub const SIGN_KEY: &str = "sign_key";

/// `code` of a successful answer.
pub const SUCCESS_CODE: i64 = 1;
/// `code` of a refusal because the order is already paid [ours, the sandbox's].
pub const ALREADY_PAID_CODE: i64 = 409;

pub struct Partner;

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

    fn order_currency(&self, _settings: &BTreeMap<String, String>) -> Option<Currency> {
        Some(Currency::CNY)
    }

    fn order_attributes(&self) -> Vec<OrderAttribute> {
        vec![
            OrderAttribute::text("user_id", true),
            OrderAttribute::text("gift_pos_id", true),
            OrderAttribute {
                positive_integer: true,
                ..OrderAttribute::text("address_id", true)
            },
        ]
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
            pays_out: false,
            subscription_refunds: false,
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
        let keys = Keys::parse(secrets)?;
        let signature = sign(params.iter().copied(), keys.sign_key);
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

    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        pay_outcome(response, asked)
    }
}

/// A pay answer, held against the payment `asked` where the caller knows it.
fn pay_outcome(response: &http::Response<Vec<u8>>, asked: Option<Asked<'_>>) -> PayOutcome {
    let status = response.status();
    let envelope = answer::json_object::<Envelope>(response.body()).ok();
    let Some((envelope, code)) = envelope.and_then(|e| e.code.map(|code| (e, code))) else {
        return answer::unknown(
            answer::http_code(status),
            format!("HTTP {status} without a readable partner answer"),
        );
    };
    let refused = status.is_success() || status.is_client_error();
    if status.is_success() && code == SUCCESS_CODE {
        return envelope.success(asked);
    }
    if refused && code == ALREADY_PAID_CODE {
        return answer::already_paid(envelope.refusal(code));
    }
    if refused && code != SUCCESS_CODE {
        return answer::refusal(envelope.refusal(code));
    }
    // A server fault or a redirect: whatever the body says, the request may have been
    // processed.
    let said = envelope.refusal(code);
    answer::unknown(said.code, format!("HTTP {status}: {}", said.message))
}

#[cfg(test)]
mod tests;
