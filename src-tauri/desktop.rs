//! The window: Tauri commands that translate the window's calls into the core's application
//! layer and its answers back (one file per view: orders, payments, profiles, status), the
//! back end opened beside the window, and the background work that keeps the window current
//! (the reconciler, gateways' callbacks, and the change feed forwarded as `change` events).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use paydesk_core::app::AppError;
use paydesk_core::data_set::DataSet;
use paydesk_core::engine::Engine;
use serde::Serialize;
use tauri::{Emitter, Manager, State};
use ts_rs::TS;

mod audit;
mod backend;
mod desk;
mod error;
mod files;
mod instance;
#[cfg(test)]
mod ipc_bindings;
#[cfg(test)]
mod ipc_commands;
mod notification_words;
mod notifications;
mod orders;
mod papers;
mod payments;
mod profiles;
mod shifts;
mod status;

use backend::Backend;
use error::{refused, IpcError};
use notifications::Notifications;
use status::StorageStatus;

use crate::runtime;

/// What the window needs to know about the running app.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: &'static str,
    /// The commit the binary was built from.
    pub commit: &'static str,
    pub data_dir: String,
    /// The data set the window shows: the demo (marked as such everywhere) or the live data.
    pub data_set: DataSet,
    /// Set when the built-in sandbox is serving the sandbox profiles.
    pub sandbox_url: Option<String>,
    /// Why the back end could not start, shown instead of a blank window.
    pub startup_error: Option<String>,
    /// The currencies an order may be in, each with its minor-unit digits.
    pub currencies: Vec<CurrencyInfo>,
    /// The desk may only read the shared history (a support agent's login), as it opened: the
    /// window hides paying from its first drawing, before the status checks come back.
    pub read_only: bool,
}

/// A currency an order may be in: its ISO 4217 code and how many digits its minor unit has.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CurrencyInfo {
    pub code: String,
    pub exponent: u32,
}

/// The window's state. The back end (store, keyring, the demo's built-in sandbox) is opened
/// beside the window rather than before it: the window and its web process take longer to
/// appear than the back end takes to open, so neither waits for the other. A command that
/// arrives first waits for it. Switching data sets replaces it whole.
struct AppState {
    launch: runtime::Launch,
    backend: tokio::sync::RwLock<Option<Arc<Backend>>>,
    /// What the background read of every page of the database found (see `Backend`).
    storage: Arc<Mutex<StorageStatus>>,
    /// The desktop notifications' language and those still shown, whichever set is shown.
    notifications: Arc<Notifications>,
}

impl AppState {
    async fn started(&self) -> Arc<Backend> {
        if let Some(backend) = self.backend.read().await.as_ref() {
            return backend.clone();
        }
        let mut slot = self.backend.write().await;
        if let Some(backend) = slot.as_ref() {
            return backend.clone();
        }
        let backend = Arc::new(Backend::open(&self.launch, None).await);
        *slot = Some(backend.clone());
        backend
    }

    async fn engine(&self) -> Result<Engine, IpcError> {
        let started = self.started().await;
        started.engine.clone().ok_or_else(|| {
            AppError::unavailable(started.info.startup_error.clone().unwrap_or_default()).into()
        })
    }

    /// Closes the data set the window shows and opens `set` in its place, remembering the
    /// choice for the next start.
    async fn switch(&self, handle: &tauri::AppHandle, set: DataSet) -> Result<AppInfo, IpcError> {
        let mut slot = self.backend.write().await;
        if let Some(old) = slot.as_ref() {
            if old.info.data_set == set && old.engine.is_some() {
                return Ok(old.info.clone());
            }
        }
        let dir = runtime::data_dir(self.launch.data_dir.clone())?;
        paydesk_core::data_set::choose(&dir, set).map_err(|e| {
            AppError::internal(format!(
                "could not record the data set in {}: {e}",
                dir.display()
            ))
        })?;
        if let Some(old) = slot.take() {
            old.stop().await;
        }
        let backend = Arc::new(Backend::open(&self.launch, Some(set)).await);
        *slot = Some(backend.clone());
        drop(slot);
        backend
            .run_background(handle, self.storage.clone(), self.notifications.clone())
            .await;
        backend::set_title(handle, set);
        // Every view reads again, from the set now shown.
        emit(handle, paydesk_core::changes::Change::Everything);
        match &backend.info.startup_error {
            Some(why) => Err(AppError::unavailable(why.clone()).into()),
            None => Ok(backend.info.clone()),
        }
    }
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(state.started().await.info.clone())
}

/// Shows the demo or the live data from now on (and at the next start).
#[tauri::command]
#[tracing::instrument(skip_all, fields(set = set.as_str()), err(level = "info", Debug))]
async fn switch_data_set(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    set: DataSet,
) -> Result<AppInfo, IpcError> {
    state.switch(&app, set).await
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

impl WindowEvent for notification_words::ShowOrders {
    const NAME: &'static str = "show-orders";
}

/// Sends an event to the window; the only way the back end sends one.
pub(crate) fn emit<E: WindowEvent>(app: &tauri::AppHandle, event: E) {
    if let Err(e) = app.emit(E::NAME, event) {
        tracing::warn!(error = %e, event = E::NAME, "could not send an event to the window");
    }
}

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
        backend: tokio::sync::RwLock::new(None),
        storage: Arc::new(Mutex::new(StorageStatus::checking())),
        notifications: Arc::new(Notifications::new()),
    };
    let storage = state.storage.clone();
    let notifications = state.notifications.clone();
    let focused_notifications = state.notifications.clone();
    let context = tauri::generate_context!();
    let key = runtime::data_dir(state.launch.data_dir.clone())
        .map(|dir| instance::key_of(&std::path::absolute(&dir).unwrap_or(dir)))
        .unwrap_or_else(|_| "default".into());
    let builder = instance::plugins(
        tauri::Builder::default(),
        &context.config().identifier,
        &key,
    );
    let result = builder
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .manage(files::ChosenImport::default())
        .setup(move |app| {
            instance::remember_moves(app.handle());
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                let backend = state.started().await;
                backend::set_title(&handle, backend.info.data_set);
                backend
                    .run_background(&handle, storage, notifications)
                    .await;
            });
            Ok(())
        })
        .on_window_event(move |_window, event| {
            if let tauri::WindowEvent::Focused(true) = event {
                focused_notifications.withdraw_all();
            }
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            switch_data_set,
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
            orders::manager_day,
            orders::activity,
            profiles::list_gateways,
            profiles::save_profile,
            profiles::remove_profile,
            profiles::secret_status,
            profiles::set_secret,
            profiles::delete_secret,
            profiles::test_connection,
            status::status_checks,
            desk::desk_names,
            desk::save_desk_names,
            orders::list_desks,
            audit::audit_trail,
            audit::personal_data_revealed,
            shifts::current_shift,
            shifts::open_shift,
            shifts::close_shift,
            shifts::list_shifts,
            shifts::shift_report,
            papers::paper,
            papers::issue_receipt,
            papers::day_report,
            papers::merchant_settings,
            papers::set_merchant_settings,
            files::choose_import_file,
            files::import_chosen_file,
            files::export_orders_to_file,
            files::save_paper_pdf,
            notifications::set_language
        ])
        .run(context);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paydesk: the window could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
