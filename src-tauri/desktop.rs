//! The window: Tauri commands that validate, delegate to the core and translate results.

use std::path::PathBuf;
use std::process::ExitCode;

use paydesk_core::domain::OrderView;
use paydesk_core::engine::{Engine, PayCommand, PayError};
use paydesk_core::report::{OrderDetail, PaymentReport, ProfileView};
use paydesk_core::store::StoreError;
use paydesk_core::Channel;
use paydesk_sandbox::RunningSandbox;
use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};

use crate::runtime;

/// What the window needs to know about the running app.
#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub data_dir: String,
    /// Set when the built-in sandbox is serving the sandbox profiles.
    pub sandbox_url: Option<String>,
    /// Why the back end could not start, shown instead of a blank window.
    pub startup_error: Option<String>,
}

/// An error crossing IPC: a stable kind for the UI to branch on and a readable message.
#[derive(Debug, Clone, Serialize)]
pub struct IpcError {
    pub kind: &'static str,
    pub message: String,
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::NoSuchOrder(_) | StoreError::NoSuchProfile(_) => "not_found",
            StoreError::AttemptInProgress(_) => "in_progress",
            StoreError::AlreadyPaid(_) => "already_paid",
            _ => "internal",
        };
        IpcError {
            kind,
            message: e.to_string(),
        }
    }
}

impl From<PayError> for IpcError {
    fn from(e: PayError) -> Self {
        match e {
            PayError::Store(s) => s.into(),
            PayError::Refused(message) => IpcError {
                kind: "refused",
                message,
            },
            PayError::Vault(v) => IpcError {
                kind: "keyring",
                message: v.to_string(),
            },
        }
    }
}

struct AppState {
    engine: Option<Engine>,
    info: AppInfo,
    // Kept alive for the life of the window; dropping it stops the server.
    _sandbox: Option<RunningSandbox>,
}

impl AppState {
    fn engine(&self) -> Result<&Engine, IpcError> {
        self.engine.as_ref().ok_or_else(|| IpcError {
            kind: "startup",
            message: self.info.startup_error.clone().unwrap_or_default(),
        })
    }
}

#[tauri::command]
fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.info.clone()
}

#[tauri::command]
async fn list_orders(state: State<'_, AppState>) -> Result<Vec<OrderView>, IpcError> {
    Ok(state.engine()?.store().orders(1000).await?)
}

#[tauri::command]
async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, IpcError> {
    let profiles = state.engine()?.store().profiles().await?;
    Ok(profiles.iter().map(ProfileView::from).collect())
}

#[tauri::command]
async fn order_detail(
    state: State<'_, AppState>,
    order_no: String,
) -> Result<OrderDetail, IpcError> {
    Ok(state.engine()?.store().order_detail(&order_no).await?)
}

#[derive(Debug, Deserialize)]
pub struct DeductionInput {
    id: String,
    amount: String,
}

#[tauri::command]
async fn pay_order(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
) -> Result<PaymentReport, IpcError> {
    let channel = Channel::parse(&channel).ok_or_else(|| IpcError {
        kind: "refused",
        message: format!("unknown channel {channel:?}"),
    })?;
    let command = PayCommand {
        order_no: order_no.clone(),
        channel,
        deductions: deductions
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.id, d.amount))
            .collect(),
        coupon: None,
            credit_amount: None,
    };
    let attempt = state.engine()?.pay(&command).await?;
    Ok(PaymentReport::new(&order_no, &attempt))
}

fn start(data_dir: Option<PathBuf>) -> AppState {
    let mut info = AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: String::new(),
        sandbox_url: None,
        startup_error: None,
    };
    let dir = match runtime::data_dir(data_dir) {
        Ok(d) => d,
        Err(e) => {
            info.startup_error = Some(e);
            return AppState {
                engine: None,
                info,
                _sandbox: None,
            };
        }
    };
    runtime::init_logging(&dir);
    info.data_dir = dir.display().to_string();
    let started = tauri::async_runtime::block_on(async {
        let engine = runtime::open(&dir).await?;
        let sandbox = runtime::start_builtin_sandbox(&engine).await?;
        Ok::<_, String>((engine, sandbox))
    });
    match started {
        Ok((engine, sandbox)) => {
            info.sandbox_url = Some(sandbox.root_url());
            AppState {
                engine: Some(engine),
                info,
                _sandbox: Some(sandbox),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the back end could not start");
            info.startup_error = Some(e);
            AppState {
                engine: None,
                info,
                _sandbox: None,
            }
        }
    }
}

/// How often the reconciler looks for attempts that are due for a status check.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Settles pending and unknown attempts in the background for as long as the window is open,
/// telling the window about every attempt whose state changed.
fn spawn_reconciler(handle: tauri::AppHandle, engine: Engine) {
    tauri::async_runtime::spawn(async move {
        loop {
            match engine.reconcile_due().await {
                Ok(changed) if !changed.is_empty() => {
                    let ids: Vec<i64> = changed.iter().map(|a| a.id).collect();
                    if let Err(e) = handle.emit("attempts-changed", &ids) {
                        tracing::warn!(error = %e, "could not notify the window");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reconciler pass failed"),
            }
            tokio::time::sleep(RECONCILE_EVERY).await;
        }
    });
}

pub fn run(data_dir: Option<PathBuf>) -> ExitCode {
    let state = start(data_dir);
    let engine = state.engine.clone();
    let result = tauri::Builder::default()
        .manage(state)
        .setup(move |app| {
            if let Some(engine) = engine {
                spawn_reconciler(app.handle().clone(), engine);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            list_orders,
            list_profiles,
            order_detail,
            pay_order
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paydesk: the window could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
