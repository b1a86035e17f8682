//! Paying from the window: the quote, the payment, a status check and a person's decision.

use paydesk_core::app::payments::{self};
use paydesk_core::domain::AttemptState;
use paydesk_core::pricing::PayCommand;
use paydesk_core::pricing::Quote;
use paydesk_core::report::{OrderDetail, PaymentReport};
use paydesk_core::Channel;
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

#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no, channel = %channel), err(level = "info", Debug))]
pub(crate) async fn pay_order(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<PaymentReport, IpcError> {
    let input = pay_input(
        order_no.clone(),
        &channel,
        deductions,
        coupon,
        credit_amount,
    )?;
    let attempt = state.engine().await?.pay(&input).await?;
    Ok(PaymentReport::new(&order_no, &attempt))
}

/// The payment's inputs as the window sends them: blank optional fields mean "none".
pub(crate) fn pay_input(
    order_no: String,
    channel: &str,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<PayCommand, IpcError> {
    let channel =
        Channel::parse(channel).ok_or_else(|| refused(format!("unknown channel {channel:?}")))?;
    let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut rows = Vec::new();
    for d in deductions.unwrap_or_default() {
        let (id, amount) = (d.id.trim().to_string(), d.amount.trim().to_string());
        if id.is_empty() && amount.is_empty() {
            continue;
        }
        if id.is_empty() {
            return Err(refused(format!("the voucher of {amount} has no id")));
        }
        rows.push((id, amount));
    }
    Ok(PayCommand {
        order_no,
        channel,
        deductions: rows,
        coupon: blank(coupon),
        credit_amount: blank(credit_amount),
    })
}

/// What the payment would charge, refused for the reasons `pay_order` would refuse it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no, channel = %channel), err(level = "info", Debug))]
pub(crate) async fn quote(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<Quote, IpcError> {
    let input = pay_input(order_no, &channel, deductions, coupon, credit_amount)?;
    Ok(payments::quote(state.engine().await?.store(), &input).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(attempt_id = attempt_id), err(level = "info", Debug))]
pub(crate) async fn check_status(
    state: State<'_, AppState>,
    attempt_id: i64,
) -> Result<OrderDetail, IpcError> {
    let engine = state.engine().await?;
    let attempt = engine.check_status(attempt_id).await?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(engine.store().order_detail(&order.order_no).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(attempt_id = attempt_id, decision = %decision), err(level = "info", Debug))]
pub(crate) async fn resolve_review(
    state: State<'_, AppState>,
    attempt_id: i64,
    decision: String,
    note: String,
) -> Result<OrderDetail, IpcError> {
    let decision = match AttemptState::parse(&decision) {
        Some(d @ (AttemptState::Succeeded | AttemptState::Failed)) => d,
        _ => return Err(refused("a review decides succeeded or failed")),
    };
    let engine = state.engine().await?;
    let attempt = engine.resolve_review(attempt_id, decision, &note).await?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(engine.store().order_detail(&order.order_no).await?)
}
