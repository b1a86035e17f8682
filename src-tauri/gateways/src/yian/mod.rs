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
//!   order number), `订单已支付` (paid without a charge it knows: the order's money was taken,
//!   so it is for a person, never a failure) and `订单已使用其他支付通道`
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
//!   (`NO_STATUS_ENDPOINT`), and the attempt goes to a person once the reconciler's patience is
//!   spent and the charge's code has expired. `订单不存在` (no such order) and
//!   `未找到支付记录` (no charge was ever made for the order) are NoSuchPayment (`Safe`):
//!   believable for a pay request whose answer was lost, a contradiction for a person once a
//!   charge came back; any other refusal settles nothing (Unknown).
//! - Lenient where nothing rides on it: the charge's identity, state and money (`id` with the
//!   `ch_` prefix, `object: "charge"`, `created`, `paid`, `channel`, `order_no`, `amount`,
//!   `currency`) must be present; descriptive fields default when absent. `subject`, `body`
//!   and `order_no` are read as strings or JSON numbers (the seed's `subject` is `1`); a
//!   numeric `order_no` must be an exact integer.
//! - [ours] A charge names its order and channel: read by the engine
//!   (`parse_pay_with`/`parse_status_with`), one whose `order_no` or `channel` is not what was
//!   sent is another payment's, paid, waiting or failed, and goes to a person
//!   (`ANSWER_FOR_ANOTHER_PAYMENT`).
//! - [ours] A charge says which world it is from (`livemode`, where present): a test-mode charge answering a
//!   live profile moved no money, a live one answering a sandbox profile may have moved real
//!   money for a demo. Either goes to a person (`ANSWER_IN_OTHER_MODE`).

use crate::common::answer;
use crate::connector::*;
use std::collections::BTreeMap;

use crate::{Currency, Secrets};

mod config;
mod wire;

pub use config::Keys;
use wire::{charge_outcome, drf_code, drf_retry, pay_retry, read_answer, Answer};
pub use wire::{AlipayCredential, Charge, ChargeState, Credential, RefundList, WxCredential};

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

impl Connector for Yian {
    fn id(&self) -> &'static str {
        ID
    }

    fn order_currency(&self, _settings: &BTreeMap<String, String>) -> Option<Currency> {
        Some(Currency::CNY)
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
        let channel = channel_value(request.channel)
            .ok_or(BuildError::UnsupportedChannel(request.channel.as_str()))?;
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
        let token = Keys::parse(secrets)?.token;
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

    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        pay_outcome(response, asked)
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        let built = (|| {
            let token = Keys::parse(secrets)?.token;
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

    fn read_status(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        status_outcome(response, asked)
    }
}

/// A pay answer, held against the payment `asked` where the caller knows it.
fn pay_outcome(response: &http::Response<Vec<u8>>, asked: Option<Asked<'_>>) -> PayOutcome {
    match read_answer(response) {
        Answer::Charge(ch) => charge_outcome(ch, asked),
        Answer::Refused { status, message } => {
            let retry = pay_retry(&message);
            let refused = GatewayError::new(status.to_string(), message, retry);
            if refused.message == MSG_ALREADY_PAID {
                return answer::already_paid(refused);
            }
            PayOutcome::Failed(refused)
        }
        Answer::Drf { status, detail } => answer::refusal(GatewayError::new(
            drf_code(status, &detail),
            detail,
            drf_retry(status),
        )),
        Answer::Unreadable(outcome) => outcome,
    }
}

/// A status answer, held against the payment `asked` where the caller knows it.
fn status_outcome(response: &http::Response<Vec<u8>>, asked: Option<Asked<'_>>) -> PayOutcome {
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
        Answer::Charge(ch) => charge_outcome(ch, asked),
        Answer::Refused { status, message } => {
            let code = status.to_string();
            match message.as_str() {
                // Neither the order nor a charge for it: nothing was charged, if the
                // request this answers for ever arrived.
                MSG_UNKNOWN_ORDER | MSG_NO_CHARGE => {
                    PayOutcome::NoSuchPayment(GatewayError::new(code, message, RetryClass::Safe))
                }
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

#[cfg(test)]
mod tests;
