//! This desk's shifts as the window's Shift view works them.

use paydesk_core::app::shifts;
use paydesk_core::shifts::{Shift, ShiftReport};
use tauri::State;

use super::*;

/// This desk's open shift, if it has one.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn current_shift(state: State<'_, AppState>) -> Result<Option<Shift>, IpcError> {
    Ok(shifts::current(state.engine().await?.store()).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn open_shift(
    state: State<'_, AppState>,
    operator: Option<String>,
) -> Result<Shift, IpcError> {
    let store = state.engine().await?.store().clone();
    Ok(shifts::open(&store, operator.as_deref()).await?)
}

/// Closes this desk's shift over the payments the operator acknowledged; its report.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn close_shift(
    state: State<'_, AppState>,
    acknowledged: Vec<i64>,
) -> Result<ShiftReport, IpcError> {
    Ok(shifts::close(state.engine().await?.store(), &acknowledged, false).await?)
}

/// This desk's shifts (every desk's with `allDesks`), newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_shifts(
    state: State<'_, AppState>,
    all_desks: bool,
) -> Result<Vec<Shift>, IpcError> {
    Ok(shifts::list(state.engine().await?.store(), all_desks).await?)
}

/// A shift's report: this desk's open shift (else its last) without an id.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn shift_report(
    state: State<'_, AppState>,
    shift_id: Option<i64>,
) -> Result<ShiftReport, IpcError> {
    Ok(shifts::report(state.engine().await?.store(), shift_id).await?)
}
