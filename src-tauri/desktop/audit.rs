//! The audit trail as the window's Audit view reads it, and the window's one act only it
//! knows of: showing a customer's personal data, which the trail records first.

use paydesk_core::app::audit;
use paydesk_core::audit::{AuditEntry, AuditQuery};
use paydesk_core::domain::AttemptEvent;
use tauri::State;

use super::*;

/// The audit trail's entries the view's filters ask for, newest first.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn audit_trail(
    state: State<'_, AppState>,
    query: AuditQuery,
) -> Result<Vec<AuditEntry>, IpcError> {
    Ok(audit::trail(state.engine().await?.store(), &query).await?)
}

/// An attempt's events with the customer's personal data in its raw answers, once the audit
/// trail has recorded that the person is shown it.
#[tauri::command]
#[tracing::instrument(skip_all, fields(attempt_id = attempt_id), err(level = "info", Debug))]
pub(crate) async fn personal_data_revealed(
    state: State<'_, AppState>,
    attempt_id: i64,
) -> Result<Vec<AttemptEvent>, IpcError> {
    Ok(audit::personal_data_revealed(state.engine().await?.store(), attempt_id).await?)
}
