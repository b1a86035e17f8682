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
//! `hmac-sha256`), `credit_account_id` and `partner_id` (optional).
//!
//! Decisions where nothing public says more ([ours]):
//! - Amounts (`balance_pay_amount`, `credit_pay_amount`) are JSON integers in the currency's
//!   minor unit (fen for CNY); `pay_start_time` is unix milliseconds of the build; `tenant_id`
//!   and `credit_account_id` are JSON integers (the seed types them Number). `pay_amount`
//!   (deprecated), `refund_subscribe_list` and `huijin_account_id` are never sent.
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
//!   A `StatusQuery` carries no credit split, so it rebuilds the channel's whole-amount
//!   split; for a split attempt the gateway answers `isv.pay-idempotent-code-conflict`, read
//!   as unknown (the engine then resends the full pay request).
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
//!   failed. Refusals at the platform's door (signature, app key, timestamp, limits) say
//!   nothing about the original payment and read as unknown (asked again, within the
//!   engine's bound on resends).
//! - `Receipt.gateway_ref` is the answer's `request_id` (TOP returns no payment id; the
//!   payment is known by its `pay_idempotent_code`); `pay_url` is `value.pay_url` when
//!   non-empty; `detail` keeps the whole wrapper object.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::connector::*;
use crate::Secrets;

pub const ID: &str = "top";

pub const METHOD: &str = "alibaba.cloudgame.tradeplatform.payorder";
/// The success wrapper's key: the method name with dots turned into underscores.
pub const RESPONSE_KEY: &str = "alibaba_cloudgame_tradeplatform_payorder_response";
/// The sub_code under which TOP refuses a known `pay_idempotent_code` with a different body.
pub const IDEMPOTENCY_CONFLICT: &str = "isv.pay-idempotent-code-conflict";

pub struct Top;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignMethod {
    Md5,
    Hmac,
    HmacSha256,
}

impl SignMethod {
    pub fn parse(text: &str) -> Option<SignMethod> {
        match text {
            "md5" => Some(SignMethod::Md5),
            "hmac" => Some(SignMethod::Hmac),
            "hmac-sha256" => Some(SignMethod::HmacSha256),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

/// The string TOP signs: every parameter but `sign`, without empty keys or values, sorted by
/// the keys' bytes, each key followed by its value with no separators.
pub fn sign_base<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty() && *k != "sign")
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    kept.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

/// TOP's `sign` over these parameters, as uppercase hex.
pub fn sign<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    secret: &str,
    method: SignMethod,
) -> String {
    let base = sign_base(params);
    let hex = match method {
        SignMethod::Md5 => paydesk_crypto::md5_hex(format!("{secret}{base}{secret}").as_bytes()),
        SignMethod::Hmac => paydesk_crypto::hmac_md5_hex(secret.as_bytes(), base.as_bytes()),
        SignMethod::HmacSha256 => {
            paydesk_crypto::hmac_sha256_hex(secret.as_bytes(), base.as_bytes())
        }
    };
    hex.to_ascii_uppercase()
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8, the form TOP documents.
pub fn timestamp_gmt8(now: DateTime<Utc>) -> String {
    let gmt8 = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    now.with_timezone(&gmt8)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `request_param`, in the seed's field order.
#[derive(Serialize)]
struct RequestParam<'a> {
    charge_item_code: &'a str,
    order_id: &'a str,
    category_code: &'a str,
    user_country: &'a str,
    balance_pay_amount: i64,
    tenant_id: i64,
    commodity_code: &'a str,
    pay_start_time: i64,
    currency: &'a str,
    pay_idempotent_code: &'a str,
    pay_serial_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_pay_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit_account_id: Option<i64>,
}

/// The settings a profile must hold (checked when it is saved, and again at each payment).
const REQUIRED_SETTINGS: [&str; 6] = [
    "app_key",
    "tenant_id",
    "charge_item_code",
    "category_code",
    "commodity_code",
    "user_country",
];

fn setting<'a>(request: &'a PayRequest, key: &str) -> Result<&'a str, BuildError> {
    request
        .settings
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| BuildError::MissingSetting(key.into()))
}

fn optional_setting<'a>(request: &'a PayRequest, key: &str) -> Option<&'a str> {
    request
        .settings
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
}

fn integer_setting(key: &str, value: &str) -> Result<i64, BuildError> {
    value.parse::<i64>().map_err(|_| {
        BuildError::Invalid(format!("setting {key} must be an integer, got {value:?}"))
    })
}

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
        (Channel::Balance, None) => Ok((total, 0)),
        (Channel::Credit, None) => Ok((0, total)),
        (other, _) => Err(BuildError::UnsupportedChannel(other.as_str())),
    }
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
        let secret = secrets.require("app_secret")?;
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
        let app_key = setting(request, "app_key")?;
        let sign_method = match optional_setting(request, "sign_method") {
            None => SignMethod::Md5,
            Some(name) => SignMethod::parse(name).ok_or_else(|| {
                BuildError::Invalid(format!(
                    "sign_method must be md5, hmac or hmac-sha256, got {name:?}"
                ))
            })?,
        };
        let tenant_id = integer_setting("tenant_id", setting(request, "tenant_id")?)?;
        let credit_account_id = optional_setting(request, "credit_account_id")
            .map(|v| integer_setting("credit_account_id", v))
            .transpose()?;
        let param = RequestParam {
            charge_item_code: setting(request, "charge_item_code")?,
            order_id: &request.order_no,
            category_code: setting(request, "category_code")?,
            user_country: setting(request, "user_country")?,
            balance_pay_amount: balance,
            tenant_id,
            commodity_code: setting(request, "commodity_code")?,
            pay_start_time: now.timestamp_millis(),
            currency: request.amount.currency.code(),
            pay_idempotent_code: &request.idempotency_key,
            pay_serial_id: &request.idempotency_key,
            credit_pay_amount: (credit > 0).then_some(credit),
            credit_account_id,
        };
        let request_param = serde_json::to_string(&param).expect("serializable request_param");
        let timestamp = timestamp_gmt8(now);
        let mut system: Vec<(&str, &str)> = vec![
            ("method", METHOD),
            ("app_key", app_key),
            ("timestamp", &timestamp),
            ("v", "2.0"),
            ("sign_method", sign_method.as_str()),
            ("format", "json"),
        ];
        if let Some(session) = secrets.expose("session").filter(|s| !s.is_empty()) {
            system.push(("session", session));
        }
        if let Some(partner_id) = optional_setting(request, "partner_id") {
            system.push(("partner_id", partner_id));
        }
        let business = [("request_param", request_param.as_str())];
        let signature = sign(
            system.iter().chain(business.iter()).copied(),
            secret,
            sign_method,
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
        };
        self.build_pay_at(base_url, &request, secrets, now)
    }
}

/// What one answer says, before deciding what it means for a pay or a status call.
#[derive(Debug)]
enum Answer {
    Status(String, Receipt),
    Refused(GatewayError),
    Platform {
        code: i64,
        sub_code: Option<String>,
        error: GatewayError,
    },
    Unreadable(GatewayError),
}

fn unreadable(code: impl Into<String>, message: impl Into<String>) -> Answer {
    Answer::Unreadable(GatewayError::new(code, message, RetryClass::Unknown))
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What a platform error means for a resend.
pub fn retry_class(code: i64, sub_code: Option<&str>) -> RetryClass {
    match sub_code {
        Some(IDEMPOTENCY_CONFLICT) => RetryClass::Unknown,
        Some(s) if s.starts_with("isp.") => RetryClass::Unknown,
        Some(s) if s.starts_with("isv.") => RetryClass::Not,
        _ => match code {
            7 => RetryClass::Safe,
            11 | 21 | 22 | 24..=31 | 40 | 41 => RetryClass::Not,
            _ => RetryClass::Unknown,
        },
    }
}

fn read(response: &http::Response<Vec<u8>>) -> Answer {
    let status = response.status();
    if status != http::StatusCode::OK {
        return unreadable(
            format!("HTTP_{}", status.as_u16()),
            format!(
                "HTTP {status}: TOP answers every call with 200, so this one's fate is unknown"
            ),
        );
    }
    let body: Value = match serde_json::from_slice(response.body()) {
        Ok(v) => v,
        Err(e) => {
            return unreadable(
                "MALFORMED_RESPONSE",
                format!("HTTP 200 with a body that is not JSON: {e}"),
            )
        }
    };
    if let Some(error) = body.get("error_response").filter(|e| e.is_object()) {
        let Some(code) = error.get("code").and_then(Value::as_i64) else {
            return unreadable(
                "MALFORMED_RESPONSE",
                "error_response without a numeric code",
            );
        };
        let sub_code = text(error, "sub_code");
        let msg = text(error, "msg").unwrap_or_default();
        let mut message = format!("{msg} (code {code})");
        if let Some(sub_msg) = text(error, "sub_msg") {
            message.push_str(": ");
            message.push_str(&sub_msg);
        }
        let error = GatewayError::new(
            sub_code.clone().unwrap_or_else(|| code.to_string()),
            message.trim_start().to_string(),
            retry_class(code, sub_code.as_deref()),
        );
        return Answer::Platform {
            code,
            sub_code,
            error,
        };
    }
    let Some(wrapper) = body.get(RESPONSE_KEY).filter(|w| w.is_object()) else {
        return unreadable(
            "MALFORMED_RESPONSE",
            format!("neither {RESPONSE_KEY} nor error_response in the answer"),
        );
    };
    match wrapper.get("result_success").and_then(Value::as_bool) {
        Some(true) => {
            let value = wrapper.get("value").unwrap_or(&Value::Null);
            let Some(pay_status) = value.get("pay_status").and_then(Value::as_str) else {
                return unreadable(
                    "MALFORMED_RESPONSE",
                    "result_success is true but value.pay_status is missing",
                );
            };
            let receipt = Receipt {
                gateway_ref: text(wrapper, "request_id"),
                pay_url: text(value, "pay_url"),
                detail: Some(wrapper.clone()),
                // The answer names no amount.
                charged: None,
                gateway_deduction: None,
            };
            Answer::Status(pay_status.to_string(), receipt)
        }
        Some(false) => {
            let Some(error) = wrapper.get("error").filter(|e| e.is_object()) else {
                return unreadable(
                    "MALFORMED_RESPONSE",
                    "result_success is false without an error to say why",
                );
            };
            let error_code = error.get("error_code").unwrap_or(&Value::Null);
            let code = text(error_code, "code").unwrap_or_default();
            let code = match text(error_code, "prefix") {
                Some(prefix) if !code.is_empty() => format!("{prefix}-{code}"),
                Some(prefix) => prefix,
                None if code.is_empty() => "RESULT_FAILED".into(),
                None => code,
            };
            let mut message = text(error, "message").unwrap_or_default();
            if let Some(location) = text(error, "location") {
                message = format!("{message} (at {location})");
            }
            Answer::Refused(GatewayError::new(code, message, RetryClass::Not))
        }
        None => unreadable(
            "MALFORMED_RESPONSE",
            "the answer has no boolean result_success",
        ),
    }
}

fn status_outcome(pay_status: String, receipt: Receipt) -> PayOutcome {
    match pay_status.as_str() {
        "PAY_SUCCESS" => PayOutcome::Succeeded(receipt),
        "WAIT_PAY" | "PAYING" => PayOutcome::Pending(receipt),
        _ => PayOutcome::Unknown(GatewayError::new(
            pay_status.clone(),
            format!("pay_status {pay_status:?} does not say whether the order was paid"),
            RetryClass::Unknown,
        )),
    }
}

impl Connector for Top {
    fn id(&self) -> &'static str {
        ID
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

    fn check_settings(&self, settings: &BTreeMap<String, String>) -> Result<(), BuildError> {
        let given = |key: &str| {
            settings
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        for key in REQUIRED_SETTINGS {
            given(key).ok_or_else(|| BuildError::MissingSetting(key.into()))?;
        }
        integer_setting("tenant_id", given("tenant_id").unwrap_or_default())?;
        if let Some(id) = given("credit_account_id") {
            integer_setting("credit_account_id", id)?;
        }
        if let Some(name) = given("sign_method") {
            SignMethod::parse(name).ok_or_else(|| {
                BuildError::Invalid(format!(
                    "sign_method must be md5, hmac or hmac-sha256, got {name:?}"
                ))
            })?;
        }
        Ok(())
    }

    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        match read(response) {
            Answer::Status(pay_status, receipt) => status_outcome(pay_status, receipt),
            Answer::Refused(error) => PayOutcome::Failed(error),
            Answer::Platform { error, .. } => match error.retry {
                RetryClass::Unknown => PayOutcome::Unknown(error),
                _ => PayOutcome::Failed(error),
            },
            Answer::Unreadable(error) => PayOutcome::Unknown(error),
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
    fn parse_status(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        match read(response) {
            Answer::Status(pay_status, receipt) => status_outcome(pay_status, receipt),
            Answer::Refused(error) => PayOutcome::ForAPerson(error),
            Answer::Platform {
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
            Answer::Unreadable(error) => PayOutcome::Unknown(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use percent_encoding::percent_decode_str;

    use super::*;
    use crate::{Currency, Money};

    const SECRET: &str = "sandbox-top-app-secret";

    fn settings() -> BTreeMap<String, String> {
        [
            ("app_key", "12345678"),
            ("tenant_id", "1"),
            ("charge_item_code", "ci-1"),
            ("category_code", "cat-1"),
            ("commodity_code", "com-1"),
            ("user_country", "CHINA"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn request(channel: Channel) -> PayRequest {
        PayRequest {
            order_no: "A-1 中".into(),
            amount: Money::parse("12.34", Currency::CNY).unwrap(),
            subject: "demo".into(),
            channel,
            idempotency_key: "key-1".into(),
            deductions: vec![],
            settings: settings(),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
        }
    }

    fn secrets() -> Secrets {
        Secrets::new().with("app_secret", SECRET)
    }

    fn now() -> DateTime<Utc> {
        // 2025-11-21 12:40:00 GMT+8.
        Utc.timestamp_millis_opt(1_763_700_000_000).unwrap()
    }

    fn decode_form(text: &str) -> Vec<(String, String)> {
        text.split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let dec = |s: &str| {
                    percent_decode_str(&s.replace('+', " "))
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (dec(k), dec(v))
            })
            .collect()
    }

    /// The query and body parameters of a built request.
    fn params(
        req: &http::Request<Vec<u8>>,
    ) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        let query = decode_form(req.uri().query().unwrap_or(""));
        let body = decode_form(std::str::from_utf8(req.body()).unwrap());
        (query.into_iter().collect(), body.into_iter().collect())
    }

    fn request_param(req: &http::Request<Vec<u8>>) -> Value {
        serde_json::from_str(&params(req).1["request_param"]).unwrap()
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn the_published_md5_vector_passes_through_sign() {
        let params = [
            ("app_key", "test"),
            ("fields", "nick"),
            ("format", "xml"),
            ("method", "taobao.user.seller.get"),
            ("session", "test"),
            ("sign_method", "md5"),
            ("timestamp", "2013-05-06 13:52:03"),
            ("v", "2.0"),
        ];
        assert_eq!(
            sign(params, "test", SignMethod::Md5),
            "72CB4D809B375A54502C09360D879C64"
        );
        // Order of the input does not matter, and a `sign` parameter is never signed.
        let mut reversed = params.to_vec();
        reversed.reverse();
        reversed.push(("sign", "72CB4D809B375A54502C09360D879C64"));
        assert_eq!(
            sign(reversed, "test", SignMethod::Md5),
            "72CB4D809B375A54502C09360D879C64"
        );
    }

    #[test]
    fn hmac_methods_match_independent_computations() {
        // Computed with Python's hmac module over the same parameters.
        let params = |method: &'static str| {
            [
                ("app_key", "test"),
                ("fields", "nick"),
                ("format", "xml"),
                ("method", "taobao.user.seller.get"),
                ("session", "test"),
                ("sign_method", method),
                ("timestamp", "2013-05-06 13:52:03"),
                ("v", "2.0"),
            ]
        };
        assert_eq!(
            sign(params("hmac"), "test", SignMethod::Hmac),
            "FA15A9D5B42AB2D6F3397843851ED09A"
        );
        assert_eq!(
            sign(params("hmac-sha256"), "test", SignMethod::HmacSha256),
            "267B9C1C7A2FE1CE413DBB95E596616D32107AE0992BE2C22143CFCE303E8E34"
        );
    }

    #[test]
    fn sign_drops_empties_sorts_by_bytes_and_hashes_utf8() {
        let params = [
            ("b", "2"),
            ("B", "1"),
            ("a_b", "x"),
            ("ab", "y"),
            ("empty", ""),
            ("", "orphan"),
            ("zh", "中文 值"),
            ("sign", "IGNORED"),
        ];
        assert_eq!(sign_base(params), "B1a_bxabyb2zh中文 值");
        // Python: md5(("密钥" + base + "密钥").encode()).hexdigest().upper()
        assert_eq!(
            sign(params, "密钥", SignMethod::Md5),
            "390F7820627A0DC9D580D95A443CA6A9"
        );
    }

    #[test]
    fn builds_a_signed_post_with_system_params_in_the_query() {
        let req = Top
            .build_pay_at(
                "http://127.0.0.1:1/top/",
                &request(Channel::Balance),
                &secrets(),
                now(),
            )
            .unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert!(req
            .uri()
            .to_string()
            .starts_with("http://127.0.0.1:1/top/router/rest?"));
        assert_eq!(
            req.headers()["content-type"],
            "application/x-www-form-urlencoded;charset=utf-8"
        );
        let (query, body) = params(&req);
        assert_eq!(query["method"], METHOD);
        assert_eq!(query["app_key"], "12345678");
        assert_eq!(query["timestamp"], "2025-11-21 12:40:00");
        assert_eq!(query["v"], "2.0");
        assert_eq!(query["sign_method"], "md5");
        assert_eq!(query["format"], "json");
        assert!(!query.contains_key("session"));
        assert!(!query.contains_key("partner_id"));
        assert!(!query.contains_key("request_param"));
        assert_eq!(body.keys().collect::<Vec<_>>(), ["request_param"]);
        // The signature covers the query and the body, recomputed here by hand.
        let mut all: Vec<(&str, &str)> = query
            .iter()
            .chain(body.iter())
            .filter(|(k, _)| k.as_str() != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        all.sort();
        let joined: String = all.iter().map(|(k, v)| format!("{k}{v}")).collect();
        let expected =
            paydesk_crypto::md5_hex(format!("{SECRET}{joined}{SECRET}").as_bytes()).to_uppercase();
        assert_eq!(query["sign"], expected);
        // The space in the timestamp travels as %20, never raw.
        assert!(req
            .uri()
            .query()
            .unwrap()
            .contains("2025-11-21%2012%3A40%3A00"));
    }

    #[test]
    fn request_param_carries_the_seed_fields_in_integer_fen() {
        let req = Top
            .build_pay_at("http://x", &request(Channel::Balance), &secrets(), now())
            .unwrap();
        let raw = params(&req).1["request_param"].clone();
        assert!(raw.starts_with(r#"{"charge_item_code":"ci-1","order_id":"A-1 中""#));
        assert_eq!(
            request_param(&req),
            serde_json::json!({
                "charge_item_code": "ci-1",
                "order_id": "A-1 中",
                "category_code": "cat-1",
                "user_country": "CHINA",
                "balance_pay_amount": 1234,
                "tenant_id": 1,
                "commodity_code": "com-1",
                "pay_start_time": 1_763_700_000_000_i64,
                "currency": "CNY",
                "pay_idempotent_code": "key-1",
                "pay_serial_id": "key-1",
            })
        );
    }

    #[test]
    fn credit_pays_the_whole_amount_and_a_split_adds_up_exactly() {
        let req = Top
            .build_pay_at("http://x", &request(Channel::Credit), &secrets(), now())
            .unwrap();
        let p = request_param(&req);
        assert_eq!(
            (
                p["balance_pay_amount"].as_i64(),
                p["credit_pay_amount"].as_i64()
            ),
            (Some(0), Some(1234))
        );

        for channel in [Channel::Balance, Channel::Credit] {
            let mut r = request(channel);
            r.credit_amount = Some(Money::parse("0.35", Currency::CNY).unwrap());
            r.settings.insert("credit_account_id".into(), "77".into());
            let p = request_param(&Top.build_pay_at("http://x", &r, &secrets(), now()).unwrap());
            assert_eq!(p["balance_pay_amount"], 1199);
            assert_eq!(p["credit_pay_amount"], 35);
            assert_eq!(p["credit_account_id"], 77);
        }
        let mut whole = request(Channel::Balance);
        whole.credit_amount = Some(Money::parse("12.34", Currency::CNY).unwrap());
        let p = request_param(
            &Top.build_pay_at("http://x", &whole, &secrets(), now())
                .unwrap(),
        );
        assert_eq!(
            (
                p["balance_pay_amount"].as_i64(),
                p["credit_pay_amount"].as_i64()
            ),
            (Some(0), Some(1234))
        );
    }

    #[test]
    fn refuses_bad_credit_amounts() {
        let cases = [
            Money::from_minor(0, Currency::CNY),
            Money::from_minor(-1, Currency::CNY),
            Money::from_minor(1235, Currency::CNY),
            Money::from_minor(100, Currency::INR),
        ];
        for credit in cases {
            let mut r = request(Channel::Balance);
            r.credit_amount = Some(credit);
            assert!(
                matches!(
                    Top.build_pay_at("http://x", &r, &secrets(), now()),
                    Err(BuildError::Invalid(_))
                ),
                "{credit:?}"
            );
        }
    }

    #[test]
    fn offers_balance_and_credit_only() {
        let caps = Top.capabilities();
        assert_eq!(caps.channels, vec![Channel::Balance, Channel::Credit]);
        assert!(caps.credit_split && caps.idempotency_key && caps.status_query);
        assert!(!caps.vouchers && !caps.coupon);
        assert_eq!(caps.required_secrets, vec!["app_secret".to_string()]);
        for channel in Channel::ALL {
            if caps.channels.contains(&channel) {
                continue;
            }
            assert_eq!(
                Top.build_pay_at("http://x", &request(channel), &secrets(), now())
                    .unwrap_err(),
                BuildError::UnsupportedChannel(channel.as_str())
            );
        }
    }

    #[test]
    fn refuses_missing_secrets_settings_and_what_top_cannot_carry() {
        let err = Top
            .build_pay_at(
                "http://x",
                &request(Channel::Balance),
                &Secrets::new(),
                now(),
            )
            .unwrap_err();
        assert_eq!(err, BuildError::MissingSecret("app_secret".into()));
        for key in [
            "app_key",
            "tenant_id",
            "charge_item_code",
            "category_code",
            "commodity_code",
            "user_country",
        ] {
            let mut r = request(Channel::Balance);
            r.settings.remove(key);
            assert_eq!(
                Top.build_pay_at("http://x", &r, &secrets(), now())
                    .unwrap_err(),
                BuildError::MissingSetting(key.into())
            );
        }
        let invalid = |edit: &dyn Fn(&mut PayRequest)| {
            let mut r = request(Channel::Balance);
            edit(&mut r);
            matches!(
                Top.build_pay_at("http://x", &r, &secrets(), now()),
                Err(BuildError::Invalid(_))
            )
        };
        assert!(invalid(&|r| {
            r.settings.insert("tenant_id".into(), "t-1".into());
        }));
        assert!(invalid(&|r| {
            r.settings.insert("credit_account_id".into(), "1.5".into());
        }));
        assert!(invalid(&|r| {
            r.settings.insert("sign_method".into(), "sha1".into());
        }));
        assert!(invalid(&|r| r.amount = Money::from_minor(0, Currency::CNY)));
        assert!(invalid(&|r| r.idempotency_key.clear()));
        assert!(invalid(&|r| r.order_no.clear()));
        assert!(invalid(&|r| r.coupon = Some("c1".into())));
        assert!(invalid(&|r| r.deductions.push(Deduction {
            id: "v".into(),
            amount: Money::from_minor(1, Currency::CNY)
        })));
        assert!(matches!(
            Top.build_pay_at("ftp://x", &request(Channel::Balance), &secrets(), now()),
            Err(BuildError::BadBaseUrl(_))
        ));
    }

    #[test]
    fn signs_with_the_configured_method_and_sends_session_and_partner_id() {
        for (name, method) in [
            ("hmac", SignMethod::Hmac),
            ("hmac-sha256", SignMethod::HmacSha256),
        ] {
            let mut r = request(Channel::Balance);
            r.settings.insert("sign_method".into(), name.into());
            r.settings.insert("partner_id".into(), "paydesk".into());
            let s = secrets().with("session", "sess-1");
            let req = Top.build_pay_at("http://x", &r, &s, now()).unwrap();
            let (query, body) = params(&req);
            assert_eq!(query["sign_method"], name);
            assert_eq!(query["session"], "sess-1");
            assert_eq!(query["partner_id"], "paydesk");
            let all = query
                .iter()
                .chain(body.iter())
                .map(|(k, v)| (k.as_str(), v.as_str()));
            assert_eq!(query["sign"], sign(all, SECRET, method));
        }
    }

    #[test]
    fn secrets_stay_out_of_the_request_and_errors() {
        let req = Top
            .build_pay_at("http://x", &request(Channel::Balance), &secrets(), now())
            .unwrap();
        assert!(!req.uri().to_string().contains(SECRET));
        assert!(!String::from_utf8_lossy(req.body()).contains(SECRET));
        let mut r = request(Channel::Balance);
        r.settings.remove("app_key");
        let err = Top
            .build_pay_at("http://x", &r, &secrets(), now())
            .unwrap_err();
        assert!(!err.to_string().contains(SECRET));
    }

    #[test]
    fn the_status_call_resends_the_same_payment_with_a_fresh_clock() {
        let query = StatusQuery {
            order_no: "A-1 中".into(),
            amount: Money::parse("12.34", Currency::CNY).unwrap(),
            channel: Channel::Credit,
            idempotency_key: "key-1".into(),
            gateway_ref: Some("req-9".into()),
            settings: settings(),
            attributes: BTreeMap::new(),
            credit_amount: None,
        };
        let later = now() + chrono::Duration::minutes(30);
        let status = Top
            .build_status_at("http://x", &query, &secrets(), later)
            .unwrap();
        let pay = Top
            .build_pay_at("http://x", &request(Channel::Credit), &secrets(), now())
            .unwrap();
        let (sq, _) = params(&status);
        assert_eq!(sq["method"], METHOD);
        assert_eq!(sq["timestamp"], "2025-11-21 13:10:00");
        let (mut a, mut b) = (request_param(&status), request_param(&pay));
        assert_ne!(a["pay_start_time"], b["pay_start_time"]);
        a.as_object_mut().unwrap().remove("pay_start_time");
        b.as_object_mut().unwrap().remove("pay_start_time");
        assert_eq!(a, b);
    }

    #[test]
    fn reads_success_and_the_pending_statuses() {
        let ok = Top.parse_pay(&response(
            200,
            r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":true,
                "error":{"error_code":{"code":"1","prefix":"HP"},"location":"1","message":"1"},
                "value":{"pay_status":"PAY_SUCCESS","pay_url":"111"},"request_id":"r-1"}}"#,
        ));
        match ok {
            PayOutcome::Succeeded(r) => {
                assert_eq!(r.gateway_ref.as_deref(), Some("r-1"));
                assert_eq!(r.pay_url.as_deref(), Some("111"));
                assert_eq!(r.detail.unwrap()["value"]["pay_status"], "PAY_SUCCESS");
            }
            other => panic!("{other:?}"),
        }
        for status in ["WAIT_PAY", "PAYING"] {
            let body = format!(
                r#"{{"{RESPONSE_KEY}":{{"result_success":true,"value":{{"pay_status":"{status}","pay_url":"http://pay/1"}},"request_id":"r"}}}}"#
            );
            for outcome in [
                Top.parse_pay(&response(200, &body)),
                Top.parse_status(&response(200, &body)),
            ] {
                assert!(
                    matches!(outcome, PayOutcome::Pending(ref r) if r.pay_url.as_deref() == Some("http://pay/1")),
                    "{status}: {outcome:?}"
                );
            }
        }
        let odd = format!(
            r#"{{"{RESPONSE_KEY}":{{"result_success":true,"value":{{"pay_status":"PAY_CLOSED"}}}}}}"#
        );
        assert!(
            matches!(Top.parse_pay(&response(200, &odd)), PayOutcome::Unknown(ref e) if e.code == "PAY_CLOSED")
        );
    }

    #[test]
    fn reads_a_common_error_as_a_refusal_in_its_own_words() {
        let body = format!(
            r#"{{"{RESPONSE_KEY}":{{"result_success":false,"error":{{"error_code":{{"code":"CREDIT_LIMIT_EXCEEDED","prefix":"HP"}},
                "location":"tradeplatform","message":"信控额度不足"}},"request_id":"r"}}}}"#
        );
        // A refused payment failed; a refused resend (the status query) is for a person.
        for outcome in [
            Top.parse_pay(&response(200, &body)),
            Top.parse_status(&response(200, &body)),
        ] {
            match outcome {
                PayOutcome::Failed(e) | PayOutcome::ForAPerson(e) => {
                    assert_eq!(e.code, "HP-CREDIT_LIMIT_EXCEEDED");
                    assert_eq!(e.message, "信控额度不足 (at tradeplatform)");
                    assert_eq!(e.retry, RetryClass::Not);
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            Top.parse_pay(&response(200, &body)),
            PayOutcome::Failed(_)
        ));
        assert!(matches!(
            Top.parse_status(&response(200, &body)),
            PayOutcome::ForAPerson(_)
        ));
        let bare = format!(r#"{{"{RESPONSE_KEY}":{{"result_success":false}}}}"#);
        assert!(matches!(
            Top.parse_pay(&response(200, &bare)),
            PayOutcome::Unknown(_)
        ));
    }

    fn error_body(code: i64, sub_code: Option<&str>) -> String {
        let mut e = serde_json::json!({"code": code, "msg": format!("m{code}"), "request_id": "r"});
        if let Some(s) = sub_code {
            e["sub_code"] = s.into();
            e["sub_msg"] = "详细".into();
        }
        serde_json::json!({ "error_response": e }).to_string()
    }

    #[test]
    fn reads_every_error_response_into_a_class() {
        let table: &[(i64, Option<&str>, RetryClass)] = &[
            (7, None, RetryClass::Safe),
            (
                7,
                Some("accesscontrol.limited-by-app-access-count"),
                RetryClass::Safe,
            ),
            (11, None, RetryClass::Not),
            (15, None, RetryClass::Unknown),
            (15, Some("isp.remote-service-error"), RetryClass::Unknown),
            (15, Some("isv.invalid-parameter"), RetryClass::Not),
            (21, None, RetryClass::Not),
            (22, None, RetryClass::Not),
            (24, None, RetryClass::Not),
            (25, None, RetryClass::Not),
            (26, None, RetryClass::Not),
            (27, None, RetryClass::Not),
            (28, None, RetryClass::Not),
            (29, None, RetryClass::Not),
            (30, None, RetryClass::Not),
            (31, None, RetryClass::Not),
            (40, Some("isv.missing-parameter"), RetryClass::Not),
            (41, Some("isv.invalid-parameter"), RetryClass::Not),
            (50, None, RetryClass::Unknown),
            (50, Some("isv.invalid-parameter"), RetryClass::Not),
            (50, Some("isv.order-not-exist"), RetryClass::Not),
            (50, Some("isv.order-already-paid"), RetryClass::Not),
            (50, Some(IDEMPOTENCY_CONFLICT), RetryClass::Unknown),
            (
                50,
                Some("isp.top-remote-connection-timeout"),
                RetryClass::Unknown,
            ),
            (99, None, RetryClass::Unknown),
        ];
        for &(code, sub_code, class) in table {
            let outcome = Top.parse_pay(&response(200, &error_body(code, sub_code)));
            let error = match (&outcome, class) {
                (PayOutcome::Unknown(e), RetryClass::Unknown) => e,
                (PayOutcome::Failed(e), RetryClass::Not | RetryClass::Safe) => e,
                _ => panic!("{code} {sub_code:?}: {outcome:?}"),
            };
            assert_eq!(error.retry, class, "{code} {sub_code:?}");
            assert_eq!(
                error.code,
                sub_code.map_or(code.to_string(), str::to_string)
            );
            assert!(error.message.starts_with(&format!("m{code} (code {code})")));
            if sub_code.is_some() {
                assert!(error.message.ends_with(": 详细"));
            }
        }
    }

    #[test]
    fn a_status_answer_settles_only_on_the_business_word() {
        // The business refused the resend: its first request may have paid, so a person
        // decides; never a failure.
        let for_a_person = [
            (50, Some("isv.order-not-exist")),
            (50, Some("isv.order-already-paid")),
            (41, Some("isv.invalid-parameter")),
        ];
        for (code, sub_code) in for_a_person {
            assert!(
                matches!(
                    Top.parse_status(&response(200, &error_body(code, sub_code))),
                    PayOutcome::ForAPerson(_)
                ),
                "{code} {sub_code:?}"
            );
        }
        let inconclusive = [
            (7, None),
            (11, None),
            (25, None),
            (29, None),
            (31, None),
            (15, Some("isp.remote-service-error")),
            (50, Some(IDEMPOTENCY_CONFLICT)),
            (50, None),
        ];
        for (code, sub_code) in inconclusive {
            match Top.parse_status(&response(200, &error_body(code, sub_code))) {
                PayOutcome::Unknown(e) => assert_eq!(e.retry, RetryClass::Unknown),
                other => panic!("{code} {sub_code:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_unreadable_answer_is_unknown_never_failed() {
        let cases = [
            (200, "not json"),
            (200, "{}"),
            (200, r#"{"error_response":{"msg":"no code"}}"#),
            (
                200,
                r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{}}"#,
            ),
            (
                200,
                r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":true}}"#,
            ),
            (
                200,
                r#"{"alibaba_cloudgame_tradeplatform_payorder_response":{"result_success":"true","value":{"pay_status":"PAY_SUCCESS"}}}"#,
            ),
            (200, "<html>busy</html>"),
            (502, "<html>bad gateway</html>"),
            (500, ""),
            // A well-formed refusal with a non-200 status is still a transport failure.
            (403, &error_body(25, None)),
        ];
        for (status, body) in cases {
            for outcome in [
                Top.parse_pay(&response(status, body)),
                Top.parse_status(&response(status, body)),
            ] {
                assert!(
                    matches!(outcome, PayOutcome::Unknown(_)),
                    "{status} {body}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn timestamps_are_gmt8() {
        let t = Utc.with_ymd_and_hms(2013, 5, 6, 5, 52, 3).unwrap();
        assert_eq!(timestamp_gmt8(t), "2013-05-06 13:52:03");
        let midnight = Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap();
        assert_eq!(timestamp_gmt8(midnight), "2025-01-01 00:00:00");
    }
}
