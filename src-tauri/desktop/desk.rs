//! Who is at this desk, as the header shows it and Settings changes it.

use paydesk_core::app::desk::{self, DeskNames};
use paydesk_core::domain::Actor;
use tauri::State;

use super::*;

/// The desk's name and its operator, as every write is recorded now.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn desk_names(state: State<'_, AppState>) -> Result<Actor, IpcError> {
    Ok(state.engine().await?.store().actor())
}

/// Saves the desk's and the operator's names (a blank one goes back to its default).
#[tauri::command]
#[tracing::instrument(skip_all, fields(desk = %desk, operator = %operator), err(level = "info", Debug))]
pub(crate) async fn save_desk_names(
    state: State<'_, AppState>,
    desk: String,
    operator: String,
) -> Result<Actor, IpcError> {
    let names = DeskNames {
        desk: Some(desk),
        operator: Some(operator),
    };
    Ok(desk::save(state.engine().await?.store(), names).await?)
}
