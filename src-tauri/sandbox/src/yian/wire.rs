//! 益安's wire, emulator side: DRF's answers and token check, and the pay view's form or JSON body.

use std::collections::BTreeMap;

use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::percent_decode;
use serde_json::{json, Value};

use super::{HEADER_BAD_CHARS, HEADER_NO_CREDENTIALS, HEADER_SPACES, INVALID_TOKEN, NOT_PROVIDED};
use crate::clip;
use crate::strict_json::{self, JsonError};

pub(super) fn detail(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "detail": text }))).into_response()
}

pub(super) fn unauthorized(text: &str) -> Response {
    let mut response = detail(StatusCode::UNAUTHORIZED, text);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Token"),
    );
    response
}

pub(super) fn refused(message: &str) -> Response {
    Json(json!({"status": -4, "message": message})).into_response()
}

pub(super) fn charged(ch: Value) -> Response {
    Json(json!({"status": 0, "message": "", "ch": ch})).into_response()
}

pub(super) fn method_not_allowed(method: &Method) -> Response {
    detail(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("Method \"{}\" not allowed.", clip(method.as_str())),
    )
}

/// DRF's TokenAuthentication, then its IsAuthenticated permission.
/// The error is DRF's 401 detail text.
pub(super) fn authenticate(headers: &HeaderMap, key: &str) -> Result<(), &'static str> {
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
pub(super) fn parse_data(
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
pub(super) fn parse_form(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
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

pub(super) fn charge_key(order_no: &str) -> String {
    format!("charge:{order_no}")
}

pub(super) fn charge_id_key(charge_id: &str) -> String {
    format!("charge_id:{charge_id}")
}
