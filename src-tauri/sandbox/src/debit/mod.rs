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
use paydesk_crypto::aes256_ecb_encrypt_b64;
use serde_json::{json, Value};

use crate::{AppState, Ledger, SandboxConfig};

mod state;
mod wire;

use state::{id_key, load, now, settle, store, Payout};
use wire::{answer, not_found, open, read_get, read_set, refuse, wrapped_info, Refusal, Version};

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
mod tests;
