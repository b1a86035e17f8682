//! The status bar's checks: each gateway's reach and the storage's health.

use paydesk_core::app::gateways::{self};
use paydesk_core::store::health as storage_health;
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
            Err(e) => StorageStatus {
                state: "problem",
                detail: Some(e.to_string()),
            },
        }
    }
}

/// Whether a profile's gateway host accepts a connection on its port.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GatewayReach {
    profile: String,
    is_sandbox: bool,
    reachable: bool,
    /// The address that answered, or why none did.
    detail: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StatusChecks {
    gateways: Vec<GatewayReach>,
    storage: StorageStatus,
}

/// The status bar's checks, cheap enough to repeat every half minute: a TCP connection to each
/// profile's gateway (nothing is sent), a small write to the data directory, and what the
/// background read of the database found.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn status_checks(state: State<'_, AppState>) -> Result<StatusChecks, IpcError> {
    let engine = state.engine().await?;
    let mut probes = tokio::task::JoinSet::new();
    for profile in engine.store().profiles().await? {
        probes.spawn(async move {
            let reached = gateways::reachable(&profile.base_url).await;
            GatewayReach {
                profile: profile.name,
                is_sandbox: profile.is_sandbox,
                reachable: reached.is_ok(),
                detail: reached.unwrap_or_else(|why| why.to_string()),
            }
        });
    }
    let database = engine.store().path().to_path_buf();
    let writable = paydesk_core::off_thread::run("the data directory check", move || {
        let dir = database
            .parent()
            .map(|d| d.to_path_buf())
            .unwrap_or_default();
        storage_health::check_writable_dir(&dir, &database)
    })
    .await
    .map_err(|e| refused(e.to_string()))?;
    let storage = match writable {
        Ok(()) => state
            .storage
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone()),
        Err(e) => StorageStatus::from_check(Err(e)),
    };
    let mut gateways = Vec::new();
    while let Some(reach) = probes.join_next().await {
        gateways.push(reach.map_err(|_| {
            refused("a gateway check stopped on an internal error (see paydesk.log)")
        })?);
    }
    gateways.sort_by(|a, b| a.profile.cmp(&b.profile));
    Ok(StatusChecks { gateways, storage })
}
