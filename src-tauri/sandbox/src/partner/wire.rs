//! The partner's wire, emulator side: the answer envelope, and the signed parameters read from a
//! form or JSON body and checked.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

use crate::clip;
use crate::strict_json::{self, JsonError};

/// An answer in the gateway's envelope, always HTTP 200.
#[derive(Debug)]
pub(super) struct Envelope(Value);

impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

pub(super) fn answer(code: i64, msg: &str, errors: Value, result: Value) -> Envelope {
    Envelope(json!({"code": code, "errors": errors, "msg": msg, "result": result}))
}

pub(super) fn refuse(code: i64, msg: &str, errors: Value) -> Envelope {
    answer(code, msg, errors, json!({}))
}

pub(super) fn invalid(field: &str, why: &str) -> Envelope {
    refuse(422, "参数错误", json!({ field: why }))
}

/// The sign over every non-empty parameter except `sign` (a `BTreeMap` iterates in byte order).
pub(super) fn expected_sign(params: &BTreeMap<String, String>, key: &str) -> String {
    let mut text = String::new();
    for (name, value) in params {
        if name.is_empty() || value.is_empty() || name == "sign" {
            continue;
        }
        text.push_str(&format!("{name}={value}&"));
    }
    text.push_str("key=");
    text.push_str(key);
    paydesk_crypto::md5_hex(text.as_bytes())
}

pub(super) fn form_decode(text: &str) -> Option<String> {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// A form body's parameters; bad encoding or a name given twice is refused.
pub(super) fn read_form(body: &[u8]) -> Result<BTreeMap<String, String>, Envelope> {
    let text = std::str::from_utf8(body).map_err(|_| invalid("body", "请求体不是UTF-8"))?;
    let mut params = BTreeMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (form_decode(name), form_decode(value)) else {
            return Err(invalid("body", "参数编码错误"));
        };
        if params.insert(name.clone(), value).is_some() {
            return Err(invalid(&clip(&name), "参数重复"));
        }
    }
    Ok(params)
}

/// A JSON value as the text that is signed and validated.
pub(super) fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A JSON body's parameters, each as its text; an object naming a parameter twice is refused.
pub(super) fn read_json(body: &[u8]) -> Result<BTreeMap<String, String>, Envelope> {
    match strict_json::parse(body) {
        Ok(Value::Object(fields)) => Ok(fields
            .iter()
            .map(|(k, v)| (k.clone(), json_text(v)))
            .collect()),
        Err(JsonError::DuplicateKey(name)) => Err(invalid(&name, "参数重复")),
        _ => Err(invalid("body", "请求体不是JSON对象")),
    }
}

pub(super) fn read_params(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<BTreeMap<String, String>, Envelope> {
    let media = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/x-www-form-urlencoded" => read_form(body),
        "application/json" => read_json(body),
        _ => Err(invalid("content_type", "仅支持表单或JSON请求")),
    }
}

/// A validated pay request.
pub(super) struct PayParams {
    pub(super) user_id: String,
    pub(super) gift_pos_id: String,
    pub(super) balance: bool,
    pub(super) address_id: i64,
    pub(super) coupon_id: Option<String>,
}

pub(super) fn validate(params: &BTreeMap<String, String>) -> Result<PayParams, Envelope> {
    let get = |name: &str| params.get(name).map_or("", String::as_str);
    let mut errors = Map::new();
    for (name, why) in [
        ("user_id", "用户id不能为空"),
        ("gift_pos_id", "礼包id不能为空"),
    ] {
        if get(name).is_empty() {
            errors.insert(name.into(), why.into());
        }
    }
    let balance = match get("pay_type") {
        "1" => true,
        "2" => false,
        "" => {
            errors.insert("pay_type".into(), "支付类型不能为空".into());
            true
        }
        _ => {
            errors.insert("pay_type".into(), "支付类型错误".into());
            true
        }
    };
    let address_id = match get("address_id") {
        "" => {
            errors.insert("address_id".into(), "地址id不能为空".into());
            0
        }
        text => text.parse::<i64>().unwrap_or_else(|_| {
            errors.insert("address_id".into(), "地址id必须是整数".into());
            0
        }),
    };
    if !errors.is_empty() {
        return Err(refuse(422, "参数错误", Value::Object(errors)));
    }
    Ok(PayParams {
        user_id: get("user_id").into(),
        gift_pos_id: get("gift_pos_id").into(),
        balance,
        address_id,
        coupon_id: Some(get("coupon_id").to_string()).filter(|c| !c.is_empty()),
    })
}
