//! TOP's wire, emulator side: the platform's and the method's answers, the signed form, and
//! `request_param` read into a payment.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

use super::{GATEWAY, RESPONSE_KEY};
use crate::{clip, gmt8, AppState};

pub(super) fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..13].to_string()
}

/// `{"error_response": ...}`, the platform's refusal shape.
pub(super) fn platform_error(code: i64, msg: &str, sub: Option<(&str, &str)>) -> Value {
    let mut error = json!({"code": code, "msg": msg});
    if let Some((sub_code, sub_msg)) = sub {
        error["sub_code"] = sub_code.into();
        error["sub_msg"] = sub_msg.into();
    }
    error["request_id"] = request_id().into();
    json!({ "error_response": error })
}

pub(super) fn missing(field: &str) -> Value {
    platform_error(
        40,
        &format!("Missing required arguments:{field}"),
        Some(("isv.missing-parameter", &format!("{field} is required"))),
    )
}

pub(super) fn invalid(field: &str, why: &str) -> Value {
    platform_error(
        41,
        &format!("Invalid arguments:{field}"),
        Some(("isv.invalid-parameter", why)),
    )
}

pub(super) fn business(sub_code: &str, sub_msg: &str) -> Value {
    platform_error(50, "Remote service error", Some((sub_code, sub_msg)))
}

pub(super) fn answer(result: Value) -> Value {
    let mut result = result;
    result["request_id"] = request_id().into();
    json!({ RESPONSE_KEY: result })
}

pub(super) fn respond(body: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space).
pub(super) fn parse_form(text: &str) -> Result<Vec<(String, String)>, String> {
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

pub(super) fn is_form(headers: &HeaderMap) -> bool {
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
pub(super) fn timestamp_ms(text: &str) -> Option<i64> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    gmt8::parse_millis(text)
}

pub(super) fn expected_sign(
    params: &BTreeMap<String, String>,
    secret: &str,
    method: &str,
) -> Option<String> {
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

/// The fields of one payment, checked for presence, type and the tenant's configuration.
pub(super) struct Payment {
    pub(super) order_id: String,
    pub(super) currency: String,
    pub(super) code: String,
    pub(super) balance: i64,
    pub(super) credit: i64,
}

pub(super) fn text_field(param: &Map<String, Value>, key: &str) -> Result<String, Value> {
    let field = format!("request_param.{key}");
    match param.get(key) {
        None | Some(Value::Null) => Err(missing(&field)),
        Some(Value::String(s)) if s.is_empty() => Err(missing(&field)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(invalid(&field, &format!("{key} must be a string"))),
    }
}

pub(super) fn integer_field(param: &Map<String, Value>, key: &str) -> Result<Option<i64>, Value> {
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

/// `refund_subscribe_list`, where sent: an array of `{subscribe_id, refund_amount}`, each id a
/// non-empty string given once, each refund a positive integer (fen).
fn check_refunds(param: &Map<String, Value>) -> Result<(), Value> {
    let field = "request_param.refund_subscribe_list";
    let list = match param.get("refund_subscribe_list") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid(field, "refund_subscribe_list must be an array")),
    };
    let mut seen = std::collections::BTreeSet::new();
    for item in list {
        let id = item
            .get("subscribe_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let amount = item.get("refund_amount").and_then(Value::as_i64);
        if id.is_empty() || !seen.insert(id) {
            return Err(invalid(
                field,
                "each subscribe_id must be a non-empty string, given once",
            ));
        }
        if amount.is_none_or(|a| a <= 0) {
            return Err(invalid(
                field,
                "each refund_amount must be a positive integer (fen)",
            ));
        }
    }
    Ok(())
}

pub(super) fn required_integer(param: &Map<String, Value>, key: &str) -> Result<i64, Value> {
    integer_field(param, key)?.ok_or_else(|| missing(&format!("request_param.{key}")))
}

pub(super) fn read_payment(state: &AppState, param: &Map<String, Value>) -> Result<Payment, Value> {
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
    check_refunds(param)?;
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
pub(super) fn fingerprint(param: &Map<String, Value>) -> Value {
    let mut same = param.clone();
    same.remove("pay_start_time");
    Value::Object(same)
}

pub(super) fn memo_key(code: &str) -> String {
    format!("pay:{code}")
}
