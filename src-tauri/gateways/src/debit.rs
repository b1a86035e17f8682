//! BharatPay channel Debit (payout) API: the merchant pays money out to a bank account.
//!
//! Two wire versions, chosen by the profile setting `api_version`:
//!
//! - **V1** `POST {base}/api/channel/Debit/Set` with `Authorization: <AccessKey>` and the JSON
//!   `{"amount": number, "sourceNo": "...", "callbackUrl": "..."|null}`; the status call is
//!   `POST {base}/api/channel/Debit/Get` with `{"channelDebitOrderId": int|null, "sourceNo":
//!   "..."|null}`.
//! - **V2** `POST {base}/api/channel/Debit/Place` and `/api/channel/Debit/GetV2` with
//!   `Authorization: <MerchantID>` and `{"data": "<base64>"}`, where `data` is the V1 JSON
//!   encrypted AES-256-ECB / PKCS7 / Base64 keyed by the access key's 32 ASCII bytes used
//!   directly (the PROTOCOLS.md vector pins this).
//!
//! `processCode` 30 is success, 40 is failure, anything else is still processing (pending); a
//! pending payout is resolved with the status call (`Get`/`GetV2`) or by a callback.
//!
//! Profile: secret `access_key` (exactly 32 printable ASCII characters, refused before
//! sending otherwise); settings `merchant_id` (required for V2), `api_version` (`v1` or `v2`),
//! `callback_url` (optional, http/https), `currency` (optional, the payout account's currency).
//!
//! Decisions marked [ours] in PROTOCOLS.md, or made here where nothing public says more:
//!
//! - [ours] Answers are the envelope `{"code": 0, "message": "", "data":
//!   {"channelDebitOrderSimpleInfo": {"id", "merchantId", "merchantSourceNo", "fiatAmount",
//!   "processCode", "createdTime", "updatedTime", "paid", "callbackCode", "closedTime"}}}`.
//!   A V2 answer's `data` is a Base64 string that decrypts (same key) to
//!   `{"channelDebitOrderSimpleInfo": {...}}`, the same shape a callback carries. `id`,
//!   `processCode`, `merchantSourceNo` and `fiatAmount` must be present for an answer to be
//!   read; anything else (bad JSON, HTML, a 5xx, a missing field) is `Unknown`.
//! - [ours] `sourceNo` is the attempt's idempotency key (1 to 64 characters): a second
//!   Set/Place with a known `sourceNo` returns the existing order, so a resend never pays out
//!   twice. `gateway_ref` is the debit order `id` as a string; `Receipt.detail` is the inner
//!   `channelDebitOrderSimpleInfo` object as the gateway sent it.
//! - [ours] The status call sends only `sourceNo` (`channelDebitOrderId` is `null`): "order
//!   not found" must mean "nothing was paid out under this sourceNo", which an id lookup
//!   cannot say.
//! - [ours] Error codes. Status: `code` 1 (`order not found`, HTTP 2xx) is
//!   `Failed(ORDER_NOT_FOUND, Safe)`: the gateway has no order under that `sourceNo`, nothing
//!   was paid out, a resend is safe. Every other non-zero code says nothing about the order and
//!   is `Unknown`, with the gateway's code and message. Pay: the emulator's refusals 1001
//!   (unauthorized), 1002 (`data` does not decrypt), 1003 (malformed request), 1004 (bad
//!   amount), 1005 (bad `sourceNo`), 1006 (bad `callbackUrl`) and 1007 (`sourceNo` already
//!   paid) are checked before any order exists, so they are `Failed` with `RetryClass::Not`;
//!   any other code (including 1) is `Unknown`. A 5xx is `Unknown` whatever its body says.
//! - [ours] `processCode` 40 is `Failed` with code `"40"` and `RetryClass::Not`: nothing was
//!   paid out, and resending the same `sourceNo` returns the same failed order (a new attempt
//!   has a new key).
//! - `amount` is a JSON number (a double on the wire). It is written from the exact decimal
//!   string ("1000.50" → `1000.5`), never through `f64`, and `fiatAmount` is read back through
//!   the number's text ([`fiat_amount`]). [ours] Amounts above 15 significant digits
//!   (9,999,999,999,999.99) are refused before sending, because a double cannot carry them
//!   exactly.
//! - [ours] The API carries no currency: the payout is in the merchant account's currency,
//!   the `currency` setting (default INR, BharatPay's). An order in another currency is
//!   refused before sending rather than paid out as the same digits in rupees.
//! - [ours] `api_version` defaults to `v1`. A V2 answer is encrypted, and the [`Connector`]
//!   trait's `parse_pay`/`parse_status` are not handed the secrets: through the trait a V2
//!   success is `Unknown(ACCESS_KEY_NEEDED)` (V2 errors are plain text and read normally).
//!   [`Debit::parse_pay_with`] and [`Debit::parse_status_with`] take the secrets and read
//!   both versions; a caller that holds the secrets (the engine does) should use them.
//! - Callbacks: the gateway POSTs `{"sourceNo": "...", "data": "<AES>"}` once the order is
//!   final; [`parse_callback`] decrypts and reads it (only HTTP 200 acknowledges one). [ours]
//!   The decrypted `merchantSourceNo` must equal the plain `sourceNo`, and the returned
//!   `sourceNo` is the decrypted one.
//! - Only [`Channel::Bank`]: a payout has no payer-side channel, and takes no vouchers, coupon
//!   or credit split.

use std::collections::BTreeMap;

use paydesk_crypto::{aes256_ecb_decrypt_b64, aes256_ecb_encrypt_b64};
use serde_json::{Map, Number, Value};

use crate::connector::*;
use crate::{Currency, Money, MoneyError, Secrets};

pub const ID: &str = "debit";

pub const SET_PATH: &str = "/api/channel/Debit/Set";
pub const GET_PATH: &str = "/api/channel/Debit/Get";
pub const PLACE_PATH: &str = "/api/channel/Debit/Place";
pub const GET_V2_PATH: &str = "/api/channel/Debit/GetV2";

/// The longest `sourceNo` paydesk sends [ours]; the engine's keys are 32 hex characters.
pub const MAX_SOURCE_NO_CHARS: usize = 64;

/// The most significant digits a JSON double carries exactly (DBL_DIG).
const MAX_SIGNIFICANT_DIGITS: usize = 15;

pub struct Debit;

/// Which of the two documented wire versions a profile speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V2,
}

/// What a profile without an `api_version` setting speaks (see the module docs for why).
pub const DEFAULT_API_VERSION: ApiVersion = ApiVersion::V1;

impl ApiVersion {
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Result<Self, BuildError> {
        match settings.get("api_version").map(|v| v.trim()) {
            None | Some("") => Ok(DEFAULT_API_VERSION),
            Some(v) if v.eq_ignore_ascii_case("v1") => Ok(ApiVersion::V1),
            Some(v) if v.eq_ignore_ascii_case("v2") => Ok(ApiVersion::V2),
            Some(other) => Err(BuildError::Invalid(format!(
                "setting api_version must be v1 or v2, got {other:?}"
            ))),
        }
    }
}

/// The access key, checked to be the 32 printable ASCII characters AES-256 is keyed by. The
/// error never contains the key.
fn access_key(secrets: &Secrets) -> Result<&str, BuildError> {
    let key = secrets.require("access_key")?;
    if key.len() != 32 || !key.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(BuildError::Invalid(format!(
            "secret access_key must be exactly 32 printable ASCII characters (got {} bytes)",
            key.len()
        )));
    }
    Ok(key)
}

fn merchant_id(settings: &BTreeMap<String, String>) -> Result<&str, BuildError> {
    let id = settings
        .get("merchant_id")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| BuildError::MissingSetting("merchant_id".into()))?;
    if !id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(BuildError::Invalid(
            "setting merchant_id must be printable ASCII without spaces".into(),
        ));
    }
    Ok(id)
}

fn callback_url(settings: &BTreeMap<String, String>) -> Result<Option<&str>, BuildError> {
    match settings.get("callback_url").map(|v| v.trim()) {
        None | Some("") => Ok(None),
        Some(url) => {
            let lower = url.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                return Err(BuildError::Invalid(format!(
                    "setting callback_url {url:?} must start with http:// or https://"
                )));
            }
            Ok(Some(url))
        }
    }
}

fn account_currency(settings: &BTreeMap<String, String>) -> Result<Currency, BuildError> {
    match settings.get("currency").map(|v| v.trim()) {
        None | Some("") => Ok(Currency::INR),
        Some(code) => {
            Currency::parse(code).map_err(|e| BuildError::Invalid(format!("setting currency: {e}")))
        }
    }
}

fn source_no(key: &str) -> Result<&str, BuildError> {
    if key.is_empty() {
        return Err(BuildError::Invalid(
            "the idempotency key (sourceNo) is empty".into(),
        ));
    }
    if key.chars().count() > MAX_SOURCE_NO_CHARS {
        return Err(BuildError::Invalid(format!(
            "the idempotency key (sourceNo) is longer than {MAX_SOURCE_NO_CHARS} characters"
        )));
    }
    Ok(key)
}

/// The JSON number text for an amount, from its exact decimal string: "1000.50" → `1000.5`,
/// "12.00" → `12`. Refuses what a double cannot carry exactly.
pub fn amount_number(amount: &Money) -> Result<String, BuildError> {
    if amount.minor <= 0 {
        return Err(BuildError::Invalid(format!(
            "a payout amount must be positive, got {}",
            amount.to_decimal_string()
        )));
    }
    let decimal = amount.to_decimal_string();
    let text = if decimal.contains('.') {
        decimal.trim_end_matches('0').trim_end_matches('.')
    } else {
        decimal.as_str()
    };
    let significant = text.replace('.', "");
    if significant.trim_start_matches('0').len() > MAX_SIGNIFICANT_DIGITS {
        return Err(BuildError::Invalid(format!(
            "amount {decimal} has more than {MAX_SIGNIFICANT_DIGITS} significant digits and \
             cannot travel exactly as a JSON double"
        )));
    }
    Ok(text.to_string())
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

/// The V1 Set body, written by hand so the amount keeps its exact decimal text.
pub fn set_body(amount_number: &str, source_no: &str, callback_url: Option<&str>) -> String {
    format!(
        "{{\"amount\":{amount_number},\"sourceNo\":{},\"callbackUrl\":{}}}",
        json_string(source_no),
        callback_url.map_or_else(|| "null".to_string(), json_string)
    )
}

/// The V1 Get body.
pub fn get_body(channel_debit_order_id: Option<u64>, source_no: Option<&str>) -> String {
    format!(
        "{{\"channelDebitOrderId\":{},\"sourceNo\":{}}}",
        channel_debit_order_id.map_or_else(|| "null".to_string(), |id| id.to_string()),
        source_no.map_or_else(|| "null".to_string(), json_string)
    )
}

/// Wraps a V1 JSON body for V2: `{"data": AES-256-ECB(access_key, body)}`.
pub fn seal(access_key: &str, v1_json: &str) -> Result<String, BuildError> {
    let data = aes256_ecb_encrypt_b64(access_key.as_bytes(), v1_json.as_bytes())
        .map_err(|e| BuildError::Invalid(e.to_string()))?;
    Ok(format!("{{\"data\":{}}}", json_string(&data)))
}

/// The request for one call in the profile's version: V1 sends `v1_json` under the access
/// key, V2 sends it sealed under the merchant id.
fn wire_request(
    base_url: &str,
    settings: &BTreeMap<String, String>,
    secrets: &Secrets,
    v1_path: &str,
    v2_path: &str,
    v1_json: String,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let version = ApiVersion::from_settings(settings)?;
    let key = access_key(secrets)?;
    let (path, authorization, body) = match version {
        ApiVersion::V1 => (v1_path, key, v1_json),
        ApiVersion::V2 => (v2_path, merchant_id(settings)?, seal(key, &v1_json)?),
    };
    let url = join_url(base_url, path)?;
    // V1's Authorization is the access key itself: keep it out of the request's Debug output.
    let mut authorization = http::HeaderValue::from_str(authorization)
        .map_err(|_| BuildError::Invalid("the Authorization value is not a valid header".into()))?;
    authorization.set_sensitive(true);
    http::Request::post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("authorization", authorization)
        .body(body.into_bytes())
        .map_err(|e| BuildError::Invalid(e.to_string()))
}

/// Which call an answer belongs to: the codes mean different things for each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Pay,
    Status,
}

/// Pay refusals the gateway answers before any order exists [ours, see module docs].
fn refused_before_any_order(code: i64) -> bool {
    (1001..=1007).contains(&code)
}

const ORDER_NOT_FOUND: i64 = 1;

fn unknown(code: impl Into<String>, message: impl Into<String>) -> PayOutcome {
    PayOutcome::Unknown(GatewayError::new(code, message, RetryClass::Unknown))
}

/// The plain decimal text of a JSON number, or `None` for exponents, signs and the like. Reads
/// `Number`'s own text: without serde_json's `arbitrary_precision` that is the shortest text
/// that round-trips the double, which for up to 15 significant digits is the sent decimal.
fn decimal_text(number: &Number) -> Option<String> {
    let text = number.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    Some(text)
}

/// `fiatAmount` of a `channelDebitOrderSimpleInfo`, exactly, in `currency`.
pub fn fiat_amount(info: &Value, currency: Currency) -> Result<Money, MoneyError> {
    let number = match info.get("fiatAmount") {
        Some(Value::Number(n)) => n,
        other => {
            return Err(MoneyError::NotDecimal(
                other.map_or_else(|| "missing".into(), Value::to_string),
            ))
        }
    };
    let text = decimal_text(number).ok_or_else(|| MoneyError::NotDecimal(number.to_string()))?;
    Money::parse(&text, currency)
}

/// The outcome a `channelDebitOrderSimpleInfo` describes, or why it cannot be read.
fn outcome_of(info: &Value) -> Result<PayOutcome, String> {
    let Some(object) = info.as_object() else {
        return Err("channelDebitOrderSimpleInfo is not an object".into());
    };
    let id = object
        .get("id")
        .and_then(Value::as_u64)
        .ok_or("channelDebitOrderSimpleInfo.id is missing or not an integer")?;
    let process_code = object
        .get("processCode")
        .and_then(Value::as_i64)
        .ok_or("channelDebitOrderSimpleInfo.processCode is missing or not an integer")?;
    match object.get("merchantSourceNo") {
        Some(Value::String(s)) if !s.is_empty() => {}
        _ => return Err("channelDebitOrderSimpleInfo.merchantSourceNo is missing".into()),
    }
    let fiat_amount = match object.get("fiatAmount") {
        Some(Value::Number(n)) => decimal_text(n),
        _ => None,
    }
    .ok_or("channelDebitOrderSimpleInfo.fiatAmount is not a decimal number")?;
    let receipt = Receipt {
        gateway_ref: Some(id.to_string()),
        pay_url: None,
        detail: Some(info.clone()),
        charged: Some(Charged::Decimal(fiat_amount)),
        gateway_deduction: None,
    };
    Ok(match process_code {
        30 => PayOutcome::Succeeded(receipt),
        40 => PayOutcome::Failed(GatewayError::new(
            "40",
            format!("debit order {id} failed (processCode 40): nothing was paid out"),
            RetryClass::Not,
        )),
        _ => PayOutcome::Pending(receipt),
    })
}

/// Reads `{"channelDebitOrderSimpleInfo": {...}}` (a V1 `data`, or a decrypted V2 `data`).
fn outcome_of_data(data: &Map<String, Value>) -> Result<PayOutcome, String> {
    let info = data
        .get("channelDebitOrderSimpleInfo")
        .ok_or("data has no channelDebitOrderSimpleInfo")?;
    outcome_of(info)
}

fn decrypt_json(access_key: &str, sealed: &str) -> Result<Value, String> {
    let plain = aes256_ecb_decrypt_b64(access_key.as_bytes(), sealed).map_err(|e| e.to_string())?;
    serde_json::from_slice(&plain).map_err(|e| format!("decrypted data is not JSON: {e}"))
}

/// How an answer is read: with the profile's access key (which decrypts V2 answers) and the
/// wire version it speaks, where the caller knows them.
#[derive(Clone, Copy)]
struct Reader<'a> {
    key: Option<&'a str>,
    version: Option<ApiVersion>,
}

impl<'a> Reader<'a> {
    const BLIND: Reader<'static> = Reader {
        key: None,
        version: None,
    };

    fn of_profile(secrets: &'a Secrets, settings: &BTreeMap<String, String>) -> Self {
        Reader {
            key: access_key(secrets).ok(),
            version: ApiVersion::from_settings(settings).ok(),
        }
    }
}

/// Reads an answer to a Set/Place (`Call::Pay`) or Get/GetV2 (`Call::Status`).
fn read(response: &http::Response<Vec<u8>>, reader: Reader<'_>, call: Call) -> PayOutcome {
    let status = response.status();
    let envelope = serde_json::from_slice::<Value>(response.body())
        .ok()
        .and_then(|v| match v {
            Value::Object(map) => Some(map),
            _ => None,
        });
    let Some(envelope) = envelope else {
        return unknown(
            format!("HTTP_{}", status.as_u16()),
            format!("HTTP {status} without a readable answer envelope"),
        );
    };
    let Some(code) = envelope.get("code").and_then(Value::as_i64) else {
        return unknown(
            "MALFORMED_RESPONSE",
            format!("HTTP {status}: the answer has no integer code"),
        );
    };
    let message = envelope
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if status.is_server_error() {
        return unknown(
            format!("HTTP_{}", status.as_u16()),
            format!("HTTP {status}, code {code}: {message}"),
        );
    }
    if code != 0 {
        return match call {
            Call::Status if code == ORDER_NOT_FOUND && status.is_success() => {
                PayOutcome::NoSuchPayment(GatewayError::new(
                    "ORDER_NOT_FOUND",
                    message,
                    RetryClass::Safe,
                ))
            }
            Call::Pay if refused_before_any_order(code) => PayOutcome::Failed(GatewayError::new(
                code.to_string(),
                message,
                RetryClass::Not,
            )),
            _ => unknown(code.to_string(), message),
        };
    }
    if !status.is_success() {
        return unknown(
            format!("HTTP_{}", status.as_u16()),
            format!("HTTP {status} with code 0"),
        );
    }
    let read = match envelope.get("data") {
        // [ours] A V2 answer is encrypted: one in the clear did not come from the gateway as
        // documented (a proxy, a forgery) and is not believed.
        Some(Value::Object(_)) if reader.version == Some(ApiVersion::V2) => {
            return unknown(
                "UNENCRYPTED_ANSWER",
                "the V2 answer's data is not encrypted; it is not believed",
            )
        }
        Some(Value::Object(data)) => outcome_of_data(data),
        Some(Value::String(sealed)) => match reader.key {
            None => {
                return unknown(
                    "ACCESS_KEY_NEEDED",
                    "the V2 answer is encrypted; read it with the profile's access key",
                )
            }
            Some(key) => match decrypt_json(key, sealed) {
                Ok(Value::Object(data)) => outcome_of_data(&data),
                Ok(_) => Err("decrypted data is not an object".into()),
                Err(why) => {
                    return unknown(
                        "UNDECRYPTABLE_RESPONSE",
                        format!("the V2 answer's data does not decrypt: {why}"),
                    )
                }
            },
        },
        _ => Err("code 0 without data".into()),
    };
    read.unwrap_or_else(|why| unknown("MALFORMED_RESPONSE", format!("HTTP {status}: {why}")))
}

/// Reads a callback body `{"sourceNo": "...", "data": "<AES>"}` with the profile's access
/// key: the payout's `sourceNo` (the attempt's idempotency key) and its outcome. Pure, for
/// the app's loopback listener, which acknowledges with HTTP 200 only when this is `Ok`.
pub fn parse_callback(body: &[u8], access_key: &str) -> Result<(String, PayOutcome), GatewayError> {
    let bad = |why: String| GatewayError::new("BAD_CALLBACK", why, RetryClass::Unknown);
    let key = access_key_checked(access_key).map_err(bad)?;
    let envelope: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("callback is not JSON: {e}")))?;
    let plain_source_no = envelope
        .get("sourceNo")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("callback has no sourceNo".into()))?;
    let sealed = envelope
        .get("data")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("callback has no data".into()))?;
    let data = match decrypt_json(key, sealed) {
        Ok(Value::Object(data)) => data,
        Ok(_) => return Err(bad("callback data is not an object".into())),
        Err(why) => return Err(bad(format!("callback data does not decrypt: {why}"))),
    };
    let sealed_source_no = data
        .get("channelDebitOrderSimpleInfo")
        .and_then(|info| info.get("merchantSourceNo"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if sealed_source_no != plain_source_no {
        return Err(GatewayError::new(
            "CALLBACK_MISMATCH",
            "the callback's sourceNo differs from the encrypted merchantSourceNo",
            RetryClass::Unknown,
        ));
    }
    let outcome = outcome_of_data(&data).map_err(bad)?;
    Ok((sealed_source_no.to_string(), outcome))
}

fn access_key_checked(key: &str) -> Result<&str, String> {
    access_key(&Secrets::new().with("access_key", key)).map_err(|e| match e {
        BuildError::MissingSecret(_) => "the access key is empty".to_string(),
        other => other.to_string(),
    })?;
    Ok(key)
}

impl Connector for Debit {
    fn parse_callback(
        &self,
        body: &[u8],
        secrets: &Secrets,
    ) -> Option<Result<(String, PayOutcome), GatewayError>> {
        let key = secrets.expose("access_key").unwrap_or("");
        Some(parse_callback(body, key))
    }

    /// `parse_pay` for a caller that holds the profile's secrets: also reads V2 answers.
    fn parse_pay_with(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
    ) -> PayOutcome {
        read(response, Reader::of_profile(secrets, settings), Call::Pay)
    }

    /// `parse_status` for a caller that holds the profile's secrets: also reads V2 answers.
    fn parse_status_with(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
    ) -> PayOutcome {
        read(
            response,
            Reader::of_profile(secrets, settings),
            Call::Status,
        )
    }
    fn id(&self) -> &'static str {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            channels: vec![Channel::Bank],
            vouchers: false,
            coupon: false,
            credit_split: false,
            status_query: true,
            status_query_is_resend: false,
            idempotency_key: true,
            required_secrets: vec!["access_key".into()],
            optional_secrets: vec![],
        }
    }

    fn build_pay(
        &self,
        base_url: &str,
        request: &PayRequest,
        secrets: &Secrets,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if request.channel != Channel::Bank {
            return Err(BuildError::UnsupportedChannel(request.channel.as_str()));
        }
        if !request.deductions.is_empty() {
            return Err(BuildError::Invalid("debit payouts take no vouchers".into()));
        }
        if request.coupon.is_some() {
            return Err(BuildError::Invalid("debit payouts take no coupon".into()));
        }
        if request.credit_amount.is_some() {
            return Err(BuildError::Invalid(
                "debit payouts have no credit split".into(),
            ));
        }
        let currency = account_currency(&request.settings)?;
        if request.amount.currency != currency {
            return Err(BuildError::Invalid(format!(
                "the order is in {}, the debit account pays out in {currency} (setting currency)",
                request.amount.currency
            )));
        }
        let amount = amount_number(&request.amount)?;
        let source_no = source_no(&request.idempotency_key)?;
        let callback = callback_url(&request.settings)?;
        let body = set_body(&amount, source_no, callback);
        wire_request(
            base_url,
            &request.settings,
            secrets,
            SET_PATH,
            PLACE_PATH,
            body,
        )
    }

    fn parse_pay(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        read(response, Reader::BLIND, Call::Pay)
    }

    fn check_settings(&self, settings: &BTreeMap<String, String>) -> Result<(), BuildError> {
        if ApiVersion::from_settings(settings)? == ApiVersion::V2 {
            merchant_id(settings)?;
        }
        callback_url(settings)?;
        account_currency(settings)?;
        Ok(())
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        Some(source_no(&query.idempotency_key).and_then(|source_no| {
            wire_request(
                base_url,
                &query.settings,
                secrets,
                GET_PATH,
                GET_V2_PATH,
                get_body(None, Some(source_no)),
            )
        }))
    }

    fn parse_status(&self, response: &http::Response<Vec<u8>>) -> PayOutcome {
        read(response, Reader::BLIND, Call::Status)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const KEY: &str = "ecb797f9e9feab0a92ab283978d33711";

    fn inr(amount: &str) -> Money {
        Money::parse(amount, Currency::INR).unwrap()
    }

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn request(amount: &str, version: &str) -> PayRequest {
        PayRequest {
            order_no: "DB-5002".into(),
            amount: inr(amount),
            subject: "Supplier payout".into(),
            channel: Channel::Bank,
            idempotency_key: "0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b".into(),
            deductions: vec![],
            settings: settings(&[("merchant_id", "10001"), ("api_version", version)]),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
        }
    }

    fn query(version: &str) -> StatusQuery {
        StatusQuery {
            order_no: "DB-5002".into(),
            amount: inr("1000.50"),
            channel: Channel::Bank,
            idempotency_key: "0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b".into(),
            gateway_ref: Some("7".into()),
            settings: settings(&[("merchant_id", "10001"), ("api_version", version)]),
            attributes: BTreeMap::new(),
            credit_amount: None,
        }
    }

    fn secrets() -> Secrets {
        Secrets::new().with("access_key", KEY)
    }

    fn response(status: u16, body: &str) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    fn info(process_code: i64, fiat: &str) -> String {
        format!(
            r#"{{"channelDebitOrderSimpleInfo":{{"id":7,"merchantId":"10001","merchantSourceNo":"src-1","fiatAmount":{fiat},"processCode":{process_code},"createdTime":"2024-05-01T10:00:00.000Z","updatedTime":"2024-05-01T10:00:01.000Z","paid":{},"callbackCode":null,"closedTime":null}}}}"#,
            process_code == 30
        )
    }

    fn v1_answer(process_code: i64, fiat: &str) -> String {
        format!(
            r#"{{"code":0,"message":"","data":{}}}"#,
            info(process_code, fiat)
        )
    }

    fn v2_answer(key: &str, process_code: i64, fiat: &str) -> String {
        let sealed =
            aes256_ecb_encrypt_b64(key.as_bytes(), info(process_code, fiat).as_bytes()).unwrap();
        format!(r#"{{"code":0,"message":"","data":"{sealed}"}}"#)
    }

    fn error_of(outcome: PayOutcome) -> GatewayError {
        match outcome {
            PayOutcome::Failed(e) | PayOutcome::Unknown(e) => e,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn seals_with_the_bharatpay_vector() {
        assert_eq!(
            seal(KEY, "Test").unwrap(),
            r#"{"data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#
        );
    }

    #[test]
    fn writes_amounts_as_exact_json_number_text() {
        for (amount, text) in [
            ("0.10", "0.1"),
            ("0.01", "0.01"),
            ("1000.50", "1000.5"),
            ("12345678.99", "12345678.99"),
            ("12.00", "12"),
            ("100", "100"),
            ("0.29", "0.29"),
            ("9999999999999.99", "9999999999999.99"),
        ] {
            assert_eq!(amount_number(&inr(amount)).unwrap(), text, "{amount}");
            // What a reader sees: the number's text reads back to the same minor units.
            let body: Value =
                serde_json::from_str(&set_body(&amount_number(&inr(amount)).unwrap(), "s", None))
                    .unwrap();
            let Value::Number(n) = &body["amount"] else {
                panic!("amount is not a number")
            };
            assert_eq!(
                Money::parse(&decimal_text(n).unwrap(), Currency::INR).unwrap(),
                inr(amount)
            );
        }
        let yen = Money::parse("1200", Currency::parse("JPY").unwrap()).unwrap();
        assert_eq!(amount_number(&yen).unwrap(), "1200");
        for bad in ["0", "-1.00", "10000000000000.01", "99999999999999.99"] {
            assert!(
                matches!(amount_number(&inr(bad)), Err(BuildError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn builds_a_v1_set_with_the_access_key_and_exact_json() {
        let mut req = request("1000.50", "v1");
        req.settings.insert(
            "callback_url".into(),
            "http://127.0.0.1:9/cb?x=\"1\"".into(),
        );
        let built = Debit
            .build_pay("http://127.0.0.1:1/debit/", &req, &secrets())
            .unwrap();
        assert_eq!(built.method(), http::Method::POST);
        assert_eq!(
            built.uri().to_string(),
            "http://127.0.0.1:1/debit/api/channel/Debit/Set"
        );
        assert_eq!(built.headers()["authorization"], KEY);
        assert_eq!(built.headers()["content-type"], "application/json");
        assert!(
            !format!("{built:?}").contains(KEY),
            "the key stays out of Debug"
        );
        assert_eq!(
            std::str::from_utf8(built.body()).unwrap(),
            r#"{"amount":1000.5,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":"http://127.0.0.1:9/cb?x=\"1\""}"#
        );
    }

    #[test]
    fn defaults_to_v1_without_an_api_version() {
        let mut req = request("0.10", "");
        req.settings.clear();
        let built = Debit.build_pay("http://x", &req, &secrets()).unwrap();
        assert_eq!(built.uri().path(), SET_PATH);
        assert_eq!(
            std::str::from_utf8(built.body()).unwrap(),
            r#"{"amount":0.1,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":null}"#
        );
        assert_eq!(DEFAULT_API_VERSION, ApiVersion::V1);
    }

    #[test]
    fn builds_a_v2_place_sealed_under_the_merchant_id() {
        let built = Debit
            .build_pay("http://x", &request("12345678.99", "V2"), &secrets())
            .unwrap();
        assert_eq!(built.uri().path(), PLACE_PATH);
        assert_eq!(built.headers()["authorization"], "10001");
        let body: Value = serde_json::from_slice(built.body()).unwrap();
        let plain = aes256_ecb_decrypt_b64(KEY.as_bytes(), body["data"].as_str().unwrap()).unwrap();
        assert_eq!(
            std::str::from_utf8(&plain).unwrap(),
            r#"{"amount":12345678.99,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b","callbackUrl":null}"#
        );
        assert_eq!(body.as_object().unwrap().len(), 1);
    }

    #[test]
    fn builds_status_queries_by_source_no_only() {
        let v1 = Debit
            .build_status("http://x", &query("v1"), &secrets())
            .unwrap()
            .unwrap();
        assert_eq!(v1.uri().path(), GET_PATH);
        assert_eq!(v1.headers()["authorization"], KEY);
        assert_eq!(
            std::str::from_utf8(v1.body()).unwrap(),
            r#"{"channelDebitOrderId":null,"sourceNo":"0f8e3c2a9b7d4e6f8a1b2c3d4e5f6a7b"}"#
        );
        let v2 = Debit
            .build_status("http://x", &query("v2"), &secrets())
            .unwrap()
            .unwrap();
        assert_eq!(v2.uri().path(), GET_V2_PATH);
        assert_eq!(v2.headers()["authorization"], "10001");
        let body: Value = serde_json::from_slice(v2.body()).unwrap();
        let plain = aes256_ecb_decrypt_b64(KEY.as_bytes(), body["data"].as_str().unwrap()).unwrap();
        assert_eq!(plain, v1.body().as_slice());
        assert_eq!(
            get_body(Some(7), None),
            r#"{"channelDebitOrderId":7,"sourceNo":null}"#
        );
    }

    #[test]
    fn refuses_before_sending_and_never_shows_the_key() {
        let build = |req: &PayRequest, secrets: &Secrets| {
            Debit.build_pay("http://x", req, secrets).unwrap_err()
        };
        let mut other_channel = request("1.00", "v1");
        other_channel.channel = Channel::Alipay;
        assert_eq!(
            build(&other_channel, &secrets()),
            BuildError::UnsupportedChannel("alipay")
        );
        assert_eq!(
            build(&request("1.00", "v1"), &Secrets::new()),
            BuildError::MissingSecret("access_key".into())
        );
        assert_eq!(
            build(
                &request("1.00", "v1"),
                &Secrets::new().with("access_key", "")
            ),
            BuildError::MissingSecret("access_key".into())
        );
        let short = "ecb797f9e9feab0a92ab283978d3371";
        let non_ascii = "ecb797f9e9feab0a92ab283978d337é";
        let with_newline = "ecb797f9e9feab0a92ab283978d3371\n";
        for bad in [
            short,
            non_ascii,
            with_newline,
            "ecb797f9e9feab0a92ab283978d337111",
        ] {
            let err = build(
                &request("1.00", "v1"),
                &Secrets::new().with("access_key", bad),
            );
            assert!(matches!(err, BuildError::Invalid(_)), "{bad:?}: {err:?}");
            assert!(!err.to_string().contains(bad.trim()), "{err}");
        }
        let mut no_merchant = request("1.00", "v2");
        no_merchant.settings.remove("merchant_id");
        assert_eq!(
            build(&no_merchant, &secrets()),
            BuildError::MissingSetting("merchant_id".into())
        );
        no_merchant
            .settings
            .insert("api_version".into(), "v1".into());
        assert!(Debit
            .build_pay("http://x", &no_merchant, &secrets())
            .is_ok());
        for (key, value) in [
            ("api_version", "v3"),
            ("callback_url", "ftp://x/cb"),
            ("currency", "XXX"),
            ("currency", "CNY"),
        ] {
            let mut req = request("1.00", "v1");
            req.settings.insert(key.into(), value.into());
            assert!(
                matches!(build(&req, &secrets()), BuildError::Invalid(_)),
                "{key}={value}"
            );
        }
        let mut cny = request("1.00", "v1");
        cny.amount = Money::parse("1.00", Currency::CNY).unwrap();
        assert!(matches!(build(&cny, &secrets()), BuildError::Invalid(_)));
        cny.settings.insert("currency".into(), "cny".into());
        assert!(Debit.build_pay("http://x", &cny, &secrets()).is_ok());
        let mut zero = request("1.00", "v1");
        zero.amount = inr("0.00");
        assert!(matches!(build(&zero, &secrets()), BuildError::Invalid(_)));
        let mut vouchers = request("1.00", "v1");
        vouchers.deductions.push(Deduction {
            id: "v".into(),
            amount: inr("0.50"),
        });
        assert!(matches!(
            build(&vouchers, &secrets()),
            BuildError::Invalid(_)
        ));
        let mut coupon = request("1.00", "v1");
        coupon.coupon = Some("c".into());
        assert!(matches!(build(&coupon, &secrets()), BuildError::Invalid(_)));
        let mut credit = request("1.00", "v1");
        credit.credit_amount = Some(inr("0.50"));
        assert!(matches!(build(&credit, &secrets()), BuildError::Invalid(_)));
        let mut keyless = request("1.00", "v1");
        keyless.idempotency_key = String::new();
        assert!(matches!(
            build(&keyless, &secrets()),
            BuildError::Invalid(_)
        ));
        keyless.idempotency_key = "k".repeat(65);
        assert!(matches!(
            build(&keyless, &secrets()),
            BuildError::Invalid(_)
        ));
        keyless.idempotency_key = "k".repeat(64);
        assert!(Debit.build_pay("http://x", &keyless, &secrets()).is_ok());
        assert!(matches!(
            Debit.build_pay("x", &request("1.00", "v1"), &secrets()),
            Err(BuildError::BadBaseUrl(_))
        ));
        let mut status_keyless = query("v1");
        status_keyless.idempotency_key = String::new();
        assert!(Debit
            .build_status("http://x", &status_keyless, &secrets())
            .unwrap()
            .is_err());
    }

    #[test]
    fn reads_process_codes_from_v1_answers() {
        let ok = Debit.parse_pay(&response(200, &v1_answer(30, "0.1")));
        let PayOutcome::Succeeded(receipt) = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(receipt.gateway_ref.as_deref(), Some("7"));
        let detail = receipt.detail.unwrap();
        assert_eq!(detail["merchantSourceNo"], "src-1");
        assert_eq!(fiat_amount(&detail, Currency::INR).unwrap(), inr("0.10"));
        for code in [0, 10, 20, 25] {
            let pending = Debit.parse_pay(&response(200, &v1_answer(code, "1000.5")));
            assert!(
                matches!(pending, PayOutcome::Pending(ref r) if r.gateway_ref.as_deref() == Some("7")),
                "{code}"
            );
            let pending = Debit.parse_status(&response(200, &v1_answer(code, "1000.5")));
            assert!(matches!(pending, PayOutcome::Pending(_)), "{code}");
        }
        let failed = error_of(Debit.parse_status(&response(200, &v1_answer(40, "0.4"))));
        assert_eq!(
            (failed.code.as_str(), failed.retry),
            ("40", RetryClass::Not)
        );
        assert!(matches!(
            Debit.parse_pay(&response(200, &v1_answer(40, "0.4"))),
            PayOutcome::Failed(_)
        ));
        assert!(matches!(
            Debit.parse_status(&response(200, &v1_answer(30, "12345678.99"))),
            PayOutcome::Succeeded(_)
        ));
    }

    #[test]
    fn reads_fiat_amounts_exactly() {
        for (text, minor) in [
            ("0.1", 10),
            ("1000.5", 100050),
            ("1000.50", 100050),
            ("12345678.99", 1234567899),
            ("250", 25000),
            ("250.0", 25000),
            ("9999999999999.99", 999999999999999),
        ] {
            let detail: Value =
                serde_json::from_str(&format!(r#"{{"fiatAmount":{text}}}"#)).unwrap();
            assert_eq!(
                fiat_amount(&detail, Currency::INR).unwrap().minor,
                minor,
                "{text}"
            );
        }
        for text in ["0.001", "-1", "1e300", "\"1.00\"", "null"] {
            let detail: Value =
                serde_json::from_str(&format!(r#"{{"fiatAmount":{text}}}"#)).unwrap();
            assert!(fiat_amount(&detail, Currency::INR).is_err(), "{text}");
        }
    }

    #[test]
    fn reads_v2_answers_only_with_the_key() {
        let body = v2_answer(KEY, 30, "1000.5");
        let v2 = settings(&[("api_version", "v2")]);
        let with_key = Debit.parse_pay_with(&response(200, &body), &secrets(), &v2);
        let PayOutcome::Succeeded(receipt) = with_key else {
            panic!("{with_key:?}")
        };
        assert_eq!(receipt.gateway_ref.as_deref(), Some("7"));
        assert_eq!(
            fiat_amount(receipt.detail.as_ref().unwrap(), Currency::INR).unwrap(),
            inr("1000.50")
        );
        assert_eq!(receipt.charged, Some(Charged::Decimal("1000.5".into())));
        assert!(receipt.charged.unwrap().is(inr("1000.50")));
        assert!(matches!(
            Debit.parse_status_with(&response(200, &v2_answer(KEY, 20, "1")), &secrets(), &v2),
            PayOutcome::Pending(_)
        ));
        let without = error_of(Debit.parse_pay(&response(200, &body)));
        assert_eq!(
            (without.code.as_str(), without.retry),
            ("ACCESS_KEY_NEEDED", RetryClass::Unknown)
        );
        let other_key = "00000000000000000000000000000000";
        let wrong = Debit.parse_status_with(
            &response(200, &v2_answer(other_key, 30, "1")),
            &secrets(),
            &v2,
        );
        assert!(matches!(wrong, PayOutcome::Unknown(ref e) if e.code == "UNDECRYPTABLE_RESPONSE"));
        // Sealed, but not the documented wrapper: unreadable, never a verdict.
        let bare = aes256_ecb_encrypt_b64(KEY.as_bytes(), br#"{"id":7,"processCode":30}"#).unwrap();
        let bare = format!(r#"{{"code":0,"message":"","data":"{bare}"}}"#);
        assert!(matches!(
            Debit.parse_pay_with(&response(200, &bare), &secrets(), &v2),
            PayOutcome::Unknown(_)
        ));
        // A V2 answer in the clear did not come from the gateway as documented.
        for (call, outcome) in [
            (
                "pay",
                Debit.parse_pay_with(&response(200, &v1_answer(30, "1")), &secrets(), &v2),
            ),
            (
                "status",
                Debit.parse_status_with(&response(200, &v1_answer(30, "1")), &secrets(), &v2),
            ),
        ] {
            assert!(
                matches!(outcome, PayOutcome::Unknown(ref e) if e.code == "UNENCRYPTED_ANSWER"),
                "{call}: {outcome:?}"
            );
        }
        let v1 = settings(&[("api_version", "v1")]);
        assert!(matches!(
            Debit.parse_pay_with(&response(200, &v1_answer(30, "1")), &secrets(), &v1),
            PayOutcome::Succeeded(_)
        ));
        // V2 refusals are plain text and read without the key.
        let refused = error_of(Debit.parse_pay(&response(
            401,
            r#"{"code":1001,"message":"unauthorized","data":null}"#,
        )));
        assert_eq!(
            (refused.code.as_str(), refused.retry),
            ("1001", RetryClass::Not)
        );
    }

    #[test]
    fn maps_every_error_code_to_a_class() {
        let pay_table = [
            (401, 1001, "Failed", RetryClass::Not),
            (400, 1002, "Failed", RetryClass::Not),
            (400, 1003, "Failed", RetryClass::Not),
            (400, 1004, "Failed", RetryClass::Not),
            (400, 1005, "Failed", RetryClass::Not),
            (400, 1006, "Failed", RetryClass::Not),
            (200, 1007, "Failed", RetryClass::Not),
            (200, 1, "Unknown", RetryClass::Unknown),
            (200, 1008, "Unknown", RetryClass::Unknown),
            (200, -1, "Unknown", RetryClass::Unknown),
            (200, 9999, "Unknown", RetryClass::Unknown),
            (500, 1003, "Unknown", RetryClass::Unknown),
        ];
        for (status, code, kind, class) in pay_table {
            let body = format!(r#"{{"code":{code},"message":"m{code}","data":null}}"#);
            let outcome = Debit.parse_pay(&response(status, &body));
            let is_failed = matches!(outcome, PayOutcome::Failed(_));
            let error = error_of(outcome);
            assert_eq!(is_failed, kind == "Failed", "pay {status} {code}");
            assert_eq!(error.retry, class, "pay {status} {code}");
            if status < 500 {
                assert_eq!(error.code, code.to_string());
                assert_eq!(error.message, format!("m{code}"));
            } else {
                assert!(error.message.contains(&format!("m{code}")));
            }
        }
        // "Not found" is no such payment (believed only for a lost request), never a failure.
        let not_found = Debit.parse_status(&response(
            200,
            r#"{"code":1,"message":"order not found","data":null}"#,
        ));
        assert_eq!(
            not_found,
            PayOutcome::NoSuchPayment(GatewayError::new(
                "ORDER_NOT_FOUND",
                "order not found",
                RetryClass::Safe
            ))
        );
        for (status, code) in [
            (200, 1001),
            (401, 1001),
            (200, 1003),
            (200, 2),
            (404, 1),
            (500, 1),
            (503, 0),
        ] {
            let body = format!(r#"{{"code":{code},"message":"m","data":null}}"#);
            assert!(
                matches!(
                    Debit.parse_status(&response(status, &body)),
                    PayOutcome::Unknown(_)
                ),
                "status {status} {code}"
            );
        }
    }

    #[test]
    fn an_unreadable_answer_is_unknown_never_failed() {
        let no_id = v1_answer(30, "1").replace(r#""id":7,"#, "");
        let no_code = v1_answer(30, "1").replace(r#""processCode":30,"#, "");
        let string_amount = v1_answer(30, "\"1.00\"");
        let no_source = v1_answer(30, "1").replace(r#""merchantSourceNo":"src-1","#, "");
        let string_id = v1_answer(30, "1").replace(r#""id":7"#, r#""id":"7""#);
        for (status, body) in [
            (200, "not json"),
            (200, "{}"),
            (200, "[]"),
            (200, r#"{"code":"0"}"#),
            (200, r#"{"code":0,"message":"","data":null}"#),
            (200, r#"{"code":0,"message":"","data":{}}"#),
            (
                200,
                r#"{"code":0,"message":"","data":{"channelDebitOrderSimpleInfo":null}}"#,
            ),
            (200, r#"{"code":0,"message":"","data":"%%%"}"#),
            (400, &v1_answer(30, "1")),
            (502, "<html>bad gateway</html>"),
            (500, ""),
            (200, &no_id),
            (200, &no_code),
            (200, &string_amount),
            (200, &no_source),
            (200, &string_id),
            (200, &v1_answer(30, "1e300")),
        ] {
            for outcome in [
                Debit.parse_pay(&response(status, body)),
                Debit.parse_status_with(&response(status, body), &secrets(), &BTreeMap::new()),
            ] {
                assert!(
                    matches!(outcome, PayOutcome::Unknown(_)),
                    "{status} {body}: {outcome:?}"
                );
            }
        }
    }

    #[test]
    fn reads_callbacks_with_the_access_key() {
        let sealed = |code: i64, source: &str| {
            let inner = info(code, "1000.5").replace("src-1", source);
            let data = aes256_ecb_encrypt_b64(KEY.as_bytes(), inner.as_bytes()).unwrap();
            format!(r#"{{"sourceNo":"{source}","data":"{data}"}}"#)
        };
        let (source, outcome) = parse_callback(sealed(30, "k-1").as_bytes(), KEY).unwrap();
        assert_eq!(source, "k-1");
        assert!(
            matches!(outcome, PayOutcome::Succeeded(ref r) if r.gateway_ref.as_deref() == Some("7"))
        );
        let (_, failed) = parse_callback(sealed(40, "k-2").as_bytes(), KEY).unwrap();
        assert!(matches!(failed, PayOutcome::Failed(ref e) if e.code == "40"));
        let swapped = sealed(30, "k-1").replace(r#""sourceNo":"k-1""#, r#""sourceNo":"k-9""#);
        assert_eq!(
            parse_callback(swapped.as_bytes(), KEY).unwrap_err().code,
            "CALLBACK_MISMATCH"
        );
        let other_key = "00000000000000000000000000000000";
        for (body, key) in [
            (sealed(30, "k-1"), other_key),
            (sealed(30, "k-1"), "short"),
            ("not json".to_string(), KEY),
            (r#"{"sourceNo":"k-1"}"#.to_string(), KEY),
            (r#"{"data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#.to_string(), KEY),
            (
                r#"{"sourceNo":"k-1","data":"M2SwiX1fxQ5aJ34scDi0zA=="}"#.to_string(),
                KEY,
            ),
        ] {
            let err = parse_callback(body.as_bytes(), key).unwrap_err();
            assert_eq!(err.retry, RetryClass::Unknown, "{body}");
            assert!(!err.message.contains(KEY));
        }
    }

    #[test]
    fn offers_bank_payouts_with_status_and_idempotency() {
        let caps = Debit.capabilities();
        assert_eq!(caps.channels, vec![Channel::Bank]);
        assert!(caps.status_query && caps.idempotency_key);
        assert!(!caps.vouchers && !caps.coupon && !caps.credit_split);
        assert_eq!(caps.required_secrets, vec!["access_key".to_string()]);
        assert_eq!(Debit.id(), "debit");
    }
}
