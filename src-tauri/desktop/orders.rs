//! The orders the window lists, finds, adds, imports and exports, and the dashboard's sums.

use std::collections::BTreeMap;

use paydesk_core::app::dashboard::{self, ManagerDay};
use paydesk_core::app::lookups;
use paydesk_core::app::orders::{self, Cancelled, OrderEdit, OrderInput};
use paydesk_core::console::{Activity, DailyTotal, LookupHit, OrderPage, OrderQuery, TakingsRow};
use paydesk_core::domain::OrderView;
use paydesk_core::import::RowError;
use paydesk_core::report::OrderDetail;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::*;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_orders(state: State<'_, AppState>) -> Result<Vec<OrderView>, IpcError> {
    Ok(lookups::newest_orders(state.engine().await?.store(), 1000).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn order_detail(
    state: State<'_, AppState>,
    order_no: String,
) -> Result<OrderDetail, IpcError> {
    Ok(lookups::order_detail(state.engine().await?.store(), &order_no).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn query_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
) -> Result<OrderPage, IpcError> {
    Ok(lookups::query_orders(state.engine().await?.store(), &query).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn lookup(
    state: State<'_, AppState>,
    reference: String,
) -> Result<Vec<LookupHit>, IpcError> {
    Ok(lookups::lookup(state.engine().await?.store(), &reference).await?)
}

/// The orders of an amount a customer quotes, added in `[since_ms, until_ms)`.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn lookup_amount(
    state: State<'_, AppState>,
    amount: String,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<Vec<LookupHit>, IpcError> {
    let store = state.engine().await?;
    Ok(lookups::lookup_amount(store.store(), &amount, since_ms, until_ms).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile, order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn add_order(
    state: State<'_, AppState>,
    profile: String,
    order_no: String,
    amount: String,
    currency: String,
    subject: String,
    attributes: Option<BTreeMap<String, String>>,
) -> Result<OrderView, IpcError> {
    let input = OrderInput {
        profile,
        order_no,
        amount,
        currency: Some(currency),
        subject,
        attributes: attributes.unwrap_or_default(),
    };
    Ok(orders::add_order(state.engine().await?.store(), input).await?)
}

/// New terms for an unpaid order, as the person saw it at `revision`.
#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn edit_order(
    state: State<'_, AppState>,
    order_no: String,
    revision: i64,
    amount: String,
    subject: String,
    attributes: BTreeMap<String, String>,
) -> Result<OrderView, IpcError> {
    let edit = OrderEdit {
        order_no,
        revision: Some(revision),
        amount: Some(amount),
        subject: Some(subject),
        attributes: Some(attributes),
        ..OrderEdit::default()
    };
    Ok(orders::edit_order(state.engine().await?.store(), edit).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn cancel_order(
    state: State<'_, AppState>,
    order_no: String,
    note: Option<String>,
) -> Result<Cancelled, IpcError> {
    Ok(orders::cancel_order(state.engine().await?.store(), &order_no, note.as_deref()).await?)
}

/// What was paid each of the last `days` days on the merchant's calendar, by currency and
/// direction.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn daily_totals(
    state: State<'_, AppState>,
    days: i64,
    now_ms: i64,
) -> Result<Vec<DailyTotal>, IpcError> {
    let engine = state.engine().await?;
    Ok(lookups::daily_totals(engine.store(), days, now_ms).await?)
}

/// The manager's dashboard at `now_ms`: today against yesterday and the same day last week on
/// the merchant's calendar, and this desk's open shift so far.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn manager_day(
    state: State<'_, AppState>,
    now_ms: i64,
) -> Result<ManagerDay, IpcError> {
    let engine = state.engine().await?;
    Ok(dashboard::manager_day(engine.store(), now_ms).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn takings(
    state: State<'_, AppState>,
    since_ms: i64,
) -> Result<Vec<TakingsRow>, IpcError> {
    Ok(lookups::takings(state.engine().await?.store(), since_ms).await?)
}

/// The desks the orders list can be narrowed to.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_desks(state: State<'_, AppState>) -> Result<Vec<String>, IpcError> {
    Ok(lookups::desks(state.engine().await?.store()).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn activity(state: State<'_, AppState>) -> Result<Activity, IpcError> {
    Ok(lookups::activity(state.engine().await?.store()).await?)
}

/// Rejected rows sent back with the report; the counts are always complete.
pub(crate) const MAX_REPORTED_ROWS: usize = 1000;

/// An import's outcome: `rejected` holds the first rows refused, with their line and reason.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    rows: u64,
    imported: u64,
    rejected_count: u64,
    rejected: Vec<RowError>,
}

/// The report as the window shows it: every count, the first rejected rows.
pub(crate) fn summary(report: paydesk_core::import::ImportReport) -> ImportSummary {
    let rejected_count = report.rejected.len() as u64;
    let mut rejected = report.rejected;
    rejected.truncate(MAX_REPORTED_ROWS);
    ImportSummary {
        rows: report.rows,
        imported: report.imported,
        rejected_count,
        rejected,
    }
}
