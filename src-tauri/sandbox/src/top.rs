//! Taobao Open Platform emulator: `POST|GET /router/rest`, method
//! `alibaba.cloudgame.tradeplatform.payorder` only.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! The platform's door, checked in this order, each refusal an HTTP 200 `error_response`:
//! `method` (21 missing, 22 anything but payorder), `app_key` (28/29), `timestamp` (30
//! missing; 31 with sub_code `isv.invalid-timestamp` when it is neither `yyyy-MM-dd HH:mm:ss`
//! in GMT+8 nor unix milliseconds, as the official Python SDK sends, or is more than ten
//! minutes off the sandbox clock), `sign_method` (`md5` when absent, `hmac`, `hmac-sha256`;
//! anything else 41), `sign` (24 missing, 25 wrong: every parameter of the query string and
//! the form body but `sign`, empty keys and values dropped, sorted by byte order, `keyvalue`
//! concatenated, uppercase hex), `v` (40 missing, 41 unless `2.0`), `format` (the sandbox
//! answers `json` only; anything else is 41). Codes 21-31 carry no sub_code but 31's; 40 and
//! 41 carry `isv.missing-parameter` / `isv.invalid-parameter` and name the field in `msg`.
//! `session` and `partner_id` are signed but not otherwise required: this API needs no user
//! authorisation. A parameter given twice (query and body, or twice in one), or a
//! `request_param` naming a key twice, is refused with 41. Answers are JSON with HTTP 200
//! whatever they say; a refusal quotes at most a short head of a value.
//!
//! The business (`request_param`, a JSON object), in the sandbox's words ([ours]):
//! - required strings `charge_item_code`, `order_id`, `category_code`, `user_country`,
//!   `commodity_code`, `currency`, `pay_idempotent_code`, `pay_serial_id`; required integers
//!   `balance_pay_amount`, `tenant_id`, `pay_start_time` (unix ms); optional integers
//!   `credit_pay_amount`, `credit_account_id`. Absent or empty → 40
//!   `isv.missing-parameter`; the wrong JSON type (an order id as a number, an amount with a
//!   fraction or in a string) or a negative amount → 41 `isv.invalid-parameter`. `tenant_id`,
//!   `charge_item_code`, `category_code`, `commodity_code` and `user_country` must be the
//!   sandbox tenant's (its `top` settings), else 41.
//! - Amounts are integers in the currency's minor unit (fen); `balance_pay_amount +
//!   credit_pay_amount` must equal the order amount exactly, in the order's currency.
//! - Errors under code 50 "Remote service error": `isv.order-not-exist` (no such order),
//!   `isv.order-already-paid`, `isv.pay-amount-not-match` (the parts do not add up to the
//!   order amount), `isv.pay-channel-not-supported` (a `huijin_account_id`: remittance
//!   payment is not offered by the sandbox tenant), `isv.pay-idempotent-code-conflict` (a
//!   known `pay_idempotent_code` with a different `request_param`). A wrong `currency` is 41.
//! - `pay_idempotent_code` is the idempotency key: the first charge under a code is
//!   remembered with its `request_param` (less `pay_start_time`, which each send stamps
//!   anew); a repeat with the same parameters answers that payment's result again (only
//!   `request_id` differs) and never charges twice. Refusals are not remembered: nothing was
//!   charged, so a repeat is judged afresh.
//! - The sandbox tenant's credit line takes at most ¥50,000.00 per payment: a larger
//!   `credit_pay_amount` answers `result_success: false` with the CommonError
//!   `{error_code: {code: "CREDIT_LIMIT_EXCEEDED", prefix: "HP"}, location: "tradeplatform"}`;
//!   nothing is charged.
//! - A balance part of ¥10,000.00 or more must be confirmed by the payer: the charge is booked
//!   at once, the answer is `pay_status: WAIT_PAY` with a `pay_url` (this emulator's
//!   `/top/cashier/{pay_idempotent_code}`), and from then on the payment counts as confirmed:
//!   every repeat of the code answers `PAY_SUCCESS` with the same `pay_url`. Smaller payments
//!   answer `PAY_SUCCESS` at once.
//! - The ledger's channel is `balance`, `credit` or `balance+credit`, after the split.
//! - `GET /cashier/{pay_idempotent_code}` is the payer's page behind `pay_url` (404 for a code
//!   the sandbox never charged).

use std::collections::BTreeMap;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{FixedOffset, NaiveDateTime, Utc};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

use crate::ledger::{Book, ChargeResult};
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

const GATEWAY: &str = "top";
const METHOD: &str = "alibaba.cloudgame.tradeplatform.payorder";
const RESPONSE_KEY: &str = "alibaba_cloudgame_tradeplatform_payorder_response";
const MAX_BODY: usize = 1024 * 1024;
/// TOP allows client clocks ten minutes either way.
const WINDOW_MS: i64 = 10 * 60 * 1000;
/// A balance part from this many fen on waits for the payer at `pay_url`.
const CONFIRM_FROM_MINOR: i64 = 1_000_000;
/// The sandbox tenant's credit line per payment, in fen.
const CREDIT_LIMIT_MINOR: i64 = 5_000_000;
/// One path segment: everything but RFC 3986 unreserved characters is escaped.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/router/rest", get(rest).post(rest))
        .route("/cashier/{code}", get(cashier))
}

fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..13].to_string()
}

/// `{"error_response": ...}`, the platform's refusal shape.
fn platform_error(code: i64, msg: &str, sub: Option<(&str, &str)>) -> Value {
    let mut error = json!({"code": code, "msg": msg});
    if let Some((sub_code, sub_msg)) = sub {
        error["sub_code"] = sub_code.into();
        error["sub_msg"] = sub_msg.into();
    }
    error["request_id"] = request_id().into();
    json!({ "error_response": error })
}

fn missing(field: &str) -> Value {
    platform_error(
        40,
        &format!("Missing required arguments:{field}"),
        Some(("isv.missing-parameter", &format!("{field} is required"))),
    )
}

fn invalid(field: &str, why: &str) -> Value {
    platform_error(
        41,
        &format!("Invalid arguments:{field}"),
        Some(("isv.invalid-parameter", why)),
    )
}

fn business(sub_code: &str, sub_msg: &str) -> Value {
    platform_error(50, "Remote service error", Some((sub_code, sub_msg)))
}

fn answer(result: Value) -> Value {
    let mut result = result;
    result["request_id"] = request_id().into();
    json!({ RESPONSE_KEY: result })
}

fn respond(body: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| format!("{} is not percent-encoded UTF-8", clip(s)))
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

async fn rest(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return respond(&invalid("body", "the request body is too large"));
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let mut pairs = match parse_form(parts.uri.query().unwrap_or("")) {
        Ok(p) => p,
        Err(why) => return respond(&invalid("query", &why)),
    };
    if is_form(&parts.headers) {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return respond(&invalid("body", "the form body is not UTF-8"));
        };
        match parse_form(text) {
            Ok(p) => pairs.extend(p),
            Err(why) => return respond(&invalid("body", &why)),
        }
    }
    let mut params = BTreeMap::new();
    for (k, v) in pairs {
        if params.contains_key(&k) {
            let k = clip(&k);
            return respond(&invalid(&k, &format!("parameter {k} is given twice")));
        }
        params.insert(k, v);
    }
    let base = format!("http://{host}/{GATEWAY}");
    respond(&handle(
        &state,
        &params,
        &base,
        Utc::now().timestamp_millis(),
    ))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// A TOP timestamp in unix milliseconds: all digits are milliseconds, anything else must be
/// `yyyy-MM-dd HH:mm:ss` in GMT+8.
fn timestamp_ms(text: &str) -> Option<i64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    let gmt8 = FixedOffset::east_opt(8 * 3600)?;
    naive
        .and_local_timezone(gmt8)
        .single()
        .map(|t| t.timestamp_millis())
}

fn expected_sign(params: &BTreeMap<String, String>, secret: &str, method: &str) -> Option<String> {
    // BTreeMap<String, _> iterates in the keys' byte order.
    let base: String = params
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty() && k.as_str() != "sign")
        .flat_map(|(k, v)| [k.as_str(), v.as_str()])
        .collect();
    let hex = match method {
        "md5" => paydesk_crypto::md5_hex(format!("{secret}{base}{secret}").as_bytes()),
        "hmac" => paydesk_crypto::hmac_md5_hex(secret.as_bytes(), base.as_bytes()),
        "hmac-sha256" => paydesk_crypto::hmac_sha256_hex(secret.as_bytes(), base.as_bytes()),
        _ => return None,
    };
    Some(hex.to_ascii_uppercase())
}

/// One call to the router: the JSON it answers.
fn handle(state: &AppState, params: &BTreeMap<String, String>, base: &str, now_ms: i64) -> Value {
    let get = |key: &str| {
        params
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    match get("method") {
        None => return platform_error(21, "Missing method", None),
        Some(METHOD) => {}
        Some(_) => return platform_error(22, "Invalid method", None),
    }
    let app_key = state.config.setting(GATEWAY, "app_key");
    match get("app_key") {
        None => return platform_error(28, "Missing app key", None),
        Some(given) if !app_key.is_empty() && given == app_key => {}
        Some(_) => return platform_error(29, "Invalid app key", None),
    }
    let Some(timestamp) = get("timestamp") else {
        return platform_error(30, "Missing timestamp", None);
    };
    match timestamp_ms(timestamp) {
        Some(ms) if (ms - now_ms).abs() <= WINDOW_MS => {}
        _ => {
            return platform_error(
                31,
                "Invalid timestamp",
                Some((
                    "isv.invalid-timestamp",
                    "timestamp must be yyyy-MM-dd HH:mm:ss (GMT+8) or unix milliseconds, within 10 minutes of the server",
                )),
            )
        }
    }
    let sign_method = get("sign_method").unwrap_or("md5");
    let secret = state.config.secret(GATEWAY, "app_secret");
    let Some(expected) = expected_sign(params, secret, sign_method) else {
        return invalid(
            "sign_method",
            "sign_method must be md5, hmac or hmac-sha256",
        );
    };
    match get("sign") {
        None => return platform_error(24, "Missing signature", None),
        Some(given) if !secret.is_empty() && given == expected => {}
        Some(_) => return platform_error(25, "Invalid signature", None),
    }
    match get("v") {
        None => return missing("v"),
        Some("2.0") => {}
        Some(_) => return invalid("v", "v must be 2.0"),
    }
    if get("format") != Some("json") {
        return invalid("format", "the sandbox answers format=json only");
    }
    let Some(raw) = get("request_param") else {
        return missing("request_param");
    };
    let param = match strict_json::parse(raw.as_bytes()) {
        Ok(Value::Object(param)) => param,
        Err(JsonError::DuplicateKey(key)) => {
            return invalid(
                "request_param",
                &format!("request_param names {key} more than once"),
            )
        }
        _ => return invalid("request_param", "request_param must be a JSON object"),
    };
    match read_payment(state, &param) {
        Ok(payment) => pay(state, &param, &payment, base),
        Err(refusal) => refusal,
    }
}

/// The fields of one payment, checked for presence, type and the tenant's configuration.
struct Payment {
    order_id: String,
    currency: String,
    code: String,
    balance: i64,
    credit: i64,
}

fn text_field(param: &Map<String, Value>, key: &str) -> Result<String, Value> {
    let field = format!("request_param.{key}");
    match param.get(key) {
        None | Some(Value::Null) => Err(missing(&field)),
        Some(Value::String(s)) if s.is_empty() => Err(missing(&field)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(invalid(&field, &format!("{key} must be a string"))),
    }
}

fn integer_field(param: &Map<String, Value>, key: &str) -> Result<Option<i64>, Value> {
    let field = format!("request_param.{key}");
    match param.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(v) => Ok(Some(v)),
            None => Err(invalid(&field, &format!("{key} must be an integer"))),
        },
        Some(_) => Err(invalid(&field, &format!("{key} must be an integer"))),
    }
}

fn required_integer(param: &Map<String, Value>, key: &str) -> Result<i64, Value> {
    integer_field(param, key)?.ok_or_else(|| missing(&format!("request_param.{key}")))
}

fn read_payment(state: &AppState, param: &Map<String, Value>) -> Result<Payment, Value> {
    let mut texts = BTreeMap::new();
    for key in [
        "charge_item_code",
        "order_id",
        "category_code",
        "user_country",
        "commodity_code",
        "currency",
        "pay_idempotent_code",
        "pay_serial_id",
    ] {
        texts.insert(key, text_field(param, key)?);
    }
    let balance = required_integer(param, "balance_pay_amount")?;
    let tenant_id = required_integer(param, "tenant_id")?;
    required_integer(param, "pay_start_time")?;
    let credit = integer_field(param, "credit_pay_amount")?.unwrap_or(0);
    integer_field(param, "credit_account_id")?;
    integer_field(param, "huijin_account_id")?;
    for (key, amount) in [
        ("balance_pay_amount", balance),
        ("credit_pay_amount", credit),
    ] {
        if amount < 0 {
            return Err(invalid(
                &format!("request_param.{key}"),
                &format!("{key} must not be negative"),
            ));
        }
    }
    if tenant_id.to_string() != state.config.setting(GATEWAY, "tenant_id") {
        return Err(invalid(
            "request_param.tenant_id",
            &format!("tenant {tenant_id} is not a tenant of this app"),
        ));
    }
    for key in [
        "charge_item_code",
        "category_code",
        "commodity_code",
        "user_country",
    ] {
        if texts[key] != state.config.setting(GATEWAY, key) {
            return Err(invalid(
                &format!("request_param.{key}"),
                &format!(
                    "{key} {:?} is not configured for this tenant",
                    clip(&texts[key])
                ),
            ));
        }
    }
    if param.contains_key("huijin_account_id") {
        return Err(business(
            "isv.pay-channel-not-supported",
            "汇金 remittance payment is not offered by this tenant; pay by balance and/or credit",
        ));
    }
    Ok(Payment {
        order_id: texts.remove("order_id").expect("read above"),
        currency: texts.remove("currency").expect("read above"),
        code: texts.remove("pay_idempotent_code").expect("read above"),
        balance,
        credit,
    })
}

/// What makes two sends the same payment: everything but the send's own `pay_start_time`.
fn fingerprint(param: &Map<String, Value>) -> Value {
    let mut same = param.clone();
    same.remove("pay_start_time");
    Value::Object(same)
}

fn memo_key(code: &str) -> String {
    format!("pay:{code}")
}

fn pay(state: &AppState, param: &Map<String, Value>, p: &Payment, base: &str) -> Value {
    let fingerprint = fingerprint(param);
    state
        .ledger
        .transact(|book| pay_in(book, fingerprint, p, base))
}

fn pay_in(book: &mut Book, fingerprint: Value, p: &Payment, base: &str) -> Value {
    let key = memo_key(&p.code);
    if let Some(memo) = book.recall(GATEWAY, &key).cloned() {
        if memo["fingerprint"] != fingerprint {
            return business(
                "isv.pay-idempotent-code-conflict",
                "this pay_idempotent_code was used for a different payment",
            );
        }
        let mut value = memo["value"].clone();
        if value["pay_status"] == "WAIT_PAY" {
            // The sandbox's payer confirms at once: the charge was booked at pay time.
            value["pay_status"] = "PAY_SUCCESS".into();
            book.remember(
                GATEWAY,
                &key,
                json!({"fingerprint": fingerprint, "value": value}),
            );
        }
        return answer(json!({"result_success": true, "value": value}));
    }
    let Some(order) = book.order_mut(GATEWAY, &p.order_id).cloned() else {
        return business(
            "isv.order-not-exist",
            &format!("order {} does not exist", clip(&p.order_id)),
        );
    };
    if order.paid {
        return business(
            "isv.order-already-paid",
            &format!("order {} is already paid", clip(&p.order_id)),
        );
    }
    if !p.currency.eq_ignore_ascii_case(&order.currency) {
        return invalid(
            "request_param.currency",
            &format!(
                "currency {} differs from the order's {}",
                clip(&p.currency),
                order.currency
            ),
        );
    }
    if p.balance.checked_add(p.credit) != Some(order.amount_minor) {
        return business(
            "isv.pay-amount-not-match",
            &format!(
                "balance_pay_amount {} + credit_pay_amount {} must equal the order amount {}",
                p.balance, p.credit, order.amount_minor
            ),
        );
    }
    if p.credit > CREDIT_LIMIT_MINOR {
        return answer(json!({
            "result_success": false,
            "error": {
                "error_code": {"code": "CREDIT_LIMIT_EXCEEDED", "prefix": "HP"},
                "location": "tradeplatform",
                "message": format!("信控额度不足: credit_pay_amount {} is over the credit line {}", p.credit, CREDIT_LIMIT_MINOR),
            },
        }));
    }
    let channel = match (p.balance > 0, p.credit > 0) {
        (true, true) => "balance+credit",
        (false, true) => "credit",
        _ => "balance",
    };
    match book.charge(GATEWAY, &p.order_id, order.amount_minor, channel) {
        ChargeResult::Charged => {}
        ChargeResult::UnknownOrder => {
            return business(
                "isv.order-not-exist",
                &format!("order {} does not exist", clip(&p.order_id)),
            )
        }
        ChargeResult::AlreadyPaid => {
            return business(
                "isv.order-already-paid",
                &format!("order {} is already paid", clip(&p.order_id)),
            )
        }
    }
    let value = if p.balance >= CONFIRM_FROM_MINOR {
        let code = utf8_percent_encode(&p.code, PATH_SEGMENT);
        json!({"pay_status": "WAIT_PAY", "pay_url": format!("{base}/cashier/{code}")})
    } else {
        json!({"pay_status": "PAY_SUCCESS"})
    };
    book.remember(
        GATEWAY,
        &key,
        json!({"fingerprint": fingerprint, "value": value}),
    );
    answer(json!({"result_success": true, "value": value}))
}

/// The page a payer opens from `pay_url`.
async fn cashier(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let known = state
        .ledger
        .transact(|book| book.recall(GATEWAY, &memo_key(&code)).is_some());
    if !known {
        return (StatusCode::NOT_FOUND, "no such payment").into_response();
    }
    let shown: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Html(format!(
        "<!doctype html><title>TOP sandbox cashier</title><p>Payment {shown} is confirmed.</p>"
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{Ledger, SandboxConfig, SandboxOrder};

    const NOW_MS: i64 = 1_763_700_000_000; // 2025-11-21 12:40:00 GMT+8
    const BASE: &str = "http://sandbox/top";

    fn state() -> AppState {
        AppState {
            config: Arc::new(SandboxConfig::default()),
            ledger: Ledger::default(),
            faults: crate::faults::Faults::new(0),
        }
    }

    fn param(order: &str, code: &str, balance: i64, credit: Option<i64>) -> Value {
        let mut p = json!({
            "charge_item_code": "1", "order_id": order, "category_code": "1",
            "user_country": "CHINA", "balance_pay_amount": balance, "tenant_id": 1,
            "commodity_code": "1", "pay_start_time": NOW_MS, "currency": "CNY",
            "pay_idempotent_code": code, "pay_serial_id": code,
        });
        if let Some(c) = credit {
            p["credit_pay_amount"] = c.into();
        }
        p
    }

    /// A correctly signed call (md5 unless `sign_method` says otherwise).
    fn call(
        param: &Value,
        edit: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> BTreeMap<String, String> {
        let mut p: BTreeMap<String, String> = [
            ("method", METHOD),
            ("app_key", "12345678"),
            ("timestamp", "2025-11-21 12:40:00"),
            ("v", "2.0"),
            ("sign_method", "md5"),
            ("format", "json"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        p.insert("request_param".into(), param.to_string());
        edit(&mut p);
        if !p.contains_key("sign") {
            let method = p.get("sign_method").cloned().unwrap_or("md5".into());
            let s = expected_sign(&p, "sandbox-top-app-secret", &method).unwrap();
            p.insert("sign".into(), s);
        }
        p
    }

    fn code_of(body: &Value) -> (i64, Option<String>) {
        let e = &body["error_response"];
        (
            e["code"].as_i64().unwrap_or(-1),
            e["sub_code"].as_str().map(String::from),
        )
    }

    fn with_order(amount: i64) -> AppState {
        let s = state();
        s.ledger
            .register(GATEWAY, SandboxOrder::new("o1", amount, "CNY", "demo"));
        s
    }

    #[test]
    fn signs_like_the_published_vector() {
        let p: BTreeMap<String, String> = [
            ("app_key", "test"),
            ("fields", "nick"),
            ("format", "xml"),
            ("method", "taobao.user.seller.get"),
            ("session", "test"),
            ("sign_method", "md5"),
            ("timestamp", "2013-05-06 13:52:03"),
            ("v", "2.0"),
            ("sign", "ignored"),
            ("empty", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            expected_sign(&p, "test", "md5").unwrap(),
            "72CB4D809B375A54502C09360D879C64"
        );
        assert_eq!(expected_sign(&p, "test", "sha1"), None);
        // Byte order: uppercase before lowercase, `_` before letters; UTF-8 values hashed as bytes.
        let q: BTreeMap<String, String> = [
            ("b", "2"),
            ("B", "1"),
            ("a_b", "x"),
            ("ab", "y"),
            ("zh", "中文 值"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            expected_sign(&q, "密钥", "md5").unwrap(),
            "390F7820627A0DC9D580D95A443CA6A9"
        );
    }

    #[test]
    fn reads_both_timestamp_forms() {
        assert_eq!(timestamp_ms("2025-11-21 12:40:00"), Some(NOW_MS));
        assert_eq!(timestamp_ms("1763700000000"), Some(NOW_MS));
        assert_eq!(timestamp_ms("2025-11-21T12:40:00"), None);
        assert_eq!(timestamp_ms("2025-13-01 00:00:00"), None);
        assert_eq!(timestamp_ms("yesterday"), None);
    }

    #[test]
    fn the_door_refuses_in_the_documented_codes() {
        let s = with_order(1234);
        let p = param("o1", "k", 1234, None);
        let cases: Vec<(BTreeMap<String, String>, i64)> = vec![
            (
                call(&p, |m| {
                    m.remove("method");
                }),
                21,
            ),
            (
                call(&p, |m| {
                    m.insert("method".into(), "taobao.user.get".into());
                }),
                22,
            ),
            (
                call(&p, |m| {
                    m.remove("app_key");
                }),
                28,
            ),
            (
                call(&p, |m| {
                    m.insert("app_key".into(), "999".into());
                }),
                29,
            ),
            (
                call(&p, |m| {
                    m.remove("timestamp");
                }),
                30,
            ),
            (
                call(&p, |m| {
                    m.insert("timestamp".into(), "2025-11-21 12:50:01".into());
                }),
                31,
            ),
            (
                call(&p, |m| {
                    m.insert("timestamp".into(), (NOW_MS - WINDOW_MS - 1).to_string());
                }),
                31,
            ),
            (
                call(&p, |m| {
                    m.insert("timestamp".into(), "soon".into());
                }),
                31,
            ),
            (
                call(&p, |m| {
                    m.insert("sign".into(), String::new());
                }),
                24,
            ),
            (
                call(&p, |m| {
                    m.insert("sign".into(), "00".into());
                }),
                25,
            ),
            (
                call(&p, |m| {
                    m.insert("sign_method".into(), "sha1".into());
                    m.insert("sign".into(), "x".into());
                }),
                41,
            ),
            (
                call(&p, |m| {
                    m.insert("v".into(), "1.0".into());
                }),
                41,
            ),
            (
                call(&p, |m| {
                    m.remove("v");
                }),
                40,
            ),
            (
                call(&p, |m| {
                    m.insert("format".into(), "xml".into());
                }),
                41,
            ),
            (
                call(&p, |m| {
                    m.remove("request_param");
                }),
                40,
            ),
            (
                call(&p, |m| {
                    m.insert("request_param".into(), "[1]".into());
                }),
                41,
            ),
        ];
        for (params, code) in cases {
            let body = handle(&s, &params, BASE, NOW_MS);
            assert_eq!(code_of(&body).0, code, "{params:?} → {body}");
            assert!(body["error_response"]["request_id"].is_string());
        }
        // A signature over different parameters is wrong even when everything else is right.
        let mut tampered = call(&p, |_| {});
        tampered.insert(
            "request_param".into(),
            param("o1", "k", 1, None).to_string(),
        );
        assert_eq!(code_of(&handle(&s, &tampered, BASE, NOW_MS)).0, 25);
        assert!(s.ledger.charges().is_empty());
    }

    #[test]
    fn every_sign_method_and_both_timestamps_pass() {
        for (i, (method, ts)) in [
            ("md5", "2025-11-21 12:49:59"),
            ("hmac", "1763700000000"),
            ("hmac-sha256", "2025-11-21 12:30:01"),
        ]
        .into_iter()
        .enumerate()
        {
            let s = with_order(1234);
            let params = call(&param("o1", &format!("k{i}"), 1234, None), |m| {
                m.insert("sign_method".into(), method.into());
                m.insert("timestamp".into(), ts.into());
            });
            let body = handle(&s, &params, BASE, NOW_MS);
            assert_eq!(
                body[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS",
                "{method}: {body}"
            );
        }
    }

    #[test]
    fn business_fields_are_checked_for_presence_type_and_tenant() {
        let s = with_order(1234);
        type Edit = fn(&mut Value);
        let edits: Vec<(Edit, i64)> = vec![
            (
                |p| {
                    p.as_object_mut().unwrap().remove("order_id");
                },
                40,
            ),
            (|p| p["pay_serial_id"] = "".into(), 40),
            (
                |p| {
                    p.as_object_mut().unwrap().remove("balance_pay_amount");
                },
                40,
            ),
            (
                |p| {
                    p.as_object_mut().unwrap().remove("pay_start_time");
                },
                40,
            ),
            (|p| p["order_id"] = 1.into(), 41),
            (|p| p["balance_pay_amount"] = json!(12.34), 41),
            (|p| p["balance_pay_amount"] = "1234".into(), 41),
            (|p| p["balance_pay_amount"] = (-1).into(), 41),
            (|p| p["tenant_id"] = 2.into(), 41),
            (|p| p["commodity_code"] = "other".into(), 41),
            (|p| p["currency"] = "USD".into(), 41),
        ];
        for (edit, code) in edits {
            let mut p = param("o1", "k", 1234, None);
            edit(&mut p);
            let body = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
            let (got, sub) = code_of(&body);
            assert_eq!(got, code, "{p} → {body}");
            assert!(sub.unwrap().starts_with("isv."));
        }
        assert!(s.ledger.charges().is_empty());
    }

    #[test]
    fn business_refusals_use_code_50_isv_sub_codes() {
        let s = with_order(1234);
        let cases: Vec<(Value, &str)> = vec![
            (param("nope", "a", 1234, None), "isv.order-not-exist"),
            (param("o1", "b", 1000, None), "isv.pay-amount-not-match"),
            (
                param("o1", "c", 1000, Some(200)),
                "isv.pay-amount-not-match",
            ),
            (
                {
                    let mut p = param("o1", "d", 1234, None);
                    p["huijin_account_id"] = 5.into();
                    p
                },
                "isv.pay-channel-not-supported",
            ),
        ];
        for (p, sub) in cases {
            let body = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
            assert_eq!(code_of(&body), (50, Some(sub.to_string())), "{body}");
        }
        assert!(s.ledger.charges().is_empty());
        let ok = handle(
            &s,
            &call(&param("o1", "e", 1234, None), |_| {}),
            BASE,
            NOW_MS,
        );
        assert_eq!(ok[RESPONSE_KEY]["result_success"], true);
        let again = handle(
            &s,
            &call(&param("o1", "f", 1234, None), |_| {}),
            BASE,
            NOW_MS,
        );
        assert_eq!(code_of(&again), (50, Some("isv.order-already-paid".into())));
        assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1);
    }

    #[test]
    fn a_repeat_answers_the_first_result_and_a_changed_body_conflicts() {
        let s = with_order(1234);
        let first = handle(
            &s,
            &call(&param("o1", "k", 1000, Some(234)), |_| {}),
            BASE,
            NOW_MS,
        );
        let mut later = param("o1", "k", 1000, Some(234));
        later["pay_start_time"] = (NOW_MS + 60_000).into();
        let again = handle(
            &s,
            &call(&later, |m| {
                m.insert("timestamp".into(), (NOW_MS + 60_000).to_string());
            }),
            BASE,
            NOW_MS,
        );
        let strip = |v: &Value| {
            let mut v = v.clone();
            v[RESPONSE_KEY]
                .as_object_mut()
                .unwrap()
                .remove("request_id");
            v
        };
        assert_eq!(strip(&first), strip(&again));
        assert_eq!(first[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
        let conflict = handle(
            &s,
            &call(&param("o1", "k", 1234, None), |_| {}),
            BASE,
            NOW_MS,
        );
        assert_eq!(
            code_of(&conflict),
            (50, Some("isv.pay-idempotent-code-conflict".into()))
        );
        let charges = s.ledger.charges();
        assert_eq!(charges.len(), 1);
        assert_eq!(
            (charges[0].amount_minor, charges[0].channel.as_str()),
            (1234, "balance+credit")
        );
    }

    #[test]
    fn a_large_balance_part_waits_for_the_payer_and_then_reads_paid() {
        let s = with_order(CONFIRM_FROM_MINOR);
        let p = param("o1", "big/1", CONFIRM_FROM_MINOR, None);
        let first = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
        assert_eq!(first[RESPONSE_KEY]["value"]["pay_status"], "WAIT_PAY");
        assert_eq!(
            first[RESPONSE_KEY]["value"]["pay_url"],
            "http://sandbox/top/cashier/big%2F1"
        );
        assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1, "booked at pay time");
        let later = handle(&s, &call(&p, |_| {}), BASE, NOW_MS);
        assert_eq!(later[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
        assert_eq!(
            later[RESPONSE_KEY]["value"]["pay_url"],
            first[RESPONSE_KEY]["value"]["pay_url"]
        );
        assert_eq!(s.ledger.charges_for(GATEWAY, "o1"), 1);
    }

    #[test]
    fn credit_over_the_line_is_a_common_error_and_charges_nothing() {
        let s = with_order(CREDIT_LIMIT_MINOR + 1);
        let body = handle(
            &s,
            &call(&param("o1", "k", 0, Some(CREDIT_LIMIT_MINOR + 1)), |_| {}),
            BASE,
            NOW_MS,
        );
        let r = &body[RESPONSE_KEY];
        assert_eq!(r["result_success"], false);
        assert_eq!(
            r["error"]["error_code"],
            json!({"code": "CREDIT_LIMIT_EXCEEDED", "prefix": "HP"})
        );
        assert!(s.ledger.charges().is_empty());
        let ok = handle(
            &s,
            &call(&param("o1", "k2", 1, Some(CREDIT_LIMIT_MINOR)), |_| {}),
            BASE,
            NOW_MS,
        );
        assert_eq!(ok[RESPONSE_KEY]["value"]["pay_status"], "PAY_SUCCESS");
        assert_eq!(s.ledger.charges()[0].channel, "balance+credit");
    }

    #[test]
    fn reads_form_encoding() {
        assert_eq!(
            parse_form("a=1+2&b=%E4%B8%AD&c&=x").unwrap(),
            vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "中".into()),
                ("c".into(), "".into()),
                ("".into(), "x".into())
            ]
        );
        assert!(parse_form("a=%FF").is_err());
    }
}
