//! Debit's wire, emulator side: refusals, opening a V1 or sealed V2 request, reading Set and Get,
//! and writing `channelDebitOrderSimpleInfo`.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paydesk_crypto::{aes256_ecb_decrypt_b64, aes256_ecb_encrypt_b64};
use serde_json::{json, Number, Value};

use super::state::Payout;
use super::{
    Ctx, GATEWAY, MAX_AMOUNT_MINOR, MAX_CALLBACK_URL_CHARS, MAX_SOURCE_NO_CHARS, SUCCEEDED,
};
use crate::strict_json::{self, JsonError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V1,
    V2,
}

/// A refusal in the envelope's words.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) code: i64,
    pub(super) message: String,
}

pub(super) fn refuse(status: StatusCode, code: i64, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
    }
}

pub(super) fn bad_request(code: i64, message: impl Into<String>) -> Refusal {
    refuse(StatusCode::BAD_REQUEST, code, message)
}

pub(super) fn not_found() -> Refusal {
    refuse(StatusCode::OK, 1, "order not found")
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({"code": self.code, "message": self.message, "data": null});
        json_response(self.status, body.to_string())
    }
}

pub(super) fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Paise as exact JSON number text: 100050 → `1000.5`, 25000 → `250`, 10 → `0.1`.
pub(super) fn amount_text(minor: i64) -> String {
    let (whole, paise) = (minor / 100, minor % 100);
    match paise {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    }
}

/// The amount a JSON number names, in paise, from the number's own text (never a float).
pub(super) fn amount_minor(number: &Number) -> Option<i64> {
    let text = number.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 2 || whole.trim_start_matches('0').len() > 13 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let paise: i64 = format!("{fraction:0<2}").parse().ok()?;
    let minor = whole * 100 + paise;
    (1..=MAX_AMOUNT_MINOR).contains(&minor).then_some(minor)
}

/// Whether the sandbox may call this URL back: http(s) on a loopback host only.
pub(super) fn loopback_http_url(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = parsed.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The one Authorization header (none when it is missing or given more than once).
pub(super) fn authorization(headers: &HeaderMap) -> Option<&str> {
    let mut given = headers.get_all(header::AUTHORIZATION).iter();
    match (given.next(), given.next()) {
        (Some(only), None) => only.to_str().ok(),
        _ => None,
    }
}

/// Checks the Authorization header and returns the request's V1 JSON (decrypted for V2).
pub(super) fn open(
    ctx: &Ctx,
    version: Version,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Refusal> {
    let access_key = ctx.config.secret(GATEWAY, "access_key");
    let expected = match version {
        Version::V1 => access_key,
        Version::V2 => ctx.config.setting(GATEWAY, "merchant_id"),
    };
    if expected.is_empty() || authorization(headers) != Some(expected) {
        return Err(refuse(StatusCode::UNAUTHORIZED, 1001, "unauthorized"));
    }
    let outer = read_json(body, "the request body")?;
    match version {
        Version::V1 => Ok(outer),
        Version::V2 => {
            let sealed = outer
                .get("data")
                .and_then(Value::as_str)
                .filter(|d| !d.is_empty())
                .ok_or_else(|| bad_request(1003, "data is required"))?;
            let undecryptable =
                || bad_request(1002, "data does not decrypt with the merchant's access key");
            let plain = aes256_ecb_decrypt_b64(access_key.as_bytes(), sealed)
                .map_err(|_| undecryptable())?;
            // Bytes from a wrong key that happen to unpad are still not JSON.
            match strict_json::parse(&plain) {
                Ok(request) => Ok(request),
                Err(JsonError::Syntax(_)) => Err(undecryptable()),
                Err(JsonError::DuplicateKey(key)) => Err(bad_request(
                    1003,
                    format!("the decrypted data names {key} more than once"),
                )),
            }
        }
    }
}

/// JSON in which no object names a key twice (1003 otherwise).
pub(super) fn read_json(bytes: &[u8], what: &str) -> Result<Value, Refusal> {
    strict_json::parse(bytes).map_err(|e| match e {
        JsonError::Syntax(_) => bad_request(1003, format!("{what} is not valid JSON")),
        JsonError::DuplicateKey(key) => {
            bad_request(1003, format!("{what} names {key} more than once"))
        }
    })
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct SetRequest {
    pub(super) amount_minor: i64,
    pub(super) source_no: String,
    pub(super) callback_url: Option<String>,
}

pub(super) fn read_set(request: &Value) -> Result<SetRequest, Refusal> {
    let Some(object) = request.as_object() else {
        return Err(bad_request(1003, "the request must be a JSON object"));
    };
    let amount_minor = match object.get("amount") {
        None | Some(Value::Null) => return Err(bad_request(1003, "amount is required")),
        Some(Value::Number(n)) => amount_minor(n).ok_or_else(|| {
            bad_request(
                1004,
                "amount must be a positive number with at most 2 decimals, up to 9999999999999.99",
            )
        })?,
        Some(_) => return Err(bad_request(1003, "amount must be a number")),
    };
    let source_no = match object.get("sourceNo") {
        None | Some(Value::Null) => return Err(bad_request(1005, "sourceNo is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(bad_request(1005, "sourceNo is required"))
        }
        Some(Value::String(s)) if s.chars().any(char::is_control) => {
            return Err(bad_request(
                1005,
                "sourceNo must not contain control characters",
            ))
        }
        Some(Value::String(s)) if s.chars().count() > MAX_SOURCE_NO_CHARS => {
            return Err(bad_request(
                1005,
                format!("sourceNo must be at most {MAX_SOURCE_NO_CHARS} characters"),
            ))
        }
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(bad_request(1003, "sourceNo must be a string")),
    };
    let callback_url = match object.get("callbackUrl") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s))
            if s.chars().count() <= MAX_CALLBACK_URL_CHARS && loopback_http_url(s) =>
        {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            return Err(bad_request(
                1006,
                format!(
                    "callbackUrl must be an http(s) URL on a loopback host, at most {MAX_CALLBACK_URL_CHARS} characters"
                ),
            ))
        }
        Some(_) => return Err(bad_request(1003, "callbackUrl must be a string")),
    };
    Ok(SetRequest {
        amount_minor,
        source_no,
        callback_url,
    })
}

pub(super) fn read_get(request: &Value) -> Result<(Option<u64>, Option<String>), Refusal> {
    let Some(object) = request.as_object() else {
        return Err(bad_request(1003, "the request must be a JSON object"));
    };
    let id = match object.get("channelDebitOrderId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| bad_request(1003, "channelDebitOrderId must be an integer"))?,
        ),
    };
    let source_no = match object.get("sourceNo") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad_request(1003, "sourceNo must be a string")),
    };
    if id.is_none() && source_no.is_none() {
        return Err(bad_request(
            1003,
            "channelDebitOrderId or sourceNo is required",
        ));
    }
    Ok((id, source_no))
}

/// `channelDebitOrderSimpleInfo`, as exact JSON text.
pub(super) fn info_json(payout: &Payout, merchant_id: &str) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let optional = |s: &Option<String>| s.as_deref().map_or_else(|| "null".to_string(), text);
    format!(
        "{{\"id\":{},\"merchantId\":{},\"merchantSourceNo\":{},\"fiatAmount\":{},\
         \"processCode\":{},\"createdTime\":{},\"updatedTime\":{},\"paid\":{},\
         \"callbackCode\":{},\"closedTime\":{}}}",
        payout.id,
        text(merchant_id),
        text(&payout.source_no),
        amount_text(payout.amount_minor),
        payout.process_code,
        text(&payout.created_time),
        text(&payout.updated_time),
        payout.process_code == SUCCEEDED,
        payout
            .callback_code
            .map_or_else(|| "null".to_string(), |c| c.to_string()),
        optional(&payout.closed_time),
    )
}

pub(super) fn wrapped_info(payout: &Payout, merchant_id: &str) -> String {
    format!(
        "{{\"channelDebitOrderSimpleInfo\":{}}}",
        info_json(payout, merchant_id)
    )
}

pub(super) fn answer(ctx: &Ctx, version: Version, payout: &Payout) -> Response {
    let data = wrapped_info(payout, ctx.config.setting(GATEWAY, "merchant_id"));
    let data = match version {
        Version::V1 => data,
        Version::V2 => {
            match aes256_ecb_encrypt_b64(
                ctx.config.secret(GATEWAY, "access_key").as_bytes(),
                data.as_bytes(),
            ) {
                Ok(sealed) => Value::from(sealed).to_string(),
                Err(_) => {
                    return refuse(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        9999,
                        "the merchant's access key cannot encrypt",
                    )
                    .into_response()
                }
            }
        }
    };
    json_response(
        StatusCode::OK,
        format!("{{\"code\":0,\"message\":\"\",\"data\":{data}}}"),
    )
}
