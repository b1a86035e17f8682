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
//!   known `pay_idempotent_code` with a different `request_param`). A wrong `currency` is 41, and so is a
//!   `refund_subscribe_list` that is not an array of `{subscribe_id, refund_amount}` (each id
//!   once, each refund a positive integer of fen); a valid list is taken as given.
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
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

use crate::ledger::{Book, ChargeResult};
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

mod wire;

use wire::{
    answer, business, expected_sign, fingerprint, invalid, is_form, memo_key, missing, parse_form,
    platform_error, read_payment, respond, timestamp_ms, Payment,
};

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
mod tests;
