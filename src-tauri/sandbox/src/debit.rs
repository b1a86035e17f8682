//! BharatPay channel Debit (payout) emulator: `POST /api/channel/Debit/Set` and `/Get` (V1),
//! `/Place` and `/GetV2` (V2), plus callbacks.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! Wire: V1 takes `Authorization: <AccessKey>` and plain JSON, Set `{"amount": number,
//! "sourceNo": "...", "callbackUrl": "..."|null}`, Get `{"channelDebitOrderId": int|null,
//! "sourceNo": "..."|null}`. V2 takes `Authorization: <MerchantID>` and `{"data": "<base64>"}`,
//! the same JSON encrypted AES-256-ECB / PKCS7 / Base64 under the merchant's access key (its
//! 32 ASCII bytes). Both are checked exactly: a V2 request must name this merchant AND its data
//! must decrypt with this merchant's key.
//!
//! Decisions marked [ours] (PROTOCOLS.md leaves them open; the connector implements the same):
//!
//! - Envelope `{"code": 0, "message": "", "data": {"channelDebitOrderSimpleInfo": {"id",
//!   "merchantId", "merchantSourceNo", "fiatAmount", "processCode", "createdTime",
//!   "updatedTime", "paid", "callbackCode", "closedTime"}}}`; V2 answers carry
//!   `{"channelDebitOrderSimpleInfo": {...}}` encrypted, as a Base64 string, in `data`.
//!   `id` is an integer, `merchantId` a string, times are RFC 3339 UTC strings, `closedTime`
//!   is null until the order is final, `callbackCode` is null until a callback was tried, then
//!   the HTTP status of the latest delivery (0 when no HTTP answer came back). `fiatAmount`
//!   is written from integer paise as exact number text (`1000.5`), never through a float.
//! - Errors are `{"code": N, "message": "...", "data": null}` (plain, also for V2):
//!   `1` order not found (Get/GetV2, HTTP 200): nothing is known under that id/sourceNo;
//!   `1001` unauthorized (HTTP 401): Authorization missing, given twice, or not this merchant's
//!   access key (V1) / merchant id (V2); `1002` (HTTP 400): V2 `data` does not decrypt to JSON
//!   with the merchant's access key; `1003` (HTTP 400): the body (or decrypted data) is not
//!   the expected JSON object, names a key twice, a field has the wrong type, or a Get names
//!   neither id nor sourceNo; `1004` (HTTP 400): amount not positive, more than 2 decimals,
//!   above 9,999,999,999,999.99 (more than a double carries exactly) or not plain decimal;
//!   `1005` (HTTP 400): sourceNo missing, blank, with control characters or longer than 64
//!   characters; `1006` (HTTP 400): callbackUrl is not an http(s) URL on a loopback host (the
//!   sandbox calls nothing else) of at most 2,048 characters; `1007` (HTTP 200): the sandbox's order book already holds
//!   that sourceNo as paid by other means.
//! - `sourceNo` is the idempotency key: a Set/Place with a known sourceNo answers the existing
//!   order as it stands (whatever the new amount or callbackUrl), never a second payout.
//! - Processing: a payout of up to 1000.00 is final in the Set/Place answer; a larger one is
//!   answered `processCode` 20 (processing) and becomes final at the first Get/GetV2 that finds
//!   it, or, when its paise are 55 (`1000.55`), on its own 300 ms after the answer (then only
//!   its callback tells the merchant, unless a Get comes first). An amount whose paise are 40 (`0.40`, `1000.40`) ends in 40 (failed); every other
//!   ends in 30 (paid out). A repeat Set/Place never advances an order.
//! - The ledger: the charge is recorded (order number = sourceNo, channel `bank`, the payout
//!   amount) in the same transaction that moves the order to 30, and never for 40; so every
//!   charge is an order Get reports as 30. A payout has no paydesk order behind it at the
//!   gateway, so the sandbox enters the sourceNo in its order book itself.
//! - Callbacks: when a callbackUrl was given, reaching 30 or 40 POSTs `{"sourceNo": "...",
//!   "data": "<AES of {\"channelDebitOrderSimpleInfo\": {...}}>"}` to it. Only HTTP 200
//!   acknowledges; otherwise it is retried 3 times, after 200, 400 and 800 ms.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use paydesk_crypto::{aes256_ecb_decrypt_b64, aes256_ecb_encrypt_b64};
use serde::{Deserialize, Serialize};
use serde_json::{json, Number, Value};

use crate::ledger::{Book, ChargeResult, SandboxOrder};
use crate::strict_json::{self, JsonError};
use crate::{AppState, Ledger, SandboxConfig};

const GATEWAY: &str = "debit";

const PROCESSING: i64 = 20;
const SUCCEEDED: i64 = 30;
const FAILED: i64 = 40;

/// Payouts up to this many paise are final in the Set/Place answer.
const INSTANT_LIMIT_MINOR: i64 = 100_000;
/// 9,999,999,999,999.99: fifteen significant digits, what a double carries exactly.
const MAX_AMOUNT_MINOR: i64 = 999_999_999_999_999;
const MAX_SOURCE_NO_CHARS: usize = 64;
/// The longest callbackUrl the sandbox will call.
const MAX_CALLBACK_URL_CHARS: usize = 2048;

/// How long after its answer a payout whose paise are 55 settles on its own.
const SETTLES_ON_ITS_OWN_AFTER: Duration = Duration::from_millis(300);

/// Waits before each callback retry.
const CALLBACK_BACKOFF: [Duration; 3] = [
    Duration::from_millis(200),
    Duration::from_millis(400),
    Duration::from_millis(800),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/channel/Debit/Set", post(set_v1))
        .route("/api/channel/Debit/Get", post(get_v1))
        .route("/api/channel/Debit/Place", post(place_v2))
        .route("/api/channel/Debit/GetV2", post(get_v2))
}

/// What the emulator reads and writes: the accepted credentials and the ledger.
#[derive(Clone)]
struct Ctx {
    config: Arc<SandboxConfig>,
    ledger: Ledger,
}

impl From<&AppState> for Ctx {
    fn from(state: &AppState) -> Self {
        Ctx {
            config: state.config.clone(),
            ledger: state.ledger.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// A refusal in the envelope's words.
#[derive(Debug, PartialEq, Eq)]
struct Refusal {
    status: StatusCode,
    code: i64,
    message: String,
}

fn refuse(status: StatusCode, code: i64, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

fn bad_request(code: i64, message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, code, message)
}

fn not_found() -> Refusal {
    refuse(StatusCode::OK, 1, "order not found")
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({"code": self.code, "message": self.message, "data": null});
        json_response(self.status, body.to_string())
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// One payout as the emulator keeps it (a memo under `order:{sourceNo}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Payout {
    id: u64,
    source_no: String,
    amount_minor: i64,
    process_code: i64,
    created_time: String,
    updated_time: String,
    closed_time: Option<String>,
    callback_url: Option<String>,
    callback_code: Option<i64>,
}

fn order_key(source_no: &str) -> String {
    format!("order:{source_no}")
}

fn id_key(id: u64) -> String {
    format!("id:{id}")
}

fn load(book: &Book, source_no: &str) -> Option<Payout> {
    book.recall(GATEWAY, &order_key(source_no))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn store(book: &mut Book, payout: &Payout) {
    book.remember(
        GATEWAY,
        &order_key(&payout.source_no),
        serde_json::to_value(payout).expect("a payout serializes"),
    );
    book.remember(
        GATEWAY,
        &id_key(payout.id),
        Value::from(payout.source_no.as_str()),
    );
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Paise as exact JSON number text: 100050 → `1000.5`, 25000 → `250`, 10 → `0.1`.
fn amount_text(minor: i64) -> String {
    let (whole, paise) = (minor / 100, minor % 100);
    match paise {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

/// The amount a JSON number names, in paise, from the number's own text (never a float).
fn amount_minor(number: &Number) -> Option<i64> {
    let text = number.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 2 || whole.trim_start_matches('0').len() > 13 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let paise: i64 = format!("{fraction:0<2}").parse().ok()?;
    let minor = whole * 100 + paise;
    (1..=MAX_AMOUNT_MINOR).contains(&minor).then_some(minor)
}

/// Whether the sandbox may call this URL back: http(s) on a loopback host only.
fn loopback_http_url(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = parsed.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The one Authorization header (none when it is missing or given more than once).
fn authorization(headers: &HeaderMap) -> Option<&str> {
    let mut given = headers.get_all(header::AUTHORIZATION).iter();
    match (given.next(), given.next()) {
        (Some(only), None) => only.to_str().ok(),
        _ => None,
    }
}

/// Checks the Authorization header and returns the request's V1 JSON (decrypted for V2).
fn open(ctx: &Ctx, version: Version, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    let access_key = ctx.config.secret(GATEWAY, "access_key");
    let expected = match version {
        Version::V1 => access_key,
        Version::V2 => ctx.config.setting(GATEWAY, "merchant_id"),
    };
    if expected.is_empty() || authorization(headers) != Some(expected) {
        return Err(refuse(StatusCode::UNAUTHORIZED, 1001, "unauthorized"));
    }
    let outer = read_json(body, "the request body")?;
    match version {
        Version::V1 => Ok(outer),
        Version::V2 => {
            let sealed = outer
                .get("data")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
                .ok_or_else(|| bad_request(1003, "data is required"))?;
            let undecryptable =
                || bad_request(1002, "data does not decrypt with the merchant's access key");
            let plain = aes256_ecb_decrypt_b64(access_key.as_bytes(), sealed)
                .map_err(|_| undecryptable())?;
            // Bytes from a wrong key that happen to unpad are still not JSON.
            match strict_json::parse(&plain) {
                Ok(request) => Ok(request),
                Err(JsonError::Syntax(_)) => Err(undecryptable()),
                Err(JsonError::DuplicateKey(key)) => Err(bad_request(
                    1003,
                    format!("the decrypted data names {key} more than once"),
                )),
            }
        }
    }
}

/// JSON in which no object names a key twice (1003 otherwise).
fn read_json(bytes: &[u8], what: &str) -> Result<Value, Refusal> {
    strict_json::parse(bytes).map_err(|e| match e {
        JsonError::Syntax(_) => bad_request(1003, format!("{what} is not valid JSON")),
        JsonError::DuplicateKey(key) => {
            bad_request(1003, format!("{what} names {key} more than once"))
        }
    })
}

#[derive(Debug, PartialEq, Eq)]
struct SetRequest {
    amount_minor: i64,
    source_no: String,
    callback_url: Option<String>,
}

fn read_set(request: &Value) -> Result<SetRequest, Refusal> {
    let Some(object) = request.as_object() else {
        return Err(bad_request(1003, "the request must be a JSON object"));
    };
    let amount_minor = match object.get("amount") {
        None | Some(Value::Null) => return Err(bad_request(1003, "amount is required")),
        Some(Value::Number(n)) => amount_minor(n).ok_or_else(|| {
            bad_request(
                1004,
                "amount must be a positive number with at most 2 decimals, up to 9999999999999.99",
            )
        })?,
        Some(_) => return Err(bad_request(1003, "amount must be a number")),
    };
    let source_no = match object.get("sourceNo") {
        None | Some(Value::Null) => return Err(bad_request(1005, "sourceNo is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(bad_request(1005, "sourceNo is required"))
        }
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            return Err(bad_request(
                1005,
                "sourceNo must not contain control characters",
            ))
        }
        Some(Value::String(s)) if s.chars().count() > MAX_SOURCE_NO_CHARS => {
            return Err(bad_request(
                1005,
                format!("sourceNo must be at most {MAX_SOURCE_NO_CHARS} characters"),
            ))
        }
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad_request(1003, "sourceNo must be a string")),
    };
    let callback_url = match object.get("callbackUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s))
            if s.chars().count() <= MAX_CALLBACK_URL_CHARS && loopback_http_url(s) =>
        {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            return Err(bad_request(
                1006,
                format!(
                    "callbackUrl must be an http(s) URL on a loopback host, at most {MAX_CALLBACK_URL_CHARS} characters"
                ),
            ))
        }
        Some(_) => return Err(bad_request(1003, "callbackUrl must be a string")),
    };
    Ok(SetRequest {
        amount_minor,
        source_no,
        callback_url,
    })
}

fn read_get(request: &Value) -> Result<(Option<u64>, Option<String>), Refusal> {
    let Some(object) = request.as_object() else {
        return Err(bad_request(1003, "the request must be a JSON object"));
    };
    let id = match object.get("channelDebitOrderId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| bad_request(1003, "channelDebitOrderId must be an integer"))?,
        ),
    };
    let source_no = match object.get("sourceNo") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad_request(1003, "sourceNo must be a string")),
    };
    if id.is_none() && source_no.is_none() {
        return Err(bad_request(
            1003,
            "channelDebitOrderId or sourceNo is required",
        ));
    }
    Ok((id, source_no))
}

/// Moves a processing payout to its final state, charging the ledger for a 30. Returns true
/// when the payout became final here.
fn settle(book: &mut Book, payout: &mut Payout, at: &str) -> bool {
    if payout.process_code != PROCESSING {
        return false;
    }
    let mut outcome = if payout.amount_minor % 100 == 40 {
        FAILED
    } else {
        SUCCEEDED
    };
    if outcome == SUCCEEDED {
        book.orders
            .entry((GATEWAY.to_string(), payout.source_no.clone()))
            .or_insert_with(|| {
                SandboxOrder::new(&payout.source_no, payout.amount_minor, "INR", "payout")
            });
        match book.charge(GATEWAY, &payout.source_no, payout.amount_minor, "bank") {
            ChargeResult::Charged => {}
            // Paid by other means since the Set: this payout pays nothing.
            ChargeResult::AlreadyPaid | ChargeResult::UnknownOrder => outcome = FAILED,
        }
    }
    payout.process_code = outcome;
    payout.updated_time = at.to_string();
    payout.closed_time = Some(at.to_string());
    true
}

/// `channelDebitOrderSimpleInfo`, as exact JSON text.
fn info_json(payout: &Payout, merchant_id: &str) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let optional = |s: &Option<String>| s.as_deref().map_or_else(|| "null".to_string(), text);
    format!(
        "{{\"id\":{},\"merchantId\":{},\"merchantSourceNo\":{},\"fiatAmount\":{},\
         \"processCode\":{},\"createdTime\":{},\"updatedTime\":{},\"paid\":{},\
         \"callbackCode\":{},\"closedTime\":{}}}",
        payout.id,
        text(merchant_id),
        text(&payout.source_no),
        amount_text(payout.amount_minor),
        payout.process_code,
        text(&payout.created_time),
        text(&payout.updated_time),
        payout.process_code == SUCCEEDED,
        payout
            .callback_code
            .map_or_else(|| "null".to_string(), |c| c.to_string()),
        optional(&payout.closed_time),
    )
}

fn wrapped_info(payout: &Payout, merchant_id: &str) -> String {
    format!(
        "{{\"channelDebitOrderSimpleInfo\":{}}}",
        info_json(payout, merchant_id)
    )
}

fn answer(ctx: &Ctx, version: Version, payout: &Payout) -> Response {
    let data = wrapped_info(payout, ctx.config.setting(GATEWAY, "merchant_id"));
    let data = match version {
        Version::V1 => data,
        Version::V2 => {
            match aes256_ecb_encrypt_b64(
                ctx.config.secret(GATEWAY, "access_key").as_bytes(),
                data.as_bytes(),
            ) {
                Ok(sealed) => Value::from(sealed).to_string(),
                Err(_) => {
                    return refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        9999,
                        "the merchant's access key cannot encrypt",
                    )
                    .into_response()
                }
            }
        }
    };
    json_response(
        StatusCode::OK,
        format!("{{\"code\":0,\"message\":\"\",\"data\":{data}}}"),
    )
}

/// Sends the callback for a payout that just became final.
fn dispatch_callback(ctx: &Ctx, payout: &Payout) {
    let Some(url) = payout.callback_url.clone() else {
        return;
    };
    let sealed = aes256_ecb_encrypt_b64(
        ctx.config.secret(GATEWAY, "access_key").as_bytes(),
        wrapped_info(payout, ctx.config.setting(GATEWAY, "merchant_id")).as_bytes(),
    );
    let Ok(sealed) = sealed else {
        tracing::warn!("debit: the merchant's access key cannot encrypt; no callback sent");
        return;
    };
    let body = json!({"sourceNo": payout.source_no, "data": sealed}).to_string();
    tokio::spawn(deliver(
        ctx.ledger.clone(),
        url,
        body,
        payout.source_no.clone(),
    ));
}

async fn deliver(ledger: Ledger, url: String, body: String, source_no: String) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "debit: no HTTP client for callbacks");
            return;
        }
    };
    for attempt in 0..=CALLBACK_BACKOFF.len() {
        if attempt > 0 {
            tokio::time::sleep(CALLBACK_BACKOFF[attempt - 1]).await;
        }
        let code = match client
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .await
        {
            Ok(response) => i64::from(response.status().as_u16()),
            Err(_) => 0,
        };
        ledger.transact(|book| {
            if let Some(mut payout) = load(book, &source_no) {
                payout.callback_code = Some(code);
                store(book, &payout);
            }
        });
        if code == 200 {
            return;
        }
    }
}

fn set(ctx: &Ctx, version: Version, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    let request = read_set(&open(ctx, version, headers, body)?)?;
    let at = now();
    let (payout, settled) = ctx.ledger.transact(|book| {
        if let Some(existing) = load(book, &request.source_no) {
            return Ok((existing, false));
        }
        let paid_elsewhere = book
            .orders
            .get(&(GATEWAY.to_string(), request.source_no.clone()))
            .is_some_and(|order| order.paid);
        if paid_elsewhere {
            return Err(refuse(
                StatusCode::OK,
                1007,
                format!("sourceNo {} is already paid", request.source_no),
            ));
        }
        let mut payout = Payout {
            id: book.next_id(GATEWAY),
            source_no: request.source_no.clone(),
            amount_minor: request.amount_minor,
            process_code: PROCESSING,
            created_time: at.clone(),
            updated_time: at.clone(),
            closed_time: None,
            callback_url: request.callback_url.clone(),
            callback_code: None,
        };
        let settled = payout.amount_minor <= INSTANT_LIMIT_MINOR && settle(book, &mut payout, &at);
        store(book, &payout);
        Ok((payout, settled))
    })?;
    if settled {
        dispatch_callback(ctx, &payout);
    } else if payout.amount_minor % 100 == 55 {
        settle_on_its_own(ctx.clone(), payout.source_no.clone());
    }
    Ok(answer(ctx, version, &payout))
}

/// Settles a processing payout a moment after it was answered, with no Get asking, and calls
/// back: the case where the merchant learns the outcome from the callback alone.
fn settle_on_its_own(ctx: Ctx, source_no: String) {
    tokio::spawn(async move {
        tokio::time::sleep(SETTLES_ON_ITS_OWN_AFTER).await;
        let at = now();
        let settled = ctx.ledger.transact(|book| {
            let mut payout = load(book, &source_no)?;
            let settled = settle(book, &mut payout, &at);
            if settled {
                store(book, &payout);
            }
            settled.then_some(payout)
        });
        if let Some(payout) = settled {
            dispatch_callback(&ctx, &payout);
        }
    });
}

fn get(ctx: &Ctx, version: Version, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    let (id, source_no) = read_get(&open(ctx, version, headers, body)?)?;
    let at = now();
    let (payout, settled) = ctx.ledger.transact(|book| {
        let by_id = match id {
            None => None,
            Some(id) => Some(
                book.recall(GATEWAY, &id_key(id))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(not_found)?,
            ),
        };
        let source_no = match (by_id, source_no) {
            (Some(a), Some(b)) if a != b => return Err(not_found()),
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => return Err(not_found()),
        };
        let mut payout = load(book, &source_no).ok_or_else(not_found)?;
        let settled = settle(book, &mut payout, &at);
        if settled {
            store(book, &payout);
        }
        Ok((payout, settled))
    })?;
    if settled {
        dispatch_callback(ctx, &payout);
    }
    Ok(answer(ctx, version, &payout))
}

async fn set_v1(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    set(&Ctx::from(&state), Version::V1, &headers, &body)
        .unwrap_or_else(IntoResponse::into_response)
}

async fn place_v2(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    set(&Ctx::from(&state), Version::V2, &headers, &body)
        .unwrap_or_else(IntoResponse::into_response)
}

async fn get_v1(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    get(&Ctx::from(&state), Version::V1, &headers, &body)
        .unwrap_or_else(IntoResponse::into_response)
}

async fn get_v2(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    get(&Ctx::from(&state), Version::V2, &headers, &body)
        .unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> Ctx {
        Ctx {
            config: Arc::new(SandboxConfig::default()),
            ledger: Ledger::default(),
        }
    }

    fn key(state: &Ctx) -> String {
        state.config.secret(GATEWAY, "access_key").to_string()
    }

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, authorization.parse().unwrap());
        headers
    }

    async fn body_of(response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// Calls V1 Set/Get with the right access key.
    async fn v1(state: &Ctx, call: &str, body: &str) -> (StatusCode, Value) {
        let auth = headers(&key(state));
        let response = match call {
            "set" => set(state, Version::V1, &auth, body.as_bytes()),
            _ => get(state, Version::V1, &auth, body.as_bytes()),
        }
        .unwrap_or_else(IntoResponse::into_response);
        body_of(response).await
    }

    fn info(answer: &Value) -> &Value {
        &answer["data"]["channelDebitOrderSimpleInfo"]
    }

    #[test]
    fn reads_amounts_from_number_text_exactly() {
        let number = |text: &str| match serde_json::from_str::<Value>(text).unwrap() {
            Value::Number(n) => n,
            other => panic!("{other}"),
        };
        for (text, minor) in [
            ("0.1", Some(10)),
            ("0.10", Some(10)),
            ("1000.5", Some(100050)),
            ("12345678.99", Some(1234567899)),
            ("250", Some(25000)),
            ("250.0", Some(25000)),
            ("0.01", Some(1)),
            ("9999999999999.99", Some(MAX_AMOUNT_MINOR)),
            ("0", None),
            ("0.00", None),
            ("-1", None),
            ("-0.5", None),
            ("0.001", None),
            ("0.30000000000000004", None),
            ("10000000000000", None),
            ("1e300", None),
        ] {
            assert_eq!(amount_minor(&number(text)), minor, "{text}");
        }
        for (minor, text) in [
            (10, "0.1"),
            (1, "0.01"),
            (100050, "1000.5"),
            (25000, "250"),
            (1234567899, "12345678.99"),
            (40, "0.4"),
        ] {
            assert_eq!(amount_text(minor), text);
        }
    }

    #[test]
    fn calls_back_only_to_loopback_http() {
        for url in [
            "http://127.0.0.1:8080/cb",
            "https://localhost/cb",
            "http://[::1]:9/x",
            "http://127.8.0.1/",
        ] {
            assert!(loopback_http_url(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/cb",
            "http://example.com/",
            "ftp://127.0.0.1/",
            "not a url",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!loopback_http_url(url), "{url}");
        }
    }

    #[tokio::test]
    async fn verifies_authorization_exactly() {
        let state = state();
        let set_body = r#"{"amount":1,"sourceNo":"a"}"#;
        for auth in [
            "",
            "wrong",
            "Bearer sandboxdebitaccesskey0123456789a",
            "10001",
        ] {
            let response =
                set(&state, Version::V1, &headers(auth), set_body.as_bytes()).unwrap_err();
            assert_eq!(
                (response.status, response.code),
                (StatusCode::UNAUTHORIZED, 1001),
                "{auth:?}"
            );
        }
        let missing = set(&state, Version::V1, &HeaderMap::new(), set_body.as_bytes()).unwrap_err();
        assert_eq!(missing.code, 1001);
        let sealed = aes256_ecb_encrypt_b64(key(&state).as_bytes(), set_body.as_bytes()).unwrap();
        let v2_body = json!({"data": sealed}).to_string();
        // V2 names the merchant; the access key itself is not a merchant id.
        let wrong = set(
            &state,
            Version::V2,
            &headers(&key(&state)),
            v2_body.as_bytes(),
        )
        .unwrap_err();
        assert_eq!(wrong.code, 1001);
        assert!(set(&state, Version::V2, &headers("10001"), v2_body.as_bytes()).is_ok());
        let other_key =
            aes256_ecb_encrypt_b64(b"00000000000000000000000000000000", set_body.as_bytes())
                .unwrap();
        for data in [other_key.as_str(), "!!!", "AAAA"] {
            let body = json!({"data": data}).to_string();
            let refused = set(&state, Version::V2, &headers("10001"), body.as_bytes()).unwrap_err();
            assert_eq!(
                (refused.status, refused.code),
                (StatusCode::BAD_REQUEST, 1002),
                "{data}"
            );
        }
        for body in ["", "{}", r#"{"data":""}"#, r#"{"data":5}"#] {
            let refused = set(&state, Version::V2, &headers("10001"), body.as_bytes()).unwrap_err();
            assert_eq!(refused.code, 1003, "{body}");
        }
        let not_json = aes256_ecb_encrypt_b64(key(&state).as_bytes(), b"amount=1").unwrap();
        let body = json!({"data": not_json}).to_string();
        assert_eq!(
            set(&state, Version::V2, &headers("10001"), body.as_bytes())
                .unwrap_err()
                .code,
            1002
        );
        assert!(state.ledger.charges().len() == 1);
    }

    #[tokio::test]
    async fn refuses_malformed_payouts_with_documented_codes() {
        let state = state();
        for (body, code) in [
            ("not json", 1003),
            ("[]", 1003),
            (r#"{"sourceNo":"a"}"#, 1003),
            (r#"{"amount":"1.00","sourceNo":"a"}"#, 1003),
            (r#"{"amount":1,"sourceNo":5}"#, 1003),
            (r#"{"amount":1,"sourceNo":"a","callbackUrl":5}"#, 1003),
            (r#"{"amount":0,"sourceNo":"a"}"#, 1004),
            (r#"{"amount":-5,"sourceNo":"a"}"#, 1004),
            (r#"{"amount":0.001,"sourceNo":"a"}"#, 1004),
            (r#"{"amount":99999999999999.99,"sourceNo":"a"}"#, 1004),
            (r#"{"amount":1}"#, 1005),
            (r#"{"amount":1,"sourceNo":""}"#, 1005),
            (r#"{"amount":1,"sourceNo":null}"#, 1005),
            (
                r#"{"amount":1,"sourceNo":"a","callbackUrl":"http://192.168.1.1/cb"}"#,
                1006,
            ),
            (
                r#"{"amount":1,"sourceNo":"a","callbackUrl":"mailto:x@y"}"#,
                1006,
            ),
        ] {
            let (status, answer) = v1(&state, "set", body).await;
            assert_eq!(answer["code"], code, "{body}");
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(answer["data"], Value::Null);
            assert!(!answer["message"].as_str().unwrap().is_empty());
        }
        let long = json!({"amount": 1, "sourceNo": "k".repeat(65)}).to_string();
        assert_eq!(v1(&state, "set", &long).await.1["code"], 1005);
        assert!(state.ledger.charges().is_empty());
        for body in [
            "{}",
            r#"{"channelDebitOrderId":null,"sourceNo":null}"#,
            r#"{"channelDebitOrderId":"7"}"#,
            r#"{"channelDebitOrderId":-1}"#,
        ] {
            assert_eq!(v1(&state, "get", body).await.1["code"], 1003, "{body}");
        }
    }

    #[tokio::test]
    async fn a_payout_whose_paise_are_55_settles_on_its_own_with_nobody_asking() {
        let state = state();
        let (_, placed) = v1(&state, "set", r#"{"amount":1000.55,"sourceNo":"s55"}"#).await;
        assert_eq!(info(&placed)["processCode"], PROCESSING);
        let (_, other) = v1(&state, "set", r#"{"amount":1000.56,"sourceNo":"s56"}"#).await;
        assert_eq!(info(&other)["processCode"], PROCESSING);
        // No Get is sent: only the sandbox's own timer can charge it.
        let mut waited = Duration::ZERO;
        while state.ledger.charges_for(GATEWAY, "s55") == 0 {
            assert!(waited < Duration::from_secs(10), "never settled on its own");
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += Duration::from_millis(20);
        }
        assert_eq!(state.ledger.charges_for(GATEWAY, "s55"), 1);
        assert_eq!(
            state.ledger.charges_for(GATEWAY, "s56"),
            0,
            "others wait for a Get"
        );
        let (_, got) = v1(&state, "get", r#"{"sourceNo":"s55"}"#).await;
        assert_eq!(info(&got)["processCode"], SUCCEEDED);
        assert_eq!(state.ledger.charges_for(GATEWAY, "s55"), 1);
    }

    #[tokio::test]
    async fn small_payouts_settle_at_once_and_charge_once() {
        let state = state();
        let (status, first) = v1(
            &state,
            "set",
            r#"{"amount":0.10,"sourceNo":"k1","callbackUrl":null}"#,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (first["code"].clone(), first["message"].clone()),
            (json!(0), json!(""))
        );
        let info1 = info(&first);
        assert_eq!(info1["processCode"], 30);
        assert_eq!(info1["paid"], true);
        assert_eq!(info1["merchantSourceNo"], "k1");
        assert_eq!(info1["merchantId"], "10001");
        assert!(info1["closedTime"].is_string());
        assert_eq!(info1["callbackCode"], Value::Null);
        assert_eq!(state.ledger.charges_for(GATEWAY, "k1"), 1);
        assert_eq!(state.ledger.charges()[0].amount_minor, 10);
        assert_eq!(state.ledger.charges()[0].channel, "bank");
        // A repeat (even with another amount) answers the same order and charges nothing.
        let (_, again) = v1(&state, "set", r#"{"amount":5,"sourceNo":"k1"}"#).await;
        assert_eq!(info(&again), info1);
        assert_eq!(state.ledger.charges().len(), 1);
        let (_, by_id) = v1(
            &state,
            "get",
            &format!(r#"{{"channelDebitOrderId":{}}}"#, info1["id"]),
        )
        .await;
        assert_eq!(info(&by_id), info1);
        let (_, by_both) = v1(
            &state,
            "get",
            &format!(
                r#"{{"channelDebitOrderId":{},"sourceNo":"k1"}}"#,
                info1["id"]
            ),
        )
        .await;
        assert_eq!(info(&by_both), info1);
        // A failing amount is final at once and never charged.
        let (_, failed) = v1(&state, "set", r#"{"amount":0.40,"sourceNo":"k2"}"#).await;
        assert_eq!(info(&failed)["processCode"], 40);
        assert_eq!(info(&failed)["paid"], false);
        assert_eq!(state.ledger.charges_for(GATEWAY, "k2"), 0);
        assert_ne!(info(&failed)["id"], info1["id"]);
    }

    #[tokio::test]
    async fn large_payouts_process_until_the_next_get() {
        let state = state();
        let (_, placed) = v1(&state, "set", r#"{"amount":1000.50,"sourceNo":"big"}"#).await;
        assert_eq!(info(&placed)["processCode"], PROCESSING);
        assert_eq!(info(&placed)["paid"], false);
        assert_eq!(info(&placed)["closedTime"], Value::Null);
        assert_eq!(info(&placed)["fiatAmount"].to_string(), "1000.5");
        assert!(state.ledger.charges().is_empty());
        // A repeat does not advance it.
        let (_, again) = v1(&state, "set", r#"{"amount":1000.50,"sourceNo":"big"}"#).await;
        assert_eq!(info(&again)["processCode"], PROCESSING);
        assert!(state.ledger.charges().is_empty());
        let (_, got) = v1(
            &state,
            "get",
            r#"{"channelDebitOrderId":null,"sourceNo":"big"}"#,
        )
        .await;
        assert_eq!(info(&got)["processCode"], 30);
        assert_eq!(state.ledger.charges_for(GATEWAY, "big"), 1);
        assert_eq!(state.ledger.charges()[0].amount_minor, 100050);
        let (_, got) = v1(&state, "get", r#"{"sourceNo":"big"}"#).await;
        assert_eq!(info(&got)["processCode"], 30);
        assert_eq!(state.ledger.charges().len(), 1);
        let (_, declined) = v1(&state, "set", r#"{"amount":1000.40,"sourceNo":"big-fail"}"#).await;
        assert_eq!(info(&declined)["processCode"], PROCESSING);
        let (_, got) = v1(&state, "get", r#"{"sourceNo":"big-fail"}"#).await;
        assert_eq!(info(&got)["processCode"], 40);
        assert_eq!(state.ledger.charges().len(), 1);
    }

    #[tokio::test]
    async fn unknown_orders_and_mismatched_lookups_are_not_found() {
        let state = state();
        v1(&state, "set", r#"{"amount":1,"sourceNo":"known"}"#).await;
        for body in [
            r#"{"sourceNo":"nobody"}"#,
            r#"{"channelDebitOrderId":999}"#,
            r#"{"channelDebitOrderId":1,"sourceNo":"nobody"}"#,
        ] {
            let (status, answer) = v1(&state, "get", body).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                answer,
                json!({"code": 1, "message": "order not found", "data": null}),
                "{body}"
            );
        }
    }

    #[tokio::test]
    async fn refuses_a_source_no_the_book_holds_as_paid() {
        let state = state();
        let mut order = SandboxOrder::new("paid-key", 100, "INR", "x");
        order.paid = true;
        state.ledger.register(GATEWAY, order);
        let (status, answer) = v1(&state, "set", r#"{"amount":1,"sourceNo":"paid-key"}"#).await;
        assert_eq!(
            (status, answer["code"].clone()),
            (StatusCode::OK, json!(1007))
        );
        assert!(state.ledger.charges().is_empty());
        let (_, lookup) = v1(&state, "get", r#"{"sourceNo":"paid-key"}"#).await;
        assert_eq!(lookup["code"], 1);
    }

    #[tokio::test]
    async fn v2_answers_are_sealed_with_the_merchant_key() {
        let state = state();
        let key = key(&state);
        let seal = |plain: &str| {
            json!({"data": aes256_ecb_encrypt_b64(key.as_bytes(), plain.as_bytes()).unwrap()})
                .to_string()
        };
        let auth = headers("10001");
        let response = set(
            &state,
            Version::V2,
            &auth,
            seal(r#"{"amount":12345678.99,"sourceNo":"v2"}"#).as_bytes(),
        )
        .unwrap();
        let (_, answer) = body_of(response).await;
        assert_eq!(answer["code"], 0);
        let plain =
            aes256_ecb_decrypt_b64(key.as_bytes(), answer["data"].as_str().unwrap()).unwrap();
        let opened: Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(
            opened["channelDebitOrderSimpleInfo"]["processCode"],
            PROCESSING
        );
        assert!(std::str::from_utf8(&plain)
            .unwrap()
            .contains("\"fiatAmount\":12345678.99,"));
        let response = get(
            &state,
            Version::V2,
            &auth,
            seal(r#"{"sourceNo":"v2"}"#).as_bytes(),
        )
        .unwrap();
        let (_, answer) = body_of(response).await;
        let plain =
            aes256_ecb_decrypt_b64(key.as_bytes(), answer["data"].as_str().unwrap()).unwrap();
        let opened: Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(opened["channelDebitOrderSimpleInfo"]["processCode"], 30);
        assert_eq!(state.ledger.charges()[0].amount_minor, 1234567899);
        // Not found stays plain.
        let missing = get(
            &state,
            Version::V2,
            &auth,
            seal(r#"{"sourceNo":"none"}"#).as_bytes(),
        )
        .unwrap_err();
        assert_eq!(missing, not_found());
    }
}
