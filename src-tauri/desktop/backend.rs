//! The back end the window shows: one data set's engine (the demo or the live data), the
//! demo's built-in sandbox, and the background work on them (the change feed forwarded to the
//! window, the reconciler, gateways' callbacks, the read of every page of the database). It is
//! opened beside the window and replaced whole when the person switches data sets, so nothing
//! of one set keeps running on the other.

use std::sync::{Arc, Mutex};

use paydesk_core::app::AppError;
use paydesk_core::changes::Changes;
use paydesk_core::data_set::DataSet;
use paydesk_core::engine::Engine;
use paydesk_core::store::health as storage_health;
use paydesk_sandbox::RunningSandbox;
use tauri::Manager;

use super::notifications::{self, Notifications};
use super::status::StorageStatus;
use super::{emit, AppInfo, CurrencyInfo};
use crate::runtime;

pub(crate) struct Backend {
    pub(crate) engine: Option<Engine>,
    pub(crate) info: AppInfo,
    // Kept alive while this back end is the window's; dropping it stops the server.
    _sandbox: Option<RunningSandbox>,
    /// The background work on this back end, stopped when it is replaced.
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
}

impl Backend {
    /// Opens `set`, or (none given) the set the window opens by its rule
    /// (`runtime::window_data_set`); the demo with its built-in sandbox.
    pub(crate) async fn open(launch: &runtime::Launch, set: Option<DataSet>) -> Backend {
        let mut info = AppInfo {
            version: env!("CARGO_PKG_VERSION"),
            commit: env!("PAYDESK_COMMIT"),
            data_dir: String::new(),
            data_set: DataSet::Demo,
            sandbox_url: None,
            startup_error: None,
            currencies: paydesk_core::Currency::known()
                .map(|c| CurrencyInfo {
                    code: c.code().to_string(),
                    exponent: c.exponent(),
                })
                .collect(),
            read_only: false,
        };
        let failed = |mut info: AppInfo, e: AppError| {
            tracing::error!(error = %e, "the back end could not start");
            info.startup_error = Some(e.to_string());
            Backend {
                engine: None,
                info,
                _sandbox: None,
                tasks: Mutex::default(),
            }
        };
        let dir = match runtime::data_dir(launch.data_dir.clone()) {
            Ok(d) => d,
            Err(e) => return failed(info, e),
        };
        // Once a process: at start-up, not again at a switch.
        if set.is_none() {
            runtime::init_logging(&dir);
        }
        info.data_dir = dir.display().to_string();
        let set = match set {
            Some(set) => set,
            None => runtime::window_data_set(&dir, launch.demo).await,
        };
        info.data_set = set;
        let started = async {
            let engine = runtime::open(&dir, set, launch.names.clone()).await?;
            // Only the demo runs the built-in sandbox: the live data never pays it.
            let sandbox = match set {
                DataSet::Demo => Some(runtime::start_builtin_sandbox(&engine).await?),
                DataSet::Live => None,
            };
            Ok::<_, AppError>((engine, sandbox))
        }
        .await;
        match started {
            Ok((engine, sandbox)) => {
                tracing::info!(data_set = set.as_str(), "the window shows this data set");
                info.sandbox_url = sandbox.as_ref().map(|s| s.root_url());
                info.read_only = engine.store().is_read_only();
                Backend {
                    engine: Some(engine),
                    info,
                    _sandbox: sandbox,
                    tasks: Mutex::default(),
                }
            }
            Err(e) => failed(info, e),
        }
    }

    /// Starts the background work on this back end: every change forwarded to the window and
    /// heard for desktop notifications, the file watched for other writers, callbacks served,
    /// the database read back, and the reconciler.
    pub(crate) async fn run_background(
        &self,
        handle: &tauri::AppHandle,
        storage: Arc<Mutex<StorageStatus>>,
        notices: Arc<Notifications>,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let mut tasks = Vec::new();
        tasks.push(spawn_change_forwarder(
            handle.clone(),
            engine.store().subscribe(),
        ));
        tasks.push(notifications::spawn_notifier(
            handle.clone(),
            engine.clone(),
            notices,
            self.info.data_set == DataSet::Demo,
        ));
        // The command line and scripts write the same file: the window hears it (until the
        // store is closed).
        engine.store().watch_other_writers();
        match runtime::serve_callbacks(engine.clone()).await {
            Ok(served) => {
                for l in &served.listeners {
                    tracing::info!(profile = %l.profile, url = %l.url, "receiving callbacks");
                }
                tasks.extend(served.servers);
            }
            Err(e) => tracing::warn!(error = %e, "callbacks cannot be received"),
        }
        tasks.push(spawn_storage_check(&engine, storage));
        tasks.push(spawn_reconciler(engine));
        match self.tasks.lock() {
            Ok(mut held) => held.extend(tasks),
            Err(poisoned) => poisoned.into_inner().extend(tasks),
        }
    }

    /// Stops this back end's background work and closes its store. Calls already under way
    /// finish on the engine they hold.
    pub(crate) async fn stop(&self) {
        let tasks = match self.tasks.lock() {
            Ok(mut held) => std::mem::take(&mut *held),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for task in tasks {
            task.abort();
        }
        if let Some(engine) = &self.engine {
            engine.store().close().await;
        }
    }
}

/// Stores up to this size were read page by page as they opened; a larger one is read in the
/// background once the window is up (`FULL_CHECK_DELAY`).
const READ_AT_OPEN_UP_TO: u64 = 16 * 1024 * 1024;
/// How long a large store's read of every page waits: about 1 GB at a million attempts, a
/// second and a half of CPU that would otherwise compete with the first screen.
const FULL_CHECK_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

/// Start-up reads every page only of small stores; a large one is checked here, without
/// holding up the window. The status bar reports it.
fn spawn_storage_check(
    engine: &Engine,
    storage: Arc<Mutex<StorageStatus>>,
) -> tokio::task::AbortHandle {
    let database = engine.store().path().to_path_buf();
    let set = move |status: StorageStatus| match storage.lock() {
        Ok(mut s) => *s = status,
        Err(poisoned) => *poisoned.into_inner() = status,
    };
    set(StorageStatus::checking());
    tokio::spawn(async move {
        if std::fs::metadata(&database).map_or(0, |m| m.len()) > READ_AT_OPEN_UP_TO {
            tokio::time::sleep(FULL_CHECK_DELAY).await;
        }
        let checked = storage_health::full_check(&database).await;
        match &checked {
            Ok(()) => tracing::info!("the database reads back intact"),
            Err(e) => tracing::error!(error = %e, "the database is damaged"),
        }
        set(StorageStatus::from_check(checked));
    })
    .abort_handle()
}

/// How often the reconciler looks for attempts that are due for a status check.
const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Settles pending and unknown attempts in the background for as long as the window shows
/// this back end. What it changes reaches the window through the change feed.
fn spawn_reconciler(engine: Engine) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        loop {
            if let Err(e) = engine.reconcile_due().await {
                tracing::warn!(error = %e, "reconciler pass failed");
            }
            tokio::time::sleep(RECONCILE_EVERY).await;
        }
    })
    .abort_handle()
}

/// Forwards every change the store commits to the window as a `change` event, whichever path
/// made it (a payment, the reconciler, a callback, a person, an import, a profile edit).
fn spawn_change_forwarder(
    handle: tauri::AppHandle,
    mut changes: Changes,
) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        while let Some(change) = changes.next().await {
            emit(&handle, change);
        }
    })
    .abort_handle()
}

/// The window's title: the demo says so in it.
pub(crate) fn set_title(handle: &tauri::AppHandle, set: DataSet) {
    let title = match set {
        DataSet::Demo => "paydesk — DEMO · 演示",
        DataSet::Live => "paydesk",
    };
    for window in handle.webview_windows().values() {
        if let Err(e) = window.set_title(title) {
            tracing::warn!(error = %e, "could not set the window's title");
        }
    }
}
