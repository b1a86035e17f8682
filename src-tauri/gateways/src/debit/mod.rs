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
//! - [ours] An order names the payout it is: read by the engine (`parse_pay_with`,
//!   `parse_status_with`), a `merchantSourceNo` other than the `sourceNo` sent is another
//!   payout's, succeeded or failed, and goes to a person (`ANSWER_FOR_ANOTHER_PAYMENT`).

use std::collections::BTreeMap;

use crate::connector::*;
use crate::Secrets;

mod config;
mod wire;

pub use config::{access_key, ApiVersion, Config, Version, DEFAULT_API_VERSION};
pub use wire::{amount_number, fiat_amount, get_body, parse_callback, seal, set_body, ProcessCode};
use wire::{Call, Reader};

pub const ID: &str = "debit";

pub const SET_PATH: &str = "/api/channel/Debit/Set";
pub const GET_PATH: &str = "/api/channel/Debit/Get";
pub const PLACE_PATH: &str = "/api/channel/Debit/Place";
pub const GET_V2_PATH: &str = "/api/channel/Debit/GetV2";

/// The longest `sourceNo` paydesk sends [ours]; the engine's keys are 32 hex characters.
pub const MAX_SOURCE_NO_CHARS: usize = 64;

pub struct Debit;

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

/// The request for one call in the profile's version: V1 sends `v1_json` under the access
/// key, V2 sends it sealed under the merchant id.
fn wire_request(
    base_url: &str,
    config: &Config<'_>,
    secrets: &Secrets,
    v1_path: &str,
    v2_path: &str,
    v1_json: String,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let key = access_key(secrets)?;
    let (path, authorization, body) = match config.version {
        Version::V1 => (v1_path, key, v1_json),
        Version::V2 { merchant_id } => (v2_path, merchant_id, seal(key, &v1_json)?),
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

/// A reader that knows the profile's access key and version, where they read.
fn reader_of_profile<'a>(
    secrets: &'a Secrets,
    settings: &BTreeMap<String, String>,
    asked: Option<Asked<'a>>,
) -> Reader<'a> {
    match asked {
        Some(asked) => Reader {
            key: access_key(secrets).ok(),
            version: ApiVersion::from_settings(settings).ok(),
            source_no: Some(asked.idempotency_key),
        },
        // The answer on its own, as a test or a tool reads it.
        None => Reader::BLIND,
    }
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

    /// With the profile's secrets it also reads V2 answers; with the payment asked, it holds
    /// the answer's `merchantSourceNo` against it.
    fn read_pay(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        wire::read(
            response,
            reader_of_profile(secrets, settings, asked),
            Call::Pay,
        )
    }

    /// As [`Connector::read_pay`].
    fn read_status(
        &self,
        response: &http::Response<Vec<u8>>,
        secrets: &Secrets,
        settings: &BTreeMap<String, String>,
        asked: Option<Asked<'_>>,
    ) -> PayOutcome {
        wire::read(
            response,
            reader_of_profile(secrets, settings, asked),
            Call::Status,
        )
    }

    fn id(&self) -> &'static str {
        ID
    }

    fn order_currency(&self, settings: &BTreeMap<String, String>) -> Option<crate::Currency> {
        config::account_currency(settings).ok()
    }

    fn settings(&self) -> Vec<SettingSpec> {
        vec![
            SettingSpec::new("merchant_id", true, SettingKind::Text),
            SettingSpec::new(
                "api_version",
                false,
                SettingKind::Choice(vec!["v1".into(), "v2".into()]),
            )
            .defaulting_to("v1"),
            SettingSpec::new("currency", false, SettingKind::Text).defaulting_to("INR"),
            SettingSpec::new("callback_url", false, SettingKind::Url),
        ]
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
            pays_out: true,
            subscription_refunds: false,
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
        let config = Config::parse(&request.settings)?;
        if request.amount.currency != config.currency {
            return Err(BuildError::Invalid(format!(
                "the order is in {}, the debit account pays out in {} (setting currency)",
                request.amount.currency, config.currency
            )));
        }
        let amount = amount_number(&request.amount)?;
        let source_no = source_no(&request.idempotency_key)?;
        let body = set_body(&amount, source_no, config.callback_url);
        wire_request(base_url, &config, secrets, SET_PATH, PLACE_PATH, body)
    }

    fn check_settings(&self, settings: &BTreeMap<String, String>) -> Result<(), BuildError> {
        Config::parse(settings).map(|_| ())
    }

    fn build_status(
        &self,
        base_url: &str,
        query: &StatusQuery,
        secrets: &Secrets,
    ) -> Option<Result<http::Request<Vec<u8>>, BuildError>> {
        let build = || {
            let source_no = source_no(&query.idempotency_key)?;
            let config = Config::parse(&query.settings)?;
            wire_request(
                base_url,
                &config,
                secrets,
                GET_PATH,
                GET_V2_PATH,
                get_body(None, Some(source_no)),
            )
        };
        Some(build())
    }
}

#[cfg(test)]
mod tests;
