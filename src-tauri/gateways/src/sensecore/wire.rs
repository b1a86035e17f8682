//! SenseCore's wire format: the pay body, the order and status answers, and the
//! `google.rpc.Status` its errors come as.

use serde::{Deserialize, Serialize};

use crate::connector::*;
use crate::GoogleMoney;

#[derive(Serialize)]
pub(super) struct PayBody<'a> {
    pub order_id: &'a str,
    pub payment_channel: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_pack_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ba_vouchers: Vec<BillingAccountVouchers<'a>>,
}

#[derive(Serialize)]
pub(super) struct BillingAccountVouchers<'a> {
    pub billing_account_id: &'a str,
    pub selected_vouchers: Vec<SelectedVoucher<'a>>,
}

#[derive(Serialize)]
pub(super) struct SelectedVoucher<'a> {
    pub id: &'a str,
    pub deduction_amount: GoogleMoney,
}

#[derive(Deserialize)]
pub(super) struct StatusResponse {
    /// The order the answer is about, where it names one.
    #[serde(default, alias = "orderId")]
    pub order_id: Option<String>,
    pub state: OrderState,
}

/// `state` of a status answer [ours, emulator-side]. A state nothing documents stays itself:
/// never read as unpaid, nor as still paying.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum OrderState {
    Paid,
    /// The payer must still act.
    Paying,
    /// No payment took effect.
    Unpaid,
    Unrecognised(String),
}

impl From<String> for OrderState {
    fn from(text: String) -> Self {
        match text.as_str() {
            "PAID" => OrderState::Paid,
            "PAYING" => OrderState::Paying,
            "UNPAID" => OrderState::Unpaid,
            _ => OrderState::Unrecognised(text),
        }
    }
}

impl OrderState {
    pub(super) fn outcome(self) -> PayOutcome {
        match self {
            OrderState::Paid => PayOutcome::Succeeded(Receipt::default()),
            OrderState::Paying => PayOutcome::Pending(Receipt::default()),
            OrderState::Unpaid => PayOutcome::Failed(GatewayError::new(
                "UNPAID",
                "the gateway has no payment for this order; nothing was charged",
                RetryClass::Safe,
            )),
            OrderState::Unrecognised(other) => PayOutcome::Unknown(GatewayError::new(
                "UNREADABLE_STATUS",
                format!("unknown order state {other:?}"),
                RetryClass::Unknown,
            )),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct PayResponse {
    #[serde(alias = "orderId")]
    pub order_id: String,
    #[serde(default)]
    pub interactive: bool,
}

/// `google.rpc.Status` as JSON.
#[derive(Deserialize)]
pub(super) struct RpcStatus {
    pub code: i32,
    #[serde(default)]
    pub message: String,
}

/// The canonical name of a `google.rpc.Code`.
pub fn rpc_code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "UNRECOGNIZED",
    }
}

/// Which codes leave the payment's fate unknown. A request that may have been processed
/// (a server fault, a deadline, an abort) is never treated as "not charged".
pub(super) fn retry_class(code: i32) -> RetryClass {
    match code {
        // Refused up front: nothing was done and resending the same request will not help.
        3 | 5 | 6 | 7 | 9 | 11 | 12 | 16 => RetryClass::Not,
        // Rate limited before processing: a later attempt is safe.
        8 => RetryClass::Safe,
        _ => RetryClass::Unknown,
    }
}
