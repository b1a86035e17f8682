//! 益安 (yian) emulator: a Django REST Framework backend over Ping++.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! - `PUT /pay/pay_for_order/`, form-encoded (`application/x-www-form-urlencoded`, or JSON as
//!   DRF's default parsers also take; multipart is answered 415 here), fields `order_no` and
//!   `channel` (`wx` or `alipay`). Answers `{"status": 0, "message": "", "ch": <Ping++ charge>}`
//!   or `{"status": -4, "message": "..."}`, both with HTTP 200 ([ours]).
//! - Auth is DRF TokenAuthentication, checked as DRF does before the view (and before the
//!   method check): a header whose first word is not `Token` (case-insensitive) counts as no
//!   credentials (401 "Authentication credentials were not provided."); `Token` alone, a key
//!   with spaces or undecodable bytes get DRF's "Invalid token header. ..." texts; an unknown
//!   key is "Invalid token.". Every 401 carries `WWW-Authenticate: Token`. The accepted key is
//!   the `token` secret of the `yian` entry in [`crate::SandboxConfig`]. Two `Authorization`
//!   headers reach Django joined by a comma, as a WSGI server joins them, and so fail.
//! - A field given twice (form or JSON) is a 400 `{"detail": "... parse error - ..."}` [ours];
//!   a path under `/yian` that is no view is DRF's 404 `{"detail": "Not found."}`.
//! - Refusals, in the order they are checked: a channel other than `wx`/`alipay` →
//!   `无效的支付通道` (seed); no `order_no` → `订单号不能为空` [ours]; an order the book does not
//!   know → `订单不存在` [ours]; an order that already has a charge on the other channel →
//!   `订单已使用其他支付通道` [ours]; an order paid without a charge this emulator made →
//!   `订单已支付` [ours]; an order whose amount is not positive or whose currency is not CNY →
//!   `支付请求失败` (seed: Ping++ refuses to create such a charge, so the backend's pay request
//!   fails).
//! - No idempotency key exists, so the order number is the key [ours]: the first pay creates
//!   the order's one charge (recorded in the ledger then: the ledger charges an order once),
//!   and a repeat on the same channel answers that charge as it now stands, unpaid or paid.
//! - The charge is created unpaid (the payer must act through the credential). `alipay` gets
//!   `credential.alipay.orderInfo` in the seed's layout, signed with an HMAC-SHA256 stand-in
//!   (`sign_type="HMAC-SHA256"`: the sandbox holds no Alipay RSA key), plus `alipay_qr` [ours],
//!   the URL of this emulator's cashier page (`GET /pay/cashier/{charge_id}/`, a read-only
//!   summary the payer could open). `wx` gets the APP SDK fields, signed the WeChat Pay v2 way
//!   (MD5 of the sorted `k=v` string plus `&key=`), and no URL, as in Ping++.
//! - Status [ours]: `GET /pay/charge/{order_no}/` answers the same envelope. The first status
//!   read of an unpaid charge finds it paid (`paid`, `time_paid`, `transaction_no` set): that is
//!   the payer having acted. An unknown order is `订单不存在`; a known order without a charge is
//!   `未找到支付记录` [ours].

use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::Value;

use crate::ledger::{Book, ChargeResult};
use crate::{gmt8, html, AppState};

mod charge;
mod wire;

use charge::{new_charge, yuan};
use wire::{
    authenticate, charge_id_key, charge_key, charged, detail, method_not_allowed, parse_data,
    refused, unauthorized,
};

const GATEWAY: &str = "yian";
const MAX_BODY: usize = 1024 * 1024;
const PAY_SUFFIX: &str = "/pay/pay_for_order/";

const INVALID_CHANNEL: &str = "无效的支付通道";
const PAY_REQUEST_FAILED: &str = "支付请求失败";
const NO_ORDER_NO: &str = "订单号不能为空";
const UNKNOWN_ORDER: &str = "订单不存在";
const OTHER_CHANNEL: &str = "订单已使用其他支付通道";
const ALREADY_PAID: &str = "订单已支付";
const NO_CHARGE: &str = "未找到支付记录";

const NOT_PROVIDED: &str = "Authentication credentials were not provided.";
const INVALID_TOKEN: &str = "Invalid token.";
const HEADER_NO_CREDENTIALS: &str = "Invalid token header. No credentials provided.";
const HEADER_SPACES: &str = "Invalid token header. Token string should not contain spaces.";
const HEADER_BAD_CHARS: &str =
    "Invalid token header. Token string should not contain invalid characters.";

/// The sandbox's Ping++ app and channel accounts: fixed, fake, and never checked by anyone.
const APP_ID: &str = "app_Sbx9YianDemo0001";
const ALIPAY_PARTNER: &str = "2088000000000001";
const ORDER_INFO_KEY: &[u8] = b"yian-sandbox-order-info-stand-in";
const WX_APP_ID: &str = "wx0123456789abcdef";
const WX_MCH_ID: &str = "10000100";
const WX_API_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

/// Ping++ charges expire a day after creation (the seed: created 1466149851, expires 1466236251).
const EXPIRY_SECONDS: i64 = 86_400;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pay/pay_for_order/", any(pay_view))
        .route("/pay/charge/{order_no}/", any(charge_view))
        .route("/pay/cashier/{charge_id}/", get(cashier))
        .fallback(|| async { detail(StatusCode::NOT_FOUND, "Not found.") })
}

async fn pay_view(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(text) = authenticate(&parts.headers, state.config.secret(GATEWAY, "token")) {
        return unauthorized(text);
    }
    if parts.method != Method::PUT {
        return method_not_allowed(&parts.method);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.");
    };
    let data = match parse_data(&parts.headers, &bytes) {
        Ok(data) => data,
        Err((status, text)) => return detail(status, &text),
    };
    let channel = match data.get("channel").map(String::as_str) {
        Some(c @ ("wx" | "alipay")) => c.to_string(),
        _ => return refused(INVALID_CHANNEL),
    };
    let Some(order_no) = data.get("order_no").filter(|o| !o.is_empty()).cloned() else {
        return refused(NO_ORDER_NO);
    };
    let original = parts
        .extensions
        .get::<OriginalUri>()
        .map_or_else(|| parts.uri.path().to_string(), |u| u.0.path().to_string());
    let prefix = original.strip_suffix(PAY_SUFFIX).unwrap_or("");
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic() && b != b'/'))
        .unwrap_or("127.0.0.1");
    let cashier_base = format!("http://{host}{prefix}/pay/cashier/");
    let now = chrono::Utc::now().timestamp();
    let result = state.ledger.transact(|book| {
        let order = book
            .orders
            .get(&(GATEWAY.to_string(), order_no.clone()))
            .cloned()
            .ok_or(UNKNOWN_ORDER)?;
        if let Some(existing) = book.recall(GATEWAY, &charge_key(&order_no)) {
            return if existing["channel"] == channel.as_str() {
                Ok(existing.clone())
            } else {
                Err(OTHER_CHANNEL)
            };
        }
        if order.paid {
            return Err(ALREADY_PAID);
        }
        if order.amount_minor <= 0 || !order.currency.eq_ignore_ascii_case("CNY") {
            return Err(PAY_REQUEST_FAILED);
        }
        let id = format!("ch_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
        let ch = new_charge(&order, &channel, &id, now, &format!("{cashier_base}{id}/"));
        match book.charge(GATEWAY, &order_no, order.amount_minor, &channel) {
            ChargeResult::Charged => {}
            ChargeResult::UnknownOrder => return Err(UNKNOWN_ORDER),
            ChargeResult::AlreadyPaid => return Err(ALREADY_PAID),
        }
        book.remember(GATEWAY, &charge_key(&order_no), ch.clone());
        book.remember(GATEWAY, &charge_id_key(&id), Value::from(order_no.as_str()));
        Ok(ch)
    });
    match result {
        Ok(ch) => charged(ch),
        Err(message) => refused(message),
    }
}

async fn charge_view(
    State(state): State<AppState>,
    Path(order_no): Path<String>,
    request: Request,
) -> Response {
    if let Err(text) = authenticate(request.headers(), state.config.secret(GATEWAY, "token")) {
        return unauthorized(text);
    }
    if request.method() != Method::GET {
        return method_not_allowed(request.method());
    }
    let now = chrono::Utc::now().timestamp();
    let result = state.ledger.transact(|book| {
        if !book
            .orders
            .contains_key(&(GATEWAY.to_string(), order_no.clone()))
        {
            return Err(UNKNOWN_ORDER);
        }
        let key = charge_key(&order_no);
        let mut ch = book.recall(GATEWAY, &key).cloned().ok_or(NO_CHARGE)?;
        if ch["paid"] != true {
            settle(book, &mut ch, now);
            book.remember(GATEWAY, &key, ch.clone());
        }
        Ok(ch)
    });
    match result {
        Ok(ch) => charged(ch),
        Err(message) => refused(message),
    }
}

/// The payer has acted: the charge is paid, with the channel's transaction number.
fn settle(book: &mut Book, ch: &mut Value, now: i64) {
    let serial = book.next_id(GATEWAY);
    let day = gmt8::at_seconds(now).format("%Y%m%d").to_string();
    let transaction_no = if ch["channel"] == "wx" {
        format!("4200000000{day}{serial:010}")
    } else {
        format!("{day}21001004{serial:012}")
    };
    ch["paid"] = true.into();
    ch["time_paid"] = now.into();
    ch["transaction_no"] = transaction_no.into();
}

async fn cashier(State(state): State<AppState>, Path(charge_id): Path<String>) -> Response {
    let ch = state.ledger.transact(|book| {
        let order_no = book
            .recall(GATEWAY, &charge_id_key(&charge_id))?
            .as_str()?
            .to_string();
        book.recall(GATEWAY, &charge_key(&order_no)).cloned()
    });
    let html = |status: StatusCode, body: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let Some(ch) = ch else {
        return html(
            StatusCode::NOT_FOUND,
            "<!doctype html><title>Not Found</title><h1>Not Found</h1>".into(),
        );
    };
    let text = |key: &str| match &ch[key] {
        Value::String(s) => html::escape(s),
        other => html::escape(&other.to_string()),
    };
    let state_line = if ch["paid"] == true {
        "paid"
    } else {
        "awaiting the payer (the sandbox settles it at the next status query)"
    };
    html(
        StatusCode::OK,
        format!(
            "<!doctype html><meta charset=\"utf-8\"><title>益安 sandbox cashier</title>\
             <h1>益安 sandbox cashier</h1><dl>\
             <dt>charge</dt><dd>{}</dd><dt>order</dt><dd>{}</dd><dt>subject</dt><dd>{}</dd>\
             <dt>amount</dt><dd>¥{}</dd><dt>channel</dt><dd>{}</dd><dt>state</dt><dd>{}</dd></dl>",
            text("id"),
            text("order_no"),
            text("subject"),
            yuan(ch["amount"].as_i64().unwrap_or(0)),
            text("channel"),
            state_line
        ),
    )
}

#[cfg(test)]
mod tests;
