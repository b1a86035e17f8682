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

use std::collections::BTreeMap;

use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset};
use percent_encoding::{percent_decode, utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use crate::ledger::{Book, ChargeResult, SandboxOrder};
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

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

fn detail(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "detail": text }))).into_response()
}

fn unauthorized(text: &str) -> Response {
    let mut response = detail(StatusCode::UNAUTHORIZED, text);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Token"),
    );
    response
}

fn refused(message: &str) -> Response {
    Json(json!({"status": -4, "message": message})).into_response()
}

fn charged(ch: Value) -> Response {
    Json(json!({"status": 0, "message": "", "ch": ch})).into_response()
}

fn method_not_allowed(method: &Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{}\" not allowed.", clip(method.as_str())),
    )
}

/// DRF's TokenAuthentication, then its IsAuthenticated permission.
/// The error is DRF's 401 detail text.
fn authenticate(headers: &HeaderMap, key: &str) -> Result<(), &'static str> {
    // A WSGI server hands Django repeated headers joined by commas: two Authorization headers
    // are one value with a comma and a space inside, which no key passes.
    let raw = headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .map(|v| v.as_bytes())
        .collect::<Vec<_>>()
        .join(&b","[..]);
    // Python's bytes.split(): runs of ASCII whitespace separate words.
    let words: Vec<&[u8]> = raw
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [] => Err(NOT_PROVIDED),
        [scheme, ..] if !scheme.eq_ignore_ascii_case(b"token") => Err(NOT_PROVIDED),
        [_] => Err(HEADER_NO_CREDENTIALS),
        [_, _, _, ..] => Err(HEADER_SPACES),
        [_, given] => match std::str::from_utf8(given) {
            Err(_) => Err(HEADER_BAD_CHARS),
            Ok(given) if !key.is_empty() && given == key => Ok(()),
            Ok(_) => Err(INVALID_TOKEN),
        },
    }
}

/// `request.data` as the view reads it: each field's value, as text. A field given twice (in a
/// form or a JSON object) is refused where DRF would take the last one [ours]: such a request
/// means two things at once. The error is DRF's status and detail text.
fn parse_data(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<BTreeMap<String, String>, (StatusCode, String)> {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(BTreeMap::new());
    };
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media_type.as_str() {
        "application/x-www-form-urlencoded" => parse_form(body).map_err(|name| {
            (
                StatusCode::BAD_REQUEST,
                format!("Form parse error - {} is given more than once", clip(&name)),
            )
        }),
        "application/json" => {
            let value = strict_json::parse(body).map_err(|e| {
                let why = match e {
                    JsonError::Syntax(why) => why,
                    JsonError::DuplicateKey(key) => format!("{key} is given more than once"),
                };
                (StatusCode::BAD_REQUEST, format!("JSON parse error - {why}"))
            })?;
            let mut data = BTreeMap::new();
            if let Value::Object(fields) = value {
                for (name, value) in fields {
                    let text = match value {
                        Value::String(s) => s,
                        // The seed's own example sends the order number as a bare integer.
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    data.insert(name, text);
                }
            }
            Ok(data)
        }
        _ => Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Unsupported media type \"{}\" in request.",
                clip(content_type)
            ),
        )),
    }
}

/// A form body's fields; the error is a field's name given more than once.
fn parse_form(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let decode = |part: &[u8]| {
        let spaced: Vec<u8> = part
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        percent_decode(&spaced).decode_utf8_lossy().into_owned()
    };
    let mut data = BTreeMap::new();
    for pair in body.split(|b| *b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (decode(&pair[..i]), decode(&pair[i + 1..])),
            None => (decode(pair), String::new()),
        };
        if data.contains_key(&name) {
            return Err(name);
        }
        data.insert(name, value);
    }
    Ok(data)
}

fn charge_key(order_no: &str) -> String {
    format!("charge:{order_no}")
}

fn charge_id_key(charge_id: &str) -> String {
    format!("charge_id:{charge_id}")
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
    let day = beijing(now, "%Y%m%d");
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
        Value::String(s) => escape_html(s),
        other => escape_html(&other.to_string()),
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

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A new, unpaid Ping++ charge for `order` (amount positive, currency CNY).
fn new_charge(order: &SandboxOrder, channel: &str, id: &str, now: i64, cashier_url: &str) -> Value {
    let subject = if order.subject.is_empty() {
        order.order_no.clone()
    } else {
        order.subject.clone()
    };
    let body = order.order_no.clone();
    let expire = now + EXPIRY_SECONDS;
    let credential = if channel == "alipay" {
        json!({
            "object": "credential",
            "alipay": {"orderInfo": order_info(order, id, &subject, &body, expire)},
            "alipay_qr": cashier_url,
        })
    } else {
        json!({"object": "credential", "wx": wx_credential(now)})
    };
    json!({
        "id": id,
        "object": "charge",
        "created": now,
        "livemode": false,
        "paid": false,
        "refunded": false,
        "app": APP_ID,
        "channel": channel,
        "order_no": order.order_no,
        "client_ip": "127.0.0.1",
        "amount": order.amount_minor,
        "amount_settle": order.amount_minor,
        "currency": "cny",
        "subject": subject,
        "body": body,
        "extra": {},
        "time_paid": null,
        "time_expire": expire,
        "time_settle": null,
        "transaction_no": null,
        "refunds": {
            "object": "list",
            "url": format!("/v1/charges/{id}/refunds"),
            "has_more": false,
            "data": [],
        },
        "amount_refunded": 0,
        "failure_code": null,
        "failure_msg": null,
        "metadata": {"order_no": order.order_no},
        "credential": credential,
        "description": null,
    })
}

/// Fen as the yuan decimal Alipay's `total_fee` takes ("99.00"), for a non-negative amount.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Unix seconds as Beijing time (UTC+8), the zone Alipay's `it_b_pay` is written in.
fn beijing(unix: i64, format: &str) -> String {
    let zone = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format(format)
        .to_string()
}

/// Keeps a value inside `key="value"` unambiguous: quotes, ampersands and percent signs escaped.
fn quoted_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("%22"),
            '&' => out.push_str("%26"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

/// `credential.alipay.orderInfo` in the seed's layout (mobile.securitypay.pay).
fn order_info(order: &SandboxOrder, id: &str, subject: &str, body: &str, expire: i64) -> String {
    let notify = format!("https://api.pingxx.com/notify/charges/{id}");
    let fields = [
        ("service", "mobile.securitypay.pay".to_string()),
        ("_input_charset", "utf-8".to_string()),
        (
            "notify_url",
            utf8_percent_encode(&notify, NON_ALPHANUMERIC).to_string(),
        ),
        ("partner", ALIPAY_PARTNER.to_string()),
        ("out_trade_no", quoted_value(&order.order_no)),
        ("subject", quoted_value(subject)),
        ("body", quoted_value(body)),
        ("total_fee", yuan(order.amount_minor)),
        ("payment_type", "1".to_string()),
        ("seller_id", ALIPAY_PARTNER.to_string()),
        ("it_b_pay", beijing(expire, "%Y-%m-%d %H:%M:%S")),
    ];
    let unsigned = fields
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join("&");
    let sign = paydesk_crypto::hmac_sha256_hex(ORDER_INFO_KEY, unsigned.as_bytes());
    format!("{unsigned}&sign=\"{sign}\"&sign_type=\"HMAC-SHA256\"")
}

/// WeChat Pay v2 signature: non-empty fields sorted by name (byte order), `k=v` joined with
/// `&`, then `&key=<api key>`, MD5, uppercase hex.
fn wechat_sign(fields: &[(&str, &str)], key: &str) -> String {
    let mut kept: Vec<&(&str, &str)> = fields
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .collect();
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = kept
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    text.push_str("&key=");
    text.push_str(key);
    paydesk_crypto::md5_hex(text.as_bytes()).to_ascii_uppercase()
}

/// The fields WeChat's APP SDK takes, as Ping++ hands them over.
fn wx_credential(now: i64) -> Value {
    let random = uuid::Uuid::new_v4().simple().to_string();
    let prepay_id = format!("wx{}{}", beijing(now, "%Y%m%d%H%M%S"), &random[..18]);
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let stamp = now.to_string();
    let sign = wechat_sign(
        &[
            ("appid", WX_APP_ID),
            ("noncestr", &nonce),
            ("package", "Sign=WXPay"),
            ("partnerid", WX_MCH_ID),
            ("prepayid", &prepay_id),
            ("timestamp", &stamp),
        ],
        WX_API_KEY,
    );
    json!({
        "appId": WX_APP_ID,
        "partnerId": WX_MCH_ID,
        "prepayId": prepay_id,
        "nonceStr": nonce,
        "timeStamp": now,
        "packageValue": "Sign=WXPay",
        "sign": sign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{start, SandboxConfig};

    const KEY: &str = "5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d";

    fn headers(authorization: Option<&[u8]>) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Some(value) = authorization {
            map.insert(
                header::AUTHORIZATION,
                header::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn authenticates_like_drf_token_authentication() {
        let ok = format!("Token {KEY}");
        assert_eq!(authenticate(&headers(Some(ok.as_bytes())), KEY), Ok(()));
        let lower = format!("token \t {KEY} ");
        assert_eq!(authenticate(&headers(Some(lower.as_bytes())), KEY), Ok(()));
        let bad: [(Option<&[u8]>, &str); 8] = [
            (None, NOT_PROVIDED),
            (Some(b""), NOT_PROVIDED),
            (
                Some(b"Bearer 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d"),
                NOT_PROVIDED,
            ),
            (
                Some(b"Tokens 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6d"),
                NOT_PROVIDED,
            ),
            (Some(b"Token"), HEADER_NO_CREDENTIALS),
            (Some(b"Token 5a4dbe3f 9c1e4b7d"), HEADER_SPACES),
            (Some(b"Token \xff\xfe"), HEADER_BAD_CHARS),
            (
                Some(b"Token 5a4dbe3f9c1e4b7d8a2f6c0e1b3d5f7a9c2e4b6e"),
                INVALID_TOKEN,
            ),
        ];
        for (header, text) in bad {
            assert_eq!(authenticate(&headers(header), KEY), Err(text), "{header:?}");
        }
        // No configured key matches nothing, not even an empty one.
        assert_eq!(
            authenticate(&headers(Some(b"Token x")), ""),
            Err(INVALID_TOKEN)
        );
        let refusal = unauthorized(INVALID_TOKEN);
        assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(refusal.headers()[header::WWW_AUTHENTICATE], "Token");
    }

    #[test]
    fn reads_form_fields_like_django_but_refuses_one_given_twice() {
        let data = parse_form(b"order_no=A%26B+C&channel=alipay&flag&=v").unwrap();
        assert_eq!(data["order_no"], "A&B C");
        assert_eq!(data["channel"], "alipay");
        assert_eq!(data["flag"], "");
        assert_eq!(
            parse_form("order_no=%E5%8D%95".as_bytes()).unwrap()["order_no"],
            "单"
        );
        assert_eq!(
            parse_form(b"order_no=1&channel=wx&channel=alipay"),
            Err("channel".to_string())
        );
    }

    #[test]
    fn formats_alipay_fields_exactly() {
        assert_eq!(yuan(9900), "99.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(123456), "1234.56");
        // The seed's time_expire and it_b_pay.
        assert_eq!(
            beijing(1466236251, "%Y-%m-%d %H:%M:%S"),
            "2016-06-18 15:50:51"
        );
        let order = SandboxOrder::new("12134676899915430002", 9900, "CNY", "a\"b&c%");
        let info = order_info(
            &order,
            "ch_x",
            "a\"b&c%",
            "12134676899915430002",
            1466236251,
        );
        assert!(info.starts_with(
            "service=\"mobile.securitypay.pay\"&_input_charset=\"utf-8\"&notify_url=\"https%3A%2F%2Fapi%2Epingxx%2Ecom%2Fnotify%2Fcharges%2Fch%5Fx\"&partner="
        ));
        assert!(info.contains(
            "&out_trade_no=\"12134676899915430002\"&subject=\"a%22b%26c%25\"&body=\"12134676899915430002\"&total_fee=\"99.00\"&payment_type=\"1\""
        ));
        assert!(info.contains("&it_b_pay=\"2016-06-18 15:50:51\"&sign=\""));
        let (unsigned, signed) = info.split_once("&sign=\"").unwrap();
        let sign = signed.strip_suffix("\"&sign_type=\"HMAC-SHA256\"").unwrap();
        assert_eq!(
            sign,
            paydesk_crypto::hmac_sha256_hex(ORDER_INFO_KEY, unsigned.as_bytes())
        );
    }

    #[test]
    fn wechat_sign_matches_the_public_vector_and_its_rules() {
        let fields = [
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ];
        assert_eq!(
            wechat_sign(&fields, "192006250b4c09247ec02edce69f6a2d"),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        // Empty values are dropped.
        let mut with_empty = fields.to_vec();
        with_empty.push(("attach", ""));
        assert_eq!(
            wechat_sign(&with_empty, "192006250b4c09247ec02edce69f6a2d"),
            "9A0A8659F005D6984697E2CA0A9CF3B7"
        );
        // Byte order: uppercase sorts before lowercase; non-ASCII is hashed as UTF-8.
        let expected = paydesk_crypto::md5_hex("B=2&a=单&key=k".as_bytes()).to_ascii_uppercase();
        assert_eq!(wechat_sign(&[("a", "单"), ("B", "2")], "k"), expected);
    }

    #[test]
    fn a_wx_credential_is_signed_over_its_own_fields() {
        let cred = wx_credential(1466149851);
        let field = |k: &str| match &cred[k] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(field("timeStamp"), "1466149851");
        assert!(cred["timeStamp"].is_i64(), "Ping++ writes a number");
        assert!(field("prepayId").starts_with("wx20160617155051"));
        let expected = wechat_sign(
            &[
                ("appid", &field("appId")),
                ("noncestr", &field("nonceStr")),
                ("package", &field("packageValue")),
                ("partnerid", &field("partnerId")),
                ("prepayid", &field("prepayId")),
                ("timestamp", &field("timeStamp")),
            ],
            WX_API_KEY,
        );
        assert_eq!(field("sign"), expected);
    }

    async fn sandbox() -> (crate::RunningSandbox, reqwest::Client, String) {
        let sandbox = start("127.0.0.1:0", SandboxConfig::default())
            .await
            .unwrap();
        let base = sandbox.base_url(GATEWAY);
        (sandbox, reqwest::Client::new(), base)
    }

    #[tokio::test]
    async fn answers_drf_auth_errors_before_anything_else() {
        let (_sandbox, client, base) = sandbox().await;
        let url = format!("{base}/pay/pay_for_order/");
        let cases: [(Option<&str>, &str); 5] = [
            (None, NOT_PROVIDED),
            (Some("Bearer abc"), NOT_PROVIDED),
            (Some("Token"), HEADER_NO_CREDENTIALS),
            (Some("Token a b"), HEADER_SPACES),
            (
                Some("Token 0000000000000000000000000000000000000000"),
                INVALID_TOKEN,
            ),
        ];
        for (authorization, text) in cases {
            // GET: authentication runs before the method check.
            let mut request = client.get(&url);
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{authorization:?}");
            assert_eq!(response.headers()["www-authenticate"], "Token");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body, json!({ "detail": text }));
        }
        let response = client
            .get(&url)
            .header("authorization", format!("Token {KEY}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"detail": "Method \"GET\" not allowed."}));
    }

    #[tokio::test]
    async fn takes_json_with_a_bare_integer_order_number_and_refuses_other_media() {
        let (sandbox, client, base) = sandbox().await;
        sandbox.ledger.register(
            GATEWAY,
            SandboxOrder::new("12134676899915430002", 9900, "CNY", "course"),
        );
        let url = format!("{base}/pay/pay_for_order/");
        let response = client
            .put(&url)
            .header("authorization", format!("Token {KEY}"))
            .header("content-type", "application/json")
            .body(r#"{"order_no":12134676899915430002,"channel":"alipay"}"#)
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], 0);
        assert_eq!(body["ch"]["order_no"], "12134676899915430002");
        assert_eq!(body["ch"]["amount"], 9900);
        let response = client
            .put(&url)
            .header("authorization", format!("Token {KEY}"))
            .header("content-type", "text/plain")
            .body("order_no=1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"detail": "Unsupported media type \"text/plain\" in request."})
        );
        let response = client
            .put(&url)
            .header("authorization", format!("Token {KEY}"))
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        // No body at all: no channel.
        let response = client
            .put(&url)
            .header("authorization", format!("Token {KEY}"))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"status": -4, "message": INVALID_CHANNEL}));
        let response = client
            .put(&url)
            .header("authorization", format!("Token {KEY}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("channel=wx")
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"status": -4, "message": NO_ORDER_NO}));
        assert_eq!(sandbox.ledger.charges().len(), 1);
    }

    #[tokio::test]
    async fn the_cashier_page_shows_the_charge_and_unknown_ids_are_not_found() {
        let (sandbox, client, base) = sandbox().await;
        sandbox
            .ledger
            .register(GATEWAY, SandboxOrder::new("o<1>", 1990, "CNY", "<b>x</b>"));
        let response = client
            .put(format!("{base}/pay/pay_for_order/"))
            .header("authorization", format!("Token {KEY}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("order_no=o%3C1%3E&channel=alipay")
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        let url = body["ch"]["credential"]["alipay_qr"].as_str().unwrap();
        let id = body["ch"]["id"].as_str().unwrap();
        assert_eq!(url, format!("{base}/pay/cashier/{id}/"));
        let page = client.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains(id));
        assert!(page.contains("¥19.90"));
        assert!(page.contains("&lt;b&gt;x&lt;/b&gt;") && !page.contains("<b>x"));
        let missing = client
            .get(format!("{base}/pay/cashier/ch_nothing/"))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}
