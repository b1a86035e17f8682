//! SenseCore's wire, emulator side: `google.rpc.Status` refusals, the bearer check, and reading the
//! pay body's channel and vouchers.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::clip;

/// grpc-gateway v2's HTTP status for a google.rpc.Code.
pub(super) fn http_status(code: i32) -> StatusCode {
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

pub(super) fn rpc_error(code: i32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": message, "domain": "sensecore.sandbox"}]
    });
    (http_status(code), Json(body)).into_response()
}

pub(super) const INVALID_ARGUMENT: i32 = 3;
pub(super) const NOT_FOUND: i32 = 5;
pub(super) const FAILED_PRECONDITION: i32 = 9;
pub(super) const UNIMPLEMENTED: i32 = 12;
pub(super) const UNAUTHENTICATED: i32 = 16;

/// The path's last part, which must be one percent-encoded segment (a raw `/` would be a
/// different resource).
pub(super) fn order_segment(path: &str) -> Option<(String, bool)> {
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

pub(super) fn authorized(headers: &HeaderMap, token: &str) -> bool {
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
pub(super) fn interactive(channel: &str) -> bool {
    matches!(channel, "PC_ALIPAY" | "PC_WECHAT" | "PC_UNIONPAY")
}

pub(super) const CHANNELS: [&str; 10] = [
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
pub(super) fn read_channel(value: Option<&Value>) -> Option<&'static str> {
    match value? {
        Value::String(name) => CHANNELS.iter().copied().find(|c| c == name),
        Value::Number(n) => CHANNELS.get(usize::try_from(n.as_u64()?).ok()?).copied(),
        _ => None,
    }
}

/// proto3 JSON readers accept both snake_case and lowerCamelCase keys.
pub(super) fn field<'a>(object: &'a Value, snake: &str, camel: &str) -> Option<&'a Value> {
    object.get(snake).or_else(|| object.get(camel))
}

/// A google.type.Money in nanos of a unit (exact, i128), or why it is malformed.
pub(super) fn money_nanos(money: &Value) -> Result<(String, i128), String> {
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
