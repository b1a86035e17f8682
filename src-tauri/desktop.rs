//! The window: Tauri commands that validate, delegate to the core and translate results.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use std::collections::BTreeMap;

use paydesk_core::app::gateways::{self, GatewayInfo};
use paydesk_core::app::orders::{self, OrderInput};
use paydesk_core::app::payments::{self, QuoteError};
use paydesk_core::app::profiles::{self, ProfileInput};
use paydesk_core::app::ErrorKind;
use paydesk_core::changes::{Change, Changes};
use paydesk_core::console::{Activity, LookupHit, OrderPage, OrderQuery, TakingsRow};
use paydesk_core::domain::{AttemptState, OrderView};
use paydesk_core::engine::{Engine, PayError};
use paydesk_core::export::{self, ExportError, ExportFormat};
use paydesk_core::gateways::transport::Transport;
use paydesk_core::import::{self, ImportError, ImportFormat, Progress, RowError};
use paydesk_core::pricing::PayCommand;
use paydesk_core::pricing::Quote;
use paydesk_core::profile_secrets::SecretState;
use paydesk_core::report::{OrderDetail, PaymentReport, ProfileView};
use paydesk_core::store::health as storage_health;
use paydesk_core::store::StoreError;
use paydesk_core::vault::VaultError;
use paydesk_core::Channel;
use paydesk_sandbox::RunningSandbox;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;

#[cfg(test)]
mod ipc_bindings;

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
}

/// An error crossing IPC: a stable kind for the UI to branch on and a readable message.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: &'static str,
    pub message: String,
}

impl IpcError {
    fn of(kind: ErrorKind, message: String) -> Self {
        IpcError {
            kind: kind.as_str(),
            message,
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

impl From<PayError> for IpcError {
    fn from(e: PayError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

impl From<QuoteError> for IpcError {
    fn from(e: QuoteError) -> Self {
        match e {
            QuoteError::Store(s) => s.into(),
            QuoteError::Refused(message) => refused(message),
        }
    }
}

impl From<VaultError> for IpcError {
    fn from(e: VaultError) -> Self {
        IpcError::of(e.kind(), e.to_string())
    }
}

fn refused(message: impl Into<String>) -> IpcError {
    IpcError::of(ErrorKind::Refused, message.into())
}

/// The window's state. The back end (store, keyring, built-in sandbox) is opened beside the
/// window rather than before it: the window and its web process take longer to appear than
/// the back end takes to open, so neither waits for the other. A command that arrives first
/// waits for it.
struct AppState {
    data_dir: Option<PathBuf>,
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
            .get_or_init(|| start(self.data_dir.clone()))
            .await
    }

    async fn engine(&self) -> Result<&Engine, IpcError> {
        let started = self.started().await;
        started.engine.as_ref().ok_or_else(|| IpcError {
            kind: "startup",
            message: started.info.startup_error.clone().unwrap_or_default(),
        })
    }
}

#[tauri::command]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(state.started().await.info.clone())
}

#[tauri::command]
async fn list_orders(state: State<'_, AppState>) -> Result<Vec<OrderView>, IpcError> {
    Ok(state.engine().await?.store().orders(1000).await?)
}

#[tauri::command]
async fn list_profiles(state: State<'_, AppState>) -> Result<Vec<ProfileView>, IpcError> {
    let profiles = state.engine().await?.store().profiles().await?;
    Ok(profiles.iter().map(ProfileView::from).collect())
}

#[tauri::command]
async fn order_detail(
    state: State<'_, AppState>,
    order_no: String,
) -> Result<OrderDetail, IpcError> {
    Ok(state
        .engine()
        .await?
        .store()
        .order_detail(&order_no)
        .await?)
}

/// A voucher deduction as the pay dialog sends it: the voucher's id and the amount taken off,
/// a decimal string in the order's currency.
#[derive(Debug, Deserialize, TS)]
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
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<PaymentReport, IpcError> {
    let input = pay_input(
        order_no.clone(),
        &channel,
        deductions,
        coupon,
        credit_amount,
    )?;
    let attempt = state.engine().await?.pay(&input).await?;
    Ok(PaymentReport::new(&order_no, &attempt))
}

/// The payment's inputs as the window sends them: blank optional fields mean "none".
fn pay_input(
    order_no: String,
    channel: &str,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<PayCommand, IpcError> {
    let channel =
        Channel::parse(channel).ok_or_else(|| refused(format!("unknown channel {channel:?}")))?;
    let blank = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut rows = Vec::new();
    for d in deductions.unwrap_or_default() {
        let (id, amount) = (d.id.trim().to_string(), d.amount.trim().to_string());
        if id.is_empty() && amount.is_empty() {
            continue;
        }
        if id.is_empty() {
            return Err(refused(format!("the voucher of {amount} has no id")));
        }
        rows.push((id, amount));
    }
    Ok(PayCommand {
        order_no,
        channel,
        deductions: rows,
        coupon: blank(coupon),
        credit_amount: blank(credit_amount),
    })
}

/// What the payment would charge, refused for the reasons `pay_order` would refuse it.
#[tauri::command]
async fn quote(
    state: State<'_, AppState>,
    order_no: String,
    channel: String,
    deductions: Option<Vec<DeductionInput>>,
    coupon: Option<String>,
    credit_amount: Option<String>,
) -> Result<Quote, IpcError> {
    let input = pay_input(order_no, &channel, deductions, coupon, credit_amount)?;
    Ok(payments::quote(state.engine().await?.store(), &input).await?)
}

#[tauri::command]
async fn query_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
) -> Result<OrderPage, IpcError> {
    Ok(state.engine().await?.store().query_orders(&query).await?)
}

#[tauri::command]
async fn lookup(state: State<'_, AppState>, reference: String) -> Result<Vec<LookupHit>, IpcError> {
    Ok(state.engine().await?.store().lookup(&reference, 50).await?)
}

#[tauri::command]
async fn add_order(
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
        currency,
        subject,
        attributes: attributes.unwrap_or_default(),
    };
    Ok(orders::add_order(state.engine().await?.store(), input).await?)
}

#[tauri::command]
async fn check_status(
    state: State<'_, AppState>,
    attempt_id: i64,
) -> Result<OrderDetail, IpcError> {
    let engine = state.engine().await?;
    let attempt = engine.check_status(attempt_id).await?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(engine.store().order_detail(&order.order_no).await?)
}

#[tauri::command]
async fn resolve_review(
    state: State<'_, AppState>,
    attempt_id: i64,
    decision: String,
    note: String,
) -> Result<OrderDetail, IpcError> {
    let decision = match AttemptState::parse(&decision) {
        Some(d @ (AttemptState::Succeeded | AttemptState::Failed)) => d,
        _ => return Err(refused("a review decides succeeded or failed")),
    };
    let engine = state.engine().await?;
    let attempt = engine.resolve_review(attempt_id, decision, &note).await?;
    let order = engine.store().order_of(&attempt).await?;
    Ok(engine.store().order_detail(&order.order_no).await?)
}

#[tauri::command]
async fn takings(state: State<'_, AppState>, since_ms: i64) -> Result<Vec<TakingsRow>, IpcError> {
    Ok(state.engine().await?.store().takings(since_ms).await?)
}

#[tauri::command]
async fn activity(state: State<'_, AppState>) -> Result<Activity, IpcError> {
    Ok(state.engine().await?.store().activity().await?)
}

#[tauri::command]
fn list_gateways() -> Vec<GatewayInfo> {
    gateways::gateways()
}

#[tauri::command]
async fn save_profile(
    state: State<'_, AppState>,
    name: String,
    gateway: String,
    base_url: String,
    settings: BTreeMap<String, String>,
    create: bool,
) -> Result<ProfileView, IpcError> {
    let engine = state.engine().await?;
    let input = ProfileInput {
        name,
        gateway,
        base_url,
        settings,
    };
    let profile = if create {
        profiles::add_profile(engine.store(), &Transport::default(), input).await?
    } else {
        profiles::edit_profile(engine.store(), input).await?
    };
    Ok(ProfileView::from(&profile))
}

#[tauri::command]
async fn secret_status(
    state: State<'_, AppState>,
    profile: String,
) -> Result<Vec<SecretState>, IpcError> {
    Ok(state.engine().await?.secret_states(&profile).await?)
}

/// Writes a secret into the keyring. The value goes in and is never sent back.
#[tauri::command]
async fn set_secret(
    state: State<'_, AppState>,
    profile: String,
    key: String,
    value: String,
) -> Result<Vec<SecretState>, IpcError> {
    let engine = state.engine().await?;
    engine
        .set_secret(&profile, &key, SecretString::from(value))
        .await?;
    Ok(engine.secret_states(&profile).await?)
}

#[tauri::command]
async fn delete_secret(
    state: State<'_, AppState>,
    profile: String,
    key: String,
) -> Result<Vec<SecretState>, IpcError> {
    let engine = state.engine().await?;
    engine.delete_secret(&profile, &key).await?;
    Ok(engine.secret_states(&profile).await?)
}

#[tauri::command]
async fn remove_profile(state: State<'_, AppState>, profile: String) -> Result<(), IpcError> {
    Ok(state.engine().await?.remove_profile(&profile).await?)
}

/// Whether the gateway's host answers on its port, and which required secrets are missing.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionReport {
    reachable: bool,
    detail: String,
    missing_secrets: Vec<String>,
}

#[tauri::command]
async fn test_connection(
    state: State<'_, AppState>,
    profile: String,
) -> Result<ConnectionReport, IpcError> {
    let engine = state.engine().await?;
    let base_url = engine.store().profile(&profile).await?.base_url;
    let missing_secrets = engine
        .secret_states(&profile)
        .await?
        .into_iter()
        .filter(|s| s.required && !s.set)
        .map(|s| s.key)
        .collect();
    let (reachable, detail) = match gateways::reachable(&base_url).await {
        Ok(address) => (true, address),
        Err(why) => (false, why.to_string()),
    };
    Ok(ConnectionReport {
        reachable,
        detail,
        missing_secrets,
    })
}

/// The file's text crosses IPC in one message: 64 MiB is some 500,000 orders of CSV.
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// Rejected rows sent back with the report; the counts are always complete.
const MAX_REPORTED_ROWS: usize = 1000;
/// Orders in one export: beyond this, narrow the filters or use `paydesk history --csv`.
const MAX_EXPORT_ROWS: u64 = 200_000;

/// An import's outcome: `rejected` holds the first rows refused, with their line and reason.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    rows: u64,
    imported: u64,
    rejected_count: u64,
    rejected: Vec<RowError>,
}

/// Imports orders from a file's text, which the person chose in the page. Emits
/// `import-progress` (rows read, imported, rejected) as batches are written.
#[tauri::command]
async fn import_orders(
    app: AppHandle,
    state: State<'_, AppState>,
    content: String,
    format: String,
    profile: Option<String>,
) -> Result<ImportSummary, IpcError> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(refused(format!(
            "the file has {} bytes; an import takes at most {MAX_IMPORT_BYTES}",
            content.len()
        )));
    }
    let format = match format.to_ascii_lowercase().as_str() {
        "csv" => ImportFormat::Csv,
        "json" => ImportFormat::Json,
        other => {
            return Err(refused(format!(
                "unknown import format {other:?}: csv or json"
            )))
        }
    };
    let profile = profile
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    // Spreadsheets save UTF-8 CSV behind a byte order mark; it is not part of the header.
    let content = match content.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => content,
    };
    let report = import::import_orders(
        state.engine().await?.store(),
        content.as_bytes(),
        format,
        profile.as_deref(),
        |progress: Progress| {
            if let Err(e) = app.emit("import-progress", progress) {
                tracing::warn!(error = %e, "could not report import progress");
            }
        },
    )
    .await
    .map_err(|e| match e {
        ImportError::Unreadable(why) => refused(why),
        ImportError::Store(s) => s.into(),
    })?;
    tracing::info!(
        rows = report.rows,
        imported = report.imported,
        rejected = report.rejected.len(),
        "orders imported"
    );
    let rejected_count = report.rejected.len() as u64;
    let mut rejected = report.rejected;
    rejected.truncate(MAX_REPORTED_ROWS);
    Ok(ImportSummary {
        rows: report.rows,
        imported: report.imported,
        rejected_count,
        rejected,
    })
}

/// A file for the page to hand to the person as a download.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportFile {
    file_name: String,
    media_type: &'static str,
    rows: u64,
    content: String,
}

/// The orders matching the list's filters, as CSV or JSON.
#[tauri::command]
async fn export_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
    format: String,
) -> Result<ExportFile, IpcError> {
    let format = ExportFormat::parse(&format)
        .ok_or_else(|| refused(format!("unknown export format {format:?}: csv or json")))?;
    let export = export::export_orders(
        state.engine().await?.store(),
        &query,
        format,
        MAX_EXPORT_ROWS,
    )
    .await
    .map_err(|e| match e {
        ExportError::TooMany { .. } => refused(e.to_string()),
        ExportError::Store(s) => s.into(),
    })?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    // A byte order mark is how spreadsheets tell UTF-8 CSV (Chinese subjects) from a local
    // code page; the import takes it off again.
    let content = match format {
        ExportFormat::Csv => format!("\u{feff}{}", export.content),
        ExportFormat::Json => export.content,
    };
    Ok(ExportFile {
        file_name: format!("paydesk-orders-{stamp}.{}", format.extension()),
        media_type: format.media_type(),
        rows: export.rows,
        content,
    })
}

/// The data directory's health as the status bar shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StorageStatus {
    /// `ok`, `checking` (the read of every page is still under way) or `problem`.
    #[ts(type = r#""ok" | "checking" | "problem""#)]
    state: &'static str,
    detail: Option<String>,
}

impl StorageStatus {
    fn checking() -> Self {
        StorageStatus {
            state: "checking",
            detail: None,
        }
    }

    fn from_check(checked: Result<(), StoreError>) -> Self {
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
async fn status_checks(state: State<'_, AppState>) -> Result<StatusChecks, IpcError> {
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

async fn start(data_dir: Option<PathBuf>) -> Started {
    let mut info = AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: String::new(),
        sandbox_url: None,
        startup_error: None,
        max_import_bytes: MAX_IMPORT_BYTES,
    };
    let dir = match runtime::data_dir(data_dir) {
        Ok(d) => d,
        Err(e) => {
            info.startup_error = Some(e);
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
        let engine = runtime::open(&dir).await?;
        let sandbox = runtime::start_builtin_sandbox(&engine).await?;
        Ok::<_, String>((engine, sandbox))
    }
    .await;
    match started {
        Ok((engine, sandbox)) => {
            info.sandbox_url = Some(sandbox.root_url());
            Started {
                engine: Some(engine),
                info,
                _sandbox: Some(sandbox),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the back end could not start");
            info.startup_error = Some(e);
            Started {
                engine: None,
                info,
                _sandbox: None,
            }
        }
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
            if let Err(e) = handle.emit("change", &change) {
                tracing::warn!(error = %e, "could not tell the window what changed");
            }
            // The window's views from before the `change` event listen for this one; it goes
            // once every view listens to `change`.
            if let Change::Attempts { attempt_ids, .. } = &change {
                if let Err(e) = handle.emit("attempts-changed", attempt_ids) {
                    tracing::warn!(error = %e, "could not notify the window");
                }
            }
        }
    });
}

/// Stores up to this size were read page by page as they opened; a larger one is read in the
/// background once the window is up (`FULL_CHECK_DELAY`).
const READ_AT_OPEN_UP_TO: u64 = 16 * 1024 * 1024;
/// How long a large store's read of every page waits: about 1 GB at a million attempts, a
/// second and a half of CPU that would otherwise compete with the first screen.
const FULL_CHECK_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

pub fn run(data_dir: Option<PathBuf>) -> ExitCode {
    // WebKitGTK composites pages with OpenGL, which without a GPU (a VM, Xvfb) is Mesa's
    // llvmpipe on the CPU: for this page, which animates nothing that needs it, ~85 MB and
    // ~0.5 s of CPU more in the web process before the first screen than painting in
    // software. Unless the environment says otherwise; set before any thread is started.
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    let state = AppState {
        data_dir,
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
            list_orders,
            list_profiles,
            order_detail,
            pay_order,
            quote,
            query_orders,
            lookup,
            add_order,
            check_status,
            resolve_review,
            takings,
            activity,
            list_gateways,
            save_profile,
            remove_profile,
            secret_status,
            set_secret,
            delete_secret,
            test_connection,
            import_orders,
            export_orders,
            status_checks
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
