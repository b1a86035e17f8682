//! SenseCore emulator: `POST /v1/orders/{order_id}:pay` and `GET /v1/orders/{order_id}`.
//!
//! Written from the seed document and PROTOCOLS.md alone; shares no types with the connector.
//!
//! Hostile requests [ours]: every answer under `/sensecore` is the google.rpc.Status shape,
//! an unknown path included (NOT_FOUND); a body that names a key twice, a wrong JSON type
//! anywhere the emulator reads, or more than one `Authorization` header is refused
//! (INVALID_ARGUMENT, UNAUTHENTICATED); messages quote at most a short head of a value.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::ledger::ChargeResult;
use crate::strict_json::{self, JsonError};
use crate::{clip, AppState};

mod wire;

use wire::{
    authorized, field, interactive, money_nanos, order_segment, read_channel, rpc_error,
    FAILED_PRECONDITION, INVALID_ARGUMENT, NOT_FOUND, UNAUTHENTICATED, UNIMPLEMENTED,
};

const GATEWAY: &str = "sensecore";
const MAX_BODY: usize = 1024 * 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/orders/{*rest}", any(dispatch))
        .fallback(|| async { rpc_error(NOT_FOUND, "no such resource") })
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
mod tests;
