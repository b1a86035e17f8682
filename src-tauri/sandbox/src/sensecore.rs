//! SenseCore emulator: `POST /v1/orders/{order_id}:pay` and `GET /v1/orders/{order_id}`.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! Hostile requests [ours]: every answer under `/sensecore` is the google.rpc.Status shape,
//! an unknown path included (NOT_FOUND); a body that names a key twice, a wrong JSON type
//! anywhere the emulator reads, or more than one `Authorization` header is refused
//! (INVALID_ARGUMENT, UNAUTHENTICATED); messages quote at most a short head of a value.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::ledger::ChargeResult;
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

const GATEWAY: &str = "sensecore";
const MAX_BODY: usize = 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/orders/{*rest}", any(dispatch))
        .fallback(|| async { rpc_error(NOT_FOUND, "no such resource") })
}

/// grpc-gateway v2's HTTP status for a google.rpc.Code.
fn http_status(code: i32) -> StatusCode {
    let status = match code {
        1 => 408,
        3 | 9 | 11 => 400,
        4 => 504,
        5 => 404,
        6 | 10 => 409,
        7 => 403,
        8 => 429,
        12 => 501,
        14 => 503,
        16 => 401,
        _ => 500,
    };
    StatusCode::from_u16(status).expect("valid status")
}

fn rpc_error(code: i32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": message, "domain": "sensecore.sandbox"}]
    });
    (http_status(code), Json(body)).into_response()
}

const INVALID_ARGUMENT: i32 = 3;
const NOT_FOUND: i32 = 5;
const FAILED_PRECONDITION: i32 = 9;
const UNIMPLEMENTED: i32 = 12;
const UNAUTHENTICATED: i32 = 16;

/// The path's last part, which must be one percent-encoded segment (a raw `/` would be a
/// different resource).
fn order_segment(path: &str) -> Option<(String, bool)> {
    let rest = path.rsplit_once("/v1/orders/")?.1;
    let (raw, is_pay) = match rest.strip_suffix(":pay") {
        Some(id) => (id, true),
        None => (rest, false),
    };
    if raw.is_empty() || raw.contains('/') {
        return None;
    }
    let decoded = percent_decode_str(raw).decode_utf8().ok()?.into_owned();
    Some((decoded, is_pay))
}

async fn dispatch(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if !authorized(&parts.headers, state.config.secret(GATEWAY, "token")) {
        return rpc_error(
            UNAUTHENTICATED,
            "request had invalid authentication credentials",
        );
    }
    let Some((order_id, is_pay)) = order_segment(parts.uri.path()) else {
        return rpc_error(NOT_FOUND, "no such resource");
    };
    match (parts.method.as_str(), is_pay) {
        ("POST", true) => {
            let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
                Ok(b) => b,
                Err(_) => return rpc_error(INVALID_ARGUMENT, "request body too large"),
            };
            pay(&state, &order_id, &bytes)
        }
        ("GET", false) => status(&state, &order_id),
        _ => rpc_error(UNIMPLEMENTED, "method not implemented"),
    }
}

fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let mut given = headers.get_all("authorization").iter();
    // One credential: a second Authorization header makes the request ambiguous.
    let (Some(only), None) = (given.next(), given.next()) else {
        return false;
    };
    Some(only)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| !token.is_empty() && given == token)
}

/// Channels where the payer must still act (scan, confirm) after the call.
fn interactive(channel: &str) -> bool {
    matches!(channel, "PC_ALIPAY" | "PC_WECHAT" | "PC_UNIONPAY")
}

const CHANNELS: [&str; 10] = [
    "PC_UNSPECIFIED",
    "PC_BALANCE",
    "PC_CREDIT",
    "PC_FROZENACCOUNT",
    "PC_REMIT_OFFLINE",
    "PC_ALIPAY",
    "PC_UNIONPAY",
    "PC_REMIT_ONLINE",
    "PC_CONTRACT",
    "PC_WECHAT",
];

/// proto3 JSON enums arrive by name or by number.
fn read_channel(value: Option<&Value>) -> Option<&'static str> {
    match value? {
        Value::String(name) => CHANNELS.iter().copied().find(|c| c == name),
        Value::Number(n) => CHANNELS.get(usize::try_from(n.as_u64()?).ok()?).copied(),
        _ => None,
    }
}

/// proto3 JSON readers accept both snake_case and lowerCamelCase keys.
fn field<'a>(object: &'a Value, snake: &str, camel: &str) -> Option<&'a Value> {
    object.get(snake).or_else(|| object.get(camel))
}

/// A google.type.Money in nanos of a unit (exact, i128), or why it is malformed.
fn money_nanos(money: &Value) -> Result<(String, i128), String> {
    let currency = field(money, "currency_code", "currencyCode")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let units: i64 = match field(money, "units", "units") {
        None => 0,
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| format!("units {} is not an int64", clip(s)))?,
        Some(Value::Number(n)) => n.as_i64().ok_or("units is not an int64")?,
        Some(_) => return Err("units is not an int64".into()),
    };
    let nanos: i64 = match money.get("nanos") {
        None => 0,
        Some(Value::Number(n)) => n.as_i64().ok_or("nanos is not an int32")?,
        Some(_) => return Err("nanos is not an int32".into()),
    };
    if !(-999_999_999..=999_999_999).contains(&nanos) {
        return Err("nanos out of range".into());
    }
    if (units > 0 && nanos < 0) || (units < 0 && nanos > 0) {
        return Err("units and nanos must have the same sign".into());
    }
    Ok((
        currency,
        i128::from(units) * 1_000_000_000 + i128::from(nanos),
    ))
}

fn pay(state: &AppState, path_order_id: &str, body: &[u8]) -> Response {
    let body = match strict_json::parse(body) {
        Ok(body) => body,
        Err(JsonError::Syntax(_)) => {
            return rpc_error(INVALID_ARGUMENT, "request body is not valid JSON")
        }
        Err(JsonError::DuplicateKey(key)) => {
            return rpc_error(
                INVALID_ARGUMENT,
                &format!("request body names {key} more than once"),
            )
        }
    };
    let body_order_id = field(&body, "order_id", "orderId").and_then(Value::as_str);
    if body_order_id != Some(path_order_id) {
        return rpc_error(INVALID_ARGUMENT, "order_id in the body must match the path");
    }
    let channel = match read_channel(field(&body, "payment_channel", "paymentChannel")) {
        None => {
            return rpc_error(
                INVALID_ARGUMENT,
                "payment_channel is missing or not a known value",
            )
        }
        Some("PC_UNSPECIFIED") => {
            return rpc_error(INVALID_ARGUMENT, "payment_channel must be specified")
        }
        Some(c) => c,
    };
    let Some(order) = state.ledger.order(GATEWAY, path_order_id) else {
        return rpc_error(
            NOT_FOUND,
            &format!("order {} not found", clip(path_order_id)),
        );
    };
    if order.paid {
        return rpc_error(
            FAILED_PRECONDITION,
            &format!("order {} is already paid", clip(path_order_id)),
        );
    }
    let mut deducted_nanos: i128 = 0;
    if let Some(groups) = field(&body, "ba_vouchers", "baVouchers") {
        let Some(groups) = groups.as_array() else {
            return rpc_error(INVALID_ARGUMENT, "ba_vouchers must be a list");
        };
        for group in groups {
            if !group.is_object() {
                return rpc_error(INVALID_ARGUMENT, "each ba_vouchers entry must be an object");
            }
            let vouchers = match field(group, "selected_vouchers", "selectedVouchers") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(list)) => list.clone(),
                Some(_) => return rpc_error(INVALID_ARGUMENT, "selected_vouchers must be a list"),
            };
            for voucher in vouchers {
                let Some(amount) = field(&voucher, "deduction_amount", "deductionAmount") else {
                    return rpc_error(
                        INVALID_ARGUMENT,
                        "a selected voucher has no deduction_amount",
                    );
                };
                match money_nanos(amount) {
                    Ok((currency, _)) if !currency.eq_ignore_ascii_case(&order.currency) => {
                        return rpc_error(
                            INVALID_ARGUMENT,
                            "voucher currency differs from the order's",
                        );
                    }
                    Ok((_, nanos)) if nanos <= 0 => {
                        return rpc_error(INVALID_ARGUMENT, "a voucher deduction must be positive");
                    }
                    Ok((_, nanos)) => deducted_nanos += nanos,
                    Err(why) => return rpc_error(INVALID_ARGUMENT, &why),
                }
            }
        }
    }
    // The sandbox's orders are all in two-decimal currencies: one minor unit is 10^7 nanos.
    let order_nanos = i128::from(order.amount_minor) * 10_000_000;
    if deducted_nanos > order_nanos {
        return rpc_error(
            INVALID_ARGUMENT,
            "voucher deductions exceed the order amount",
        );
    }
    let charged_minor = ((order_nanos - deducted_nanos) / 10_000_000) as i64;
    match state
        .ledger
        .charge(GATEWAY, path_order_id, charged_minor, channel)
    {
        ChargeResult::Charged => {}
        ChargeResult::UnknownOrder => {
            return rpc_error(
                NOT_FOUND,
                &format!("order {} not found", clip(path_order_id)),
            )
        }
        ChargeResult::AlreadyPaid => {
            return rpc_error(
                FAILED_PRECONDITION,
                &format!("order {} is already paid", clip(path_order_id)),
            )
        }
    }
    Json(json!({"order_id": path_order_id, "interactive": interactive(channel)})).into_response()
}

fn status(state: &AppState, order_id: &str) -> Response {
    match state.ledger.order(GATEWAY, order_id) {
        None => rpc_error(NOT_FOUND, &format!("order {} not found", clip(order_id))),
        Some(order) => Json(json!({
            "order_id": order.order_no,
            "state": if order.paid { "PAID" } else { "UNPAID" },
        }))
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_encoded_segment() {
        assert_eq!(
            order_segment("/sensecore/v1/orders/A%2FB%3A%20c:pay"),
            Some(("A/B: c".into(), true))
        );
        assert_eq!(order_segment("/v1/orders/o1"), Some(("o1".into(), false)));
        assert_eq!(order_segment("/v1/orders/a/b:pay"), None);
    }

    #[test]
    fn reads_money_with_sign_rules() {
        assert_eq!(
            money_nanos(&json!({"currency_code":"CNY","units":"-1","nanos":-750000000}))
                .unwrap()
                .1,
            -1_750_000_000
        );
        assert!(money_nanos(&json!({"units":"1","nanos":-1})).is_err());
        assert!(money_nanos(&json!({"units":1,"nanos":1_000_000_000})).is_err());
    }
}
