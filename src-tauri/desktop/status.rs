//! The status bar's checks: each gateway's reach and the storage's health.

use paydesk_core::app::shared_store::{self, RecordState};
use paydesk_core::app::status::{self, GatewayReach};
use paydesk_core::app::AppError;
use paydesk_core::store::StoreError;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::*;

/// The data directory's health as the status bar shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StorageStatus {
    /// `ok`, `checking` (the read of every page is still under way) or `problem`.
    #[ts(type = r#""ok" | "checking" | "problem""#)]
    state: &'static str,
    detail: Option<String>,
}

impl StorageStatus {
    pub(crate) fn checking() -> Self {
        StorageStatus {
            state: "checking",
            detail: None,
        }
    }

    pub(crate) fn from_check(checked: Result<(), StoreError>) -> Self {
        match checked {
            Ok(()) => StorageStatus {
                state: "ok",
                detail: None,
            },
            Err(e) => StorageStatus::problem(e.into()),
        }
    }

    fn problem(e: AppError) -> Self {
        StorageStatus {
            state: "problem",
            detail: Some(e.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StatusChecks {
    gateways: Vec<GatewayReach>,
    storage: StorageStatus,
    /// Where the history is kept: this desk's file, or a shared server (reachable, writable).
    store: RecordState,
}

/// The status bar's checks, cheap enough to repeat every half minute: a TCP connection to each
/// profile's gateway (nothing is sent), a small write to the data directory, and what the
/// background read of the database found.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn status_checks(state: State<'_, AppState>) -> Result<StatusChecks, IpcError> {
    let engine = state.engine().await?;
    let store = engine.store();
    let (gateways, data_dir, record) = tokio::join!(
        status::gateway_reach(store),
        status::check_data_dir(store),
        shared_store::record_state(store)
    );
    let storage = match data_dir? {
        Ok(()) => state
            .storage
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone()),
        Err(e) => StorageStatus::problem(e),
    };
    Ok(StatusChecks {
        gateways: gateways?,
        storage,
        store: record,
    })
}
