//! The window: Tauri commands that translate the window's calls into the core's application
//! layer and its answers back (one file per view: orders, payments, profiles, status), the
//! back end opened beside the window, and the background work that keeps the window current
//! (the reconciler, gateways' callbacks, and the change feed forwarded as `change` events).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use paydesk_core::app::AppError;
use paydesk_core::changes::Changes;
use paydesk_core::engine::Engine;
use paydesk_core::store::health as storage_health;
use paydesk_sandbox::RunningSandbox;
use serde::Serialize;
use tauri::{Emitter, Manager, State};
use ts_rs::TS;

mod desk;
mod error;
#[cfg(test)]
mod ipc_bindings;
#[cfg(test)]
mod ipc_commands;
mod orders;
mod payments;
mod profiles;
mod status;

use error::{refused, IpcError};
use orders::MAX_IMPORT_BYTES;
use status::StorageStatus;

use crate::runtime;

/// What the window needs to know about the running app.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: &'static str,
    pub data_dir: String,
    /// Set when the built-in sandbox is serving the sandbox profiles.
    pub sandbox_url: Option<String>,
    /// Why the back end could not start, shown instead of a blank window.
    pub startup_error: Option<String>,
    /// The largest file `import_orders` takes, in bytes (the page checks before reading it).
    pub max_import_bytes: usize,
    /// The currencies an order may be in, each with its minor-unit digits.
    pub currencies: Vec<CurrencyInfo>,
}

/// A currency an order may be in: its ISO 4217 code and how many digits its minor unit has.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CurrencyInfo {
    pub code: String,
    pub exponent: u32,
}

/// The window's state. The back end (store, keyring, built-in sandbox) is opened beside the
/// window rather than before it: the window and its web process take longer to appear than
/// the back end takes to open, so neither waits for the other. A command that arrives first
/// waits for it.
struct AppState {
    launch: runtime::Launch,
    started: tokio::sync::OnceCell<Started>,
    /// What the background read of every page of the database found (see `run`).
    storage: Arc<Mutex<StorageStatus>>,
}

struct Started {
    engine: Option<Engine>,
    info: AppInfo,
    // Kept alive for the life of the window; dropping it stops the server.
    _sandbox: Option<RunningSandbox>,
}

impl AppState {
    async fn started(&self) -> &Started {
        self.started
            .get_or_init(|| start(self.launch.clone()))
            .await
    }

    async fn engine(&self) -> Result<&Engine, IpcError> {
        let started = self.started().await;
        started.engine.as_ref().ok_or_else(|| {
            AppError::unavailable(started.info.startup_error.clone().unwrap_or_default()).into()
        })
    }
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(state.started().await.info.clone())
}

async fn start(launch: runtime::Launch) -> Started {
    let mut info = AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: String::new(),
        sandbox_url: None,
        startup_error: None,
        max_import_bytes: MAX_IMPORT_BYTES,
        currencies: paydesk_core::Currency::known()
            .map(|c| CurrencyInfo {
                code: c.code().to_string(),
                exponent: c.exponent(),
            })
            .collect(),
    };
    let dir = match runtime::data_dir(launch.data_dir) {
        Ok(d) => d,
        Err(e) => {
            info.startup_error = Some(e.to_string());
            return Started {
                engine: None,
                info,
                _sandbox: None,
            };
        }
    };
    runtime::init_logging(&dir);
    info.data_dir = dir.display().to_string();
    let started = async {
        let engine = runtime::open(&dir, launch.names).await?;
        // A shared history is the merchant's real one: the demo is a standalone desk's.
        let sandbox = match engine.store().is_shared() {
            true => None,
            false => Some(runtime::start_builtin_sandbox(&engine).await?),
        };
        Ok::<_, AppError>((engine, sandbox))
    }
    .await;
    match started {
        Ok((engine, sandbox)) => {
            info.sandbox_url = sandbox.as_ref().map(|s| s.root_url());
            Started {
                engine: Some(engine),
                info,
                _sandbox: sandbox,
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the back end could not start");
            info.startup_error = Some(e.to_string());
            Started {
                engine: None,
                info,
                _sandbox: None,
            }
        }
    }
}

/// An event the window listens to: its name, and the one type its payload has (both reach
/// the window's TypeScript through `ui/src/ipc/commands.ts`).
pub(crate) trait WindowEvent: Serialize + Clone {
    const NAME: &'static str;
}

impl WindowEvent for paydesk_core::changes::Change {
    const NAME: &'static str = "change";
}

impl WindowEvent for paydesk_core::import::Progress {
    const NAME: &'static str = "import-progress";
}

/// Sends an event to the window; the only way the back end sends one.
pub(crate) fn emit<E: WindowEvent>(app: &tauri::AppHandle, event: E) {
    if let Err(e) = app.emit(E::NAME, event) {
        tracing::warn!(error = %e, event = E::NAME, "could not send an event to the window");
    }
}

/// How often the reconciler looks for attempts that are due for a status check.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Settles pending and unknown attempts in the background for as long as the window is open.
/// What it changes reaches the window through the change feed, like every other change.
fn spawn_reconciler(engine: Engine) {
    tauri::async_runtime::spawn(async move {
        loop {
            if let Err(e) = engine.reconcile_due().await {
                tracing::warn!(error = %e, "reconciler pass failed");
            }
            tokio::time::sleep(RECONCILE_EVERY).await;
        }
    });
}

/// Forwards every change the store commits to the window as a `change` event, whichever path
/// made it (a payment, the reconciler, a callback, a person, an import, a profile edit).
fn spawn_change_forwarder(handle: tauri::AppHandle, mut changes: Changes) {
    tauri::async_runtime::spawn(async move {
        while let Some(change) = changes.next().await {
            emit(&handle, change);
        }
    });
}

/// Stores up to this size were read page by page as they opened; a larger one is read in the
/// background once the window is up (`FULL_CHECK_DELAY`).
const READ_AT_OPEN_UP_TO: u64 = 16 * 1024 * 1024;
/// How long a large store's read of every page waits: about 1 GB at a million attempts, a
/// second and a half of CPU that would otherwise compete with the first screen.
const FULL_CHECK_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

pub fn run(launch: runtime::Launch) -> ExitCode {
    // WebKitGTK composites pages with OpenGL, which without a GPU (a VM, Xvfb) is Mesa's
    // llvmpipe on the CPU: for this page, which animates nothing that needs it, ~85 MB and
    // ~0.5 s of CPU more in the web process before the first screen than painting in
    // software. Unless the environment says otherwise; set before any thread is started.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let state = AppState {
        launch,
        started: tokio::sync::OnceCell::new(),
        storage: Arc::new(Mutex::new(StorageStatus::checking())),
    };
    let storage = state.storage.clone();
    let result = tauri::Builder::default()
        .manage(state)
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                let Some(engine) = state.started().await.engine.clone() else {
                    return;
                };
                spawn_change_forwarder(handle.clone(), engine.store().subscribe());
                // The command line and scripts write the same file: the window hears it.
                engine.store().watch_other_writers();
                let listening = engine.clone();
                tauri::async_runtime::spawn(async move {
                    match runtime::serve_callbacks(listening).await {
                        Ok(listeners) => {
                            for l in listeners {
                                tracing::info!(profile = %l.profile, url = %l.url, "receiving callbacks");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "callbacks cannot be received"),
                    }
                });
                // Start-up reads every page only of small stores; a large one is checked here,
                // without holding up the window.
                let database = engine.store().path().to_path_buf();
                tauri::async_runtime::spawn(async move {
                    if std::fs::metadata(&database).map_or(0, |m| m.len()) > READ_AT_OPEN_UP_TO {
                        tokio::time::sleep(FULL_CHECK_DELAY).await;
                    }
                    let checked = storage_health::full_check(&database).await;
                    match &checked {
                        Ok(()) => tracing::info!("the database reads back intact"),
                        Err(e) => tracing::error!(error = %e, "the database is damaged"),
                    }
                    // The status bar reports it.
                    let status = StorageStatus::from_check(checked);
                    match storage.lock() {
                        Ok(mut s) => *s = status,
                        Err(poisoned) => *poisoned.into_inner() = status,
                    }
                });
                spawn_reconciler(engine);
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            orders::list_orders,
            profiles::list_profiles,
            orders::order_detail,
            payments::pay_order,
            payments::quote,
            orders::query_orders,
            orders::lookup,
            orders::lookup_amount,
            orders::add_order,
            orders::edit_order,
            orders::cancel_order,
            payments::check_status,
            payments::resolve_review,
            orders::takings,
            orders::daily_totals,
            orders::activity,
            profiles::list_gateways,
            profiles::save_profile,
            profiles::remove_profile,
            profiles::secret_status,
            profiles::set_secret,
            profiles::delete_secret,
            profiles::test_connection,
            orders::import_orders,
            orders::export_orders,
            status::status_checks,
            desk::desk_names,
            desk::save_desk_names,
            orders::list_desks
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
