//! Taobao Open Platform (TOP), API `alibaba.cloudgame.tradeplatform.payorder` (支付发起).
//!
//! TOP is a signed RPC over HTTP: `POST {base}/router/rest`. The system parameters (`method`,
//! `app_key`, `session` where present, `timestamp`, `v=2.0`, `sign_method`, `format=json`,
//! `partner_id` where configured, `sign`) travel in the query string; the one business
//! parameter, `request_param`, is a JSON string (snake_case keys) in a form-encoded body. The
//! signature covers both: every parameter but `sign`, empty keys and values dropped, sorted by
//! byte order, concatenated `key1value1key2value2...`; `md5` = MD5(secret + that + secret),
//! `hmac` = HMAC-MD5, `hmac-sha256` = HMAC-SHA256 keyed by the secret; uppercase hex. The
//! timestamp is `yyyy-MM-dd HH:mm:ss` in GMT+8 and must be within ten minutes of the server.
//!
//! Answers always come with HTTP 200: either the method's wrapper
//! `{"alibaba_cloudgame_tradeplatform_payorder_response": {"result_success", "error",
//! "value": {"pay_status", "pay_url"}, "request_id"}}` or the platform's
//! `{"error_response": {"code", "msg", "sub_code", "sub_msg", "request_id"}}`. Like the official
//! SDKs, any other HTTP status is a transport failure: the payment's fate is unknown.
//!
//! Profile: secrets `app_secret` (required) and `session` (optional, sent when present);
//! settings `app_key`, `tenant_id`, `charge_item_code`, `category_code`, `commodity_code`,
//! `user_country` (all required), `sign_method` (`md5` when absent, or `hmac`,
//! `hmac-sha256`), `credit_account_id`, `huijin_account_id` and `partner_id` (optional).
//!
//! Decisions where nothing public says more ([ours]):
//! - Amounts (`balance_pay_amount`, `credit_pay_amount`) are JSON integers in the currency's
//!   minor unit (fen for CNY); `pay_start_time` is unix milliseconds of the build; `tenant_id`
//!   and `credit_account_id` are JSON integers (the seed types them Number). `pay_amount`
//!   (deprecated) is never sent. `refund_subscribe_list` (the subscriptions a payment
//!   replaces) is sent when the payment names any: `[{"subscribe_id", "refund_amount"}]`,
//!   the refund an integer of fen like the other amounts, each id once; the refunds change
//!   neither `balance_pay_amount` nor `credit_pay_amount` (the seed lists the fields side by
//!   side and says nothing of one reducing the other, so paydesk never nets them). It is part
//!   of the attempt: every resend carries the same list. `huijin_account_id` is the optional
//!   profile setting of that name, a JSON integer (the seed types it Number).
//! - Channels: `Balance` and `Credit`. TOP has no channel field: the split between
//!   `balance_pay_amount` and `credit_pay_amount` is the channel. `Balance` pays everything
//!   from balance and `Credit` everything on credit, unless `PayRequest.credit_amount` is set:
//!   then that part goes on credit and the rest on balance, whichever channel was chosen. The
//!   two parts always add up to the order amount exactly; a credit amount that is zero,
//!   negative, over the total or in another currency is refused before sending (the whole
//!   total is allowed: everything on credit).
//!   `credit_pay_amount` is sent only when the credit part is positive.
//! - `pay_idempotent_code` and `pay_serial_id` are both the attempt's idempotency key: one
//!   attempt is one payment, and every resend of it carries the same two values.
//! - Status query: TOP documents none for this API. Because `pay_idempotent_code` makes a
//!   resend harmless, `build_status` resends the attempt's pay request (same code, same
//!   amounts, fresh `timestamp`, `pay_start_time` and `sign`) and its answer is the status:
//!   a payment the gateway already holds answers with that payment's result and is never
//!   charged twice; a payment that never arrived is made by that resend, exactly once.
//!   The `StatusQuery` carries the attempt's credit split and subscription refunds, so the
//!   resent request is the first one's; a gateway that still finds it different answers
//!   `isv.pay-idempotent-code-conflict`, read as unknown (the engine then resends the full pay
//!   request).
//! - `pay_status`: `PAY_SUCCESS` is success; `WAIT_PAY` (the payer must open `pay_url`) and
//!   `PAYING` (the gateway is still processing) are pending; any other value is unknown, never
//!   failed, since nothing public says it means "not charged".
//! - `result_success: false` with a CommonError is a refusal (nothing charged): the code is
//!   `{prefix}-{code}` of its `error_code`, the message its `message` (plus `location`).
//! - `error_response`: the code is `sub_code` when there is one, else the numeric `code`; the
//!   message keeps `msg`, the numeric code and `sub_msg`. A `sub_code` starting `isp.` is a
//!   server fault after the call reached TOP, which may have charged: unknown (resolved by the
//!   status resend). `isv.` is the caller's fault: refused, except
//!   `isv.pay-idempotent-code-conflict`, which says a payment under this code exists: unknown.
//!   Without a sub_code: 7 (call limited, refused at the door) is safe to send later; 11, 21,
//!   22, 24-31, 40 and 41 are refused; 15, 50 and anything else are unknown.
//! - In a status answer only a `pay_status` settles anything. A refusal of the resend (a
//!   CommonError, or an `isv.` refusal under code 15, 40, 41 or 50) says nothing certain
//!   about the first request, which may have paid [ours, PROTOCOLS.md]: `ForAPerson`, never

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::common::answer;
use crate::connector::*;
use crate::Secrets;

mod config;
mod sign;
mod wire;

pub use crate::common::gmt8::timestamp as timestamp_gmt8;
pub use config::{Config, Keys};
pub use sign::{sign, sign_base, SignMethod};
pub use wire::{retry_class, PayStatus};
use wire::{Reading, RefundSubscribe, RequestParam};

pub const ID: &str = "top";

pub const METHOD: &str = "alibaba.cloudgame.tradeplatform.payorder";
/// The success wrapper's key: the method name with dots turned into underscores.
pub const RESPONSE_KEY: &str = "alibaba_cloudgame_tradeplatform_payorder_response";
/// The sub_code under which TOP refuses a known `pay_idempotent_code` with a different body.
pub const IDEMPOTENCY_CONFLICT: &str = "isv.pay-idempotent-code-conflict";
/// The sub_code under which TOP refuses to pay an order that is already paid [ours, the sandbox's].
pub const ORDER_ALREADY_PAID: &str = "isv.order-already-paid";

pub struct Top;

/// The balance and credit parts, in minor units; they always add up to the amount.
fn split(request: &PayRequest) -> Result<(i64, i64), BuildError> {
    let total = request.amount.minor;
    if total <= 0 {
        return Err(BuildError::Invalid(format!(
            "the amount to pay must be positive, got {}",
            request.amount
        )));
    }
    match (request.channel, request.credit_amount) {
        (Channel::Balance | Channel::Credit, None) => {
            let credit = request.channel.credit_part(None, total);
            Ok((total - credit, credit))
        }
        (Channel::Balance | Channel::Credit, Some(credit)) => {
            if credit.currency != request.amount.currency {
                return Err(BuildError::Invalid(format!(
                    "the credit amount is in {}, the order in {}",
                    credit.currency, request.amount.currency
                )));
            }
            if credit.minor <= 0 {
                return Err(BuildError::Invalid(format!(
                    "the credit amount must be positive, got {credit}"
                )));
            }
            if credit.minor > total {
                return Err(BuildError::Invalid(format!(
                    "the credit amount {credit} is more than the {} to pay",
                    request.amount
                )));
            }
            Ok((total - credit.minor, credit.minor))
        }
        (other, _) => Err(BuildError::UnsupportedChannel(other.as_str())),
    }
}

/// The subscriptions a payment replaces, as TOP's `refund_subscribe_list`: each id once and
/// not blank, each refund a positive amount in the order's currency.
fn refunds(request: &PayRequest) -> Result<Vec<RefundSubscribe<'_>>, BuildError> {
    let mut seen = std::collections::BTreeSet::new();
    request
        .subscription_refunds
        .iter()
        .map(|r| {
            let id = r.subscribe_id.as_str();
            if id.trim().is_empty() || id.trim() != id {
                return Err(BuildError::Invalid(format!(
                    "subscription id {id:?} is blank or has spaces around it"
                )));
            }
            if !seen.insert(id) {
                return Err(BuildError::Invalid(format!(
                    "subscription {id:?} is refunded twice"
                )));
            }
            if r.refund_amount.currency != request.amount.currency || r.refund_amount.minor <= 0 {
                return Err(BuildError::Invalid(format!(
                    "the refund of subscription {id:?} must be a positive amount in {}, got {}",
                    request.amount.currency, r.refund_amount
                )));
            }
            Ok(RefundSubscribe {
                subscribe_id: id,
                refund_amount: r.refund_amount.minor,
            })
        })
        .collect()
}

impl Top {
    /// [`Connector::build_pay`] with the clock given: `now` becomes `timestamp` and
    /// `pay_start_time`.
    pub fn build_pay_at(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
        now: DateTime<Utc>,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let (balance, credit) = split(request)?;
        if request.order_no.is_empty() {
            return Err(BuildError::Invalid("order number is empty".into()));
        }
        if request.idempotency_key.is_empty() {
            return Err(BuildError::Invalid("idempotency key is empty".into()));
        }
        if !request.deductions.is_empty() {
            return Err(BuildError::Invalid("TOP payorder takes no vouchers".into()));
        }
        if request.coupon.is_some() {
            return Err(BuildError::Invalid("TOP payorder takes no coupon".into()));
        }
        let refund_subscribe_list = refunds(request)?;
        let config = Config::parse(&request.settings)?;
        let param = RequestParam {
            charge_item_code: config.charge_item_code,
            order_id: &request.order_no,
            category_code: config.category_code,
            user_country: config.user_country,
            balance_pay_amount: balance,
            tenant_id: config.tenant_id,
            commodity_code: config.commodity_code,
            pay_start_time: now.timestamp_millis(),
            currency: request.amount.currency.code(),
            pay_idempotent_code: &request.idempotency_key,
            pay_serial_id: &request.idempotency_key,
            credit_pay_amount: (credit > 0).then_some(credit),
            credit_account_id: config.credit_account_id,
            refund_subscribe_list,
            huijin_account_id: config.huijin_account_id,
        };
        let request_param = serde_json::to_string(&param).expect("serializable request_param");
        let timestamp = timestamp_gmt8(now);
        let keys = Keys::parse(secrets)?;
        let mut system: Vec<(&str, &str)> = vec![
            ("method", METHOD),
            ("app_key", config.app_key),
            ("timestamp", &timestamp),
            ("v", "2.0"),
            ("sign_method", config.sign_method.as_str()),
            ("format", "json"),
        ];
        if let Some(session) = keys.session {
            system.push(("session", session));
        }
        if let Some(partner_id) = config.partner_id {
            system.push(("partner_id", partner_id));
        }
        let business = [("request_param", request_param.as_str())];
        let signature = sign(
            system.iter().chain(business.iter()).copied(),
            keys.app_secret,
            config.sign_method,
        );
        system.push(("sign", &signature));
        let url = format!(
            "{}?{}",
            join_url(base_url, "/router/rest")?,
            form_encode(system.iter().copied())
        );
        http::Request::post(url)
            .header(
                "content-type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )
            .header("accept", "application/json")
            .body(form_encode(business.iter().copied()).into_bytes())
            .map_err(|e| BuildError::Invalid(e.to_string()))
    }

    /// [`Connector::build_status`] with the clock given: the attempt's pay request again.
    pub fn build_status_at(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
        now: DateTime<Utc>,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let request = PayRequest {
            order_no: query.order_no.clone(),
            amount: query.amount,
            subject: String::new(),
            channel: query.channel,
            idempotency_key: query.idempotency_key.clone(),
            deductions: vec![],
            settings: query.settings.clone(),
            attributes: query.attributes.clone(),
            coupon: None,
            credit_amount: query.credit_amount,
            subscription_refunds: query.subscription_refunds.clone(),
        };
        self.build_pay_at(base_url, &request, secrets, now)
    }
}

impl Connector for Top {
    fn id(&self) -> &'static str {
        ID
    }

    fn test_domains(&self) -> &'static [&'static str] {
        // Its sandbox, https://gw.api.tbsandbox.com/router/rest.
        &["tbsandbox.com"]
    }

    fn settings(&self) -> Vec<SettingSpec> {
        let mut specs: Vec<SettingSpec> = config::REQUIRED_SETTINGS
            .iter()
            .map(|name| {
                let kind = if *name == "tenant_id" {
                    SettingKind::Integer
                } else {
                    SettingKind::Text
                };
                SettingSpec::new(name, true, kind)
            })
            .collect();
        let methods = ["md5", "hmac", "hmac-sha256"].map(String::from).to_vec();
        specs.extend([
            SettingSpec::new("sign_method", false, SettingKind::Choice(methods))
                .defaulting_to("md5"),
            SettingSpec::new("credit_account_id", false, SettingKind::Integer),
            SettingSpec::new("huijin_account_id", false, SettingKind::Integer),
            SettingSpec::new("partner_id", false, SettingKind::Text),
        ]);
        specs
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: vec![Channel::Balance, Channel::Credit],
            vouchers: false,
            coupon: false,
            credit_split: true,
            status_query: true,
            status_query_is_resend: true,
            idempotency_key: true,
            required_secrets: vec!["app_secret".into()],
            optional_secrets: vec!["session".into()],
            pays_out: false,
            subscription_refunds: true,
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        self.build_pay_at(base_url, request, secrets, Utc::now())
    }

    fn check_settings(
        &self,
        settings: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), BuildError> {
        Config::parse(settings).map(|_| ())
    }

    // TOP's answers name no payment to hold against the one asked.
    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        _asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        match wire::read(response) {
            Reading::Status(pay_status, receipt) => pay_status.outcome(receipt),
            Reading::Refused(error) => PayOutcome::Failed(error),
            Reading::Platform {
                sub_code, error, ..
            } if sub_code.as_deref() == Some(ORDER_ALREADY_PAID) => answer::already_paid(error),
            Reading::Platform { error, .. } => answer::refusal(error),
            Reading::Unreadable(error) => PayOutcome::Unknown(error),
        }
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        Some(self.build_status_at(base_url, query, secrets, Utc::now()))
    }

    /// The "status query" is the payment sent again under its `pay_idempotent_code` [ours]:
    /// a refusal of it says nothing certain about the first request, which may have paid, so
    /// it is for a person, never a failure.
    fn read_status(
        &self,
        response: &http::Response<Vec<u8>>,
        _secrets: &Secrets,
        _settings: &BTreeMap<String, String>,
        _asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        match wire::read(response) {
            Reading::Status(pay_status, receipt) => pay_status.outcome(receipt),
            Reading::Refused(error) => PayOutcome::ForAPerson(error),
            Reading::Platform {
                code,
                sub_code,
                error,
            } => {
                let business_refusal = matches!(code, 15 | 40 | 41 | 50)
                    && error.retry == RetryClass::Not
                    && sub_code.as_deref().is_some_and(|s| s.starts_with("isv."));
                if business_refusal {
                    PayOutcome::ForAPerson(error)
                } else {
                    PayOutcome::Unknown(GatewayError {
                        retry: RetryClass::Unknown,
                        ..error
                    })
                }
            }
            Reading::Unreadable(error) => PayOutcome::Unknown(error),
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod refund_tests;
