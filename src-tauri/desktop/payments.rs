//! Paying from the window: the quote, the payment, a status check and a person's decision.

use paydesk_core::app::payments::{self, PayInput};
use paydesk_core::pricing::Quote;
use paydesk_core::report::{OrderDetail, PaymentReport};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::*;

/// A voucher deduction as the pay dialog sends it: the voucher's id and the amount taken off,
/// a decimal string in the order's currency.
#[derive(Debug, Deserialize, TS)]
pub struct DeductionInput {
    id: String,
    amount: String,
}

/// A subscription the payment replaces (TOP), as the pay dialog sends it: its id and the
/// refund, a decimal string in the order's currency.
#[derive(Debug, Deserialize, TS)]
pub struct RefundInput {
    subscribe_id: String,
    amount: String,
}

// One argument per field of the pay dialog, as the IPC names them.
#[allow(clippy::too_many_arguments)]
fn pay_input(
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
    subscription_refunds: Option<Vec<RefundInput>>,
    revision: Option<i64>,
) -> PayInput {
    PayInput {
        order_no,
        channel: Some(channel),
        vouchers: deductions
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.id, d.amount))
            .collect(),
        coupon,
        credit_amount,
        subscription_refunds: subscription_refunds
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.subscribe_id, r.amount))
            .collect(),
        revision,
        expected_amount: None,
    }
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no, channel = %channel), err(level = "info", Debug))]
#[allow(clippy::too_many_arguments)] // one per IPC argument
pub(crate) async fn pay_order(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
    subscription_refunds: Option<Vec<RefundInput>>,
    revision: Option<i64>,
) -> Result<PaymentReport, IpcError> {
    let input = pay_input(
        order_no,
        channel,
        deductions,
        coupon,
        credit_amount,
        subscription_refunds,
        revision,
    );
    Ok(payments::pay(&state.engine().await?, input).await?)
}

/// What the payment would charge, refused for the reasons `pay_order` would refuse it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no, channel = %channel), err(level = "info", Debug))]
#[allow(clippy::too_many_arguments)] // one per IPC argument
pub(crate) async fn quote(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
    subscription_refunds: Option<Vec<RefundInput>>,
    revision: Option<i64>,
) -> Result<Quote, IpcError> {
    let input = pay_input(
        order_no,
        channel,
        deductions,
        coupon,
        credit_amount,
        subscription_refunds,
        revision,
    );
    Ok(payments::quote(state.engine().await?.store(), input).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(attempt_id = attempt_id), err(level = "info", Debug))]
pub(crate) async fn check_status(
    state: State<'_, AppState>,
    attempt_id: i64,
) -> Result<OrderDetail, IpcError> {
    Ok(payments::check_status(&state.engine().await?, attempt_id).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(attempt_id = attempt_id, decision = %decision), err(level = "info", Debug))]
pub(crate) async fn resolve_review(
    state: State<'_, AppState>,
    attempt_id: i64,
    decision: String,
    note: String,
    code_unusable: bool,
) -> Result<OrderDetail, IpcError> {
    Ok(payments::resolve_review(
        &state.engine().await?,
        attempt_id,
        &decision,
        &note,
        code_unusable,
    )
    .await?)
}
