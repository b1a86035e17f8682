//! Debit's wire format: the JSON paydesk writes by hand (so an amount keeps its exact decimal
//! text), the envelope and `channelDebitOrderSimpleInfo` it reads back, sealed or in the
//! clear, and the callback the gateway pushes.

use paydesk_crypto::{aes256_ecb_decrypt_b64, aes256_ecb_encrypt_b64};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{Number, Value};

use super::config::{checked_access_key, ApiVersion};
use crate::common::answer::{self, json_object, BodyError, Named};
use crate::common::lenient::{self, Kept, Object, OrNone};
use crate::connector::*;
use crate::{Currency, Money, MoneyError};

/// The most significant digits a JSON double carries exactly (DBL_DIG).
const MAX_SIGNIFICANT_DIGITS: usize = 15;

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

/// The answer's envelope. Each field reads as absent when it is not what the gateway writes,
/// so the reader can say which one is wrong.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "lenient::or_none")]
    code: Option<i64>,
    #[serde(default, deserialize_with = "lenient::or_none")]
    message: Option<String>,
    #[serde(default)]
    data: Data,
}

/// `data`: the order in the clear (V1), sealed (V2), or neither.
#[derive(Deserialize)]
#[serde(untagged)]
enum Data {
    Sealed(String),
    Clear(Object<OrderData>),
    Neither(IgnoredAny),
}

impl Default for Data {
    fn default() -> Self {
        Data::Neither(IgnoredAny)
    }
}

/// `{"channelDebitOrderSimpleInfo": {...}}`: a V1 `data`, a decrypted V2 `data`, a callback.
#[derive(Deserialize)]
struct OrderData {
    #[serde(
        rename = "channelDebitOrderSimpleInfo",
        default,
        deserialize_with = "lenient::present"
    )]
    info: Option<InfoAsSent>,
}

/// `channelDebitOrderSimpleInfo` as the gateway wrote it, and read where it is an object.
type InfoAsSent = Kept<OrNone<Object<SimpleInfo>>>;

/// The fields of `channelDebitOrderSimpleInfo` an outcome rests on.
#[derive(Deserialize)]
struct SimpleInfo {
    #[serde(default, deserialize_with = "lenient::or_none")]
    id: Option<u64>,
    #[serde(rename = "processCode", default, deserialize_with = "lenient::or_none")]
    process_code: Option<ProcessCode>,
    #[serde(
        rename = "merchantSourceNo",
        default,
        deserialize_with = "lenient::or_none"
    )]
    merchant_source_no: Option<String>,
    #[serde(rename = "fiatAmount", default, deserialize_with = "lenient::or_none")]
    fiat_amount: Option<Number>,
}

/// `processCode`. BharatPay documents 30 and 40; every other value is still processing, and
/// is polled until it is one of the two [ours, PROTOCOLS.md].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(from = "i64")]
pub enum ProcessCode {
    Succeeded,
    Failed,
    Processing(i64),
}

impl From<i64> for ProcessCode {
    fn from(code: i64) -> Self {
        match code {
            30 => ProcessCode::Succeeded,
            40 => ProcessCode::Failed,
            other => ProcessCode::Processing(other),
        }
    }
}

impl ProcessCode {
    fn outcome(self, id: u64, receipt: Receipt) -> PayOutcome {
        match self {
            ProcessCode::Succeeded => PayOutcome::Succeeded(receipt),
            ProcessCode::Failed => PayOutcome::Failed(GatewayError::new(
                "40",
                format!("debit order {id} failed (processCode 40): nothing was paid out"),
                RetryClass::Not,
            )),
            ProcessCode::Processing(_) => PayOutcome::Pending(receipt),
        }
    }
}

/// The plain decimal text of a JSON number, or `None` for exponents, signs and the like. Reads
/// `Number`'s own text: without serde_json's `arbitrary_precision` that is the shortest text
/// that round-trips the double, which for up to 15 significant digits is the sent decimal.
pub(super) fn decimal_text(number: &Number) -> Option<String> {
    let text = number.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    Some(text)
}

/// `fiatAmount` of a `channelDebitOrderSimpleInfo` (a receipt's detail), exactly, in
/// `currency`.
pub fn fiat_amount(info: &Value, currency: Currency) -> Result<Money, MoneyError> {
    let number = OrNone::<Object<SimpleInfo>>::deserialize(info)
        .ok()
        .and_then(|read| read.0)
        .and_then(|Object(info)| info.fiat_amount)
        .ok_or_else(|| MoneyError::NotDecimal("fiatAmount is missing or not a number".into()))?;
    let text = decimal_text(&number).ok_or_else(|| MoneyError::NotDecimal(number.to_string()))?;
    Money::parse(&text, currency)
}

impl OrderData {
    /// The outcome the order describes, or why it cannot be read.
    fn outcome(self, sent_source_no: Option<&str>) -> Result<PayOutcome, String> {
        let Kept { raw, read } = self.info.ok_or("data has no channelDebitOrderSimpleInfo")?;
        let OrNone(Some(Object(info))) = read else {
            return Err("channelDebitOrderSimpleInfo is not an object".into());
        };
        let id = info
            .id
            .ok_or("channelDebitOrderSimpleInfo.id is missing or not an integer")?;
        let process_code = info
            .process_code
            .ok_or("channelDebitOrderSimpleInfo.processCode is missing or not an integer")?;
        let answered_source_no = match info.merchant_source_no.as_deref() {
            None | Some("") => {
                return Err("channelDebitOrderSimpleInfo.merchantSourceNo is missing".into())
            }
            Some(answered) => answered,
        };
        // The order names the payout it is: another's is not this one's, paid or failed.
        let named = sent_source_no.map(|sent| Named {
            field: "merchantSourceNo",
            sent,
            answered: answered_source_no,
        });
        if let Some(other) = answer::for_another_payment(named.as_slice()) {
            return Ok(other);
        }
        let fiat_amount = info
            .fiat_amount
            .as_ref()
            .and_then(decimal_text)
            .ok_or("channelDebitOrderSimpleInfo.fiatAmount is not a decimal number")?;
        let receipt = Receipt {
            gateway_ref: Some(id.to_string()),
            pay_url: None,
            detail: Some(raw),
            charged: Some(Charged::Decimal(fiat_amount)),
            gateway_deduction: None,
            payable_until: None,
            customer_ref: None,
        };
        Ok(process_code.outcome(id, receipt))
    }

    /// `merchantSourceNo`, or empty when the order names none.
    fn merchant_source_no(&self) -> &str {
        match &self.info {
            Some(Kept {
                read: OrNone(Some(Object(info))),
                ..
            }) => info.merchant_source_no.as_deref().unwrap_or(""),
            _ => "",
        }
    }
}

/// Why a sealed `data` could not be opened.
enum Unsealed {
    Undecryptable(String),
    NotAnObject,
}

fn unseal(access_key: &str, sealed: &str) -> Result<OrderData, Unsealed> {
    let plain = aes256_ecb_decrypt_b64(access_key.as_bytes(), sealed)
        .map_err(|e| Unsealed::Undecryptable(e.to_string()))?;
    json_object(&plain).map_err(|e| match e {
        BodyError::NotJson(e) => {
            Unsealed::Undecryptable(format!("decrypted data is not JSON: {e}"))
        }
        BodyError::NotAnObject | BodyError::Unreadable(_) => Unsealed::NotAnObject,
    })
}

/// Which call an answer belongs to: the codes mean different things for each.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Call {
    Pay,
    Status,
}

/// Pay refusals the gateway answers before any order exists [ours, see module docs].
fn refused_before_any_order(code: i64) -> bool {
    (1001..=1007).contains(&code)
}

const ORDER_NOT_FOUND: i64 = 1;

/// How an answer is read: with the profile's access key (which decrypts V2 answers) and the
/// wire version it speaks, where the caller knows them.
#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    pub key: Option<&'a str>,
    pub version: Option<ApiVersion>,
    /// The `sourceNo` the request sent, which the answer's order must name.
    pub source_no: Option<&'a str>,
}

impl Reader<'_> {
    pub const BLIND: Reader<'static> = Reader {
        key: None,
        version: None,
        source_no: None,
    };
}

/// Reads an answer to a Set/Place (`Call::Pay`) or Get/GetV2 (`Call::Status`).
pub(super) fn read(
    response: &http::Response<Vec<u8>>,
    reader: Reader<'_>,
    call: Call,
) -> PayOutcome {
    let status = response.status();
    let Ok(envelope) = json_object::<Envelope>(response.body()) else {
        return answer::unknown(
            answer::http_code(status),
            format!("HTTP {status} without a readable answer envelope"),
        );
    };
    let Some(code) = envelope.code else {
        return answer::malformed(format!("HTTP {status}: the answer has no integer code"));
    };
    let message = envelope.message.unwrap_or_default();
    if status.is_server_error() {
        return answer::unknown(
            answer::http_code(status),
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
            _ => answer::unknown(code.to_string(), message),
        };
    }
    if !status.is_success() {
        return answer::unknown(
            answer::http_code(status),
            format!("HTTP {status} with code 0"),
        );
    }
    let read = match envelope.data {
        // [ours] A V2 answer is encrypted: one in the clear did not come from the gateway as
        // documented (a proxy, a forgery) and is not believed.
        Data::Clear(_) if reader.version == Some(ApiVersion::V2) => {
            return answer::unknown(
                "UNENCRYPTED_ANSWER",
                "the V2 answer's data is not encrypted; it is not believed",
            )
        }
        Data::Clear(Object(data)) => data.outcome(reader.source_no),
        Data::Sealed(sealed) => match reader.key {
            None => {
                return answer::unknown(
                    "ACCESS_KEY_NEEDED",
                    "the V2 answer is encrypted; read it with the profile's access key",
                )
            }
            Some(key) => match unseal(key, &sealed) {
                Ok(data) => data.outcome(reader.source_no),
                Err(Unsealed::NotAnObject) => Err("decrypted data is not an object".into()),
                Err(Unsealed::Undecryptable(why)) => {
                    return answer::unknown(
                        "UNDECRYPTABLE_RESPONSE",
                        format!("the V2 answer's data does not decrypt: {why}"),
                    )
                }
            },
        },
        Data::Neither(_) => Err("code 0 without data".into()),
    };
    read.unwrap_or_else(|why| answer::malformed(format!("HTTP {status}: {why}")))
}

/// The body the gateway pushes once a payout is final.
#[derive(Deserialize)]
struct Callback {
    #[serde(rename = "sourceNo", default, deserialize_with = "lenient::or_none")]
    source_no: Option<String>,
    #[serde(default, deserialize_with = "lenient::or_none")]
    data: Option<String>,
}

/// Reads a callback body `{"sourceNo": "...", "data": "<AES>"}` with the profile's access
/// key: the payout's `sourceNo` (the attempt's idempotency key) and its outcome. Pure, for
/// the app's loopback listener, which acknowledges with HTTP 200 only when this is `Ok`.
pub fn parse_callback(body: &[u8], access_key: &str) -> Result<(String, PayOutcome), GatewayError> {
    let bad = |why: String| GatewayError::new("BAD_CALLBACK", why, RetryClass::Unknown);
    let key = checked_access_key(access_key).map_err(|e| {
        bad(match e {
            BuildError::MissingSecret(_) => "the access key is empty".to_string(),
            other => other.to_string(),
        })
    })?;
    let callback = match json_object::<Callback>(body) {
        Ok(callback) => callback,
        Err(BodyError::NotJson(e)) => return Err(bad(format!("callback is not JSON: {e}"))),
        Err(BodyError::NotAnObject | BodyError::Unreadable(_)) => Callback {
            source_no: None,
            data: None,
        },
    };
    let plain_source_no = callback
        .source_no
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("callback has no sourceNo".into()))?;
    let sealed = callback
        .data
        .ok_or_else(|| bad("callback has no data".into()))?;
    let data = match unseal(key, &sealed) {
        Ok(data) => data,
        Err(Unsealed::NotAnObject) => return Err(bad("callback data is not an object".into())),
        Err(Unsealed::Undecryptable(why)) => {
            return Err(bad(format!("callback data does not decrypt: {why}")))
        }
    };
    if data.merchant_source_no() != plain_source_no {
        return Err(GatewayError::new(
            "CALLBACK_MISMATCH",
            "the callback's sourceNo differs from the encrypted merchantSourceNo",
            RetryClass::Unknown,
        ));
    }
    let source_no = data.merchant_source_no().to_string();
    let outcome = data.outcome(None).map_err(bad)?;
    Ok((source_no, outcome))
}
