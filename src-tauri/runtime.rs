//! What both shells share at start-up: the data directory, logging, the store, the vault and
//! the in-process sandbox that a first run uses when nothing is configured.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use paydesk_core::app::desk::DeskNames;
use paydesk_core::app::{self, AppError};
use paydesk_core::data_set::{self, DataSet};
use paydesk_core::demo;
use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::store::Store;
use paydesk_core::vault::{KeyringVault, Vault};
use paydesk_sandbox::{Credentials, RunningSandbox, SandboxConfig};
use secrecy::ExposeSecret;

/// What a run was started with: the data directory asked for, this desk's names, and whether
/// the demo was asked for (`--demo`).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub data_dir: Option<PathBuf>,
    pub names: DeskNames,
    pub demo: bool,
}

/// `--desk`/`--operator`, else `PAYDESK_DESK`/`PAYDESK_OPERATOR`.
pub fn desk_names(desk: Option<String>, operator: Option<String>) -> DeskNames {
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    DeskNames {
        desk: desk.or_else(|| env("PAYDESK_DESK")),
        operator: operator.or_else(|| env("PAYDESK_OPERATOR")),
    }
}

/// `--data-dir`, else `PAYDESK_DATA_DIR`, else the platform's data directory.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf, AppError> {
    if let Some(dir) = flag.or_else(|| std::env::var_os("PAYDESK_DATA_DIR").map(PathBuf::from)) {
        return Ok(dir);
    }
    platform_data_dir().ok_or_else(|| {
        AppError::refused("no data directory: set PAYDESK_DATA_DIR or pass --data-dir")
    })
}

/// The platform's data directory for paydesk (`~/.local/share/paydesk` on Linux): paydesk's
/// own, unlike one the user named.
fn platform_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("paydesk"))
}

/// What start-up did to the data directory or found about it, logged once logging is up.
enum DataDirNote {
    Nothing,
    /// paydesk's own directory, left open to others by an older paydesk, was made private.
    Tightened,
    /// A directory the user chose can be read by other users; it is left as it is.
    OpenToOthers {
        mode: u32,
    },
}

/// Creates the data directory 0700 (with any parent it needs) when it is missing. paydesk's
/// own directory is made private if it is not; one the user chose is never changed, only
/// named when other users can read it. A directory that cannot be created is left to
/// `Store::open` to name.
fn prepare_data_dir(dir: &Path) -> DataDirNote {
    if paydesk_core::private_files::create_dir(dir).is_err() {
        return DataDirNote::Nothing;
    }
    if platform_data_dir().as_deref() == Some(dir) {
        match paydesk_core::private_files::tighten(dir) {
            Ok(true) => DataDirNote::Tightened,
            _ => DataDirNote::Nothing,
        }
    } else {
        match paydesk_core::private_files::readable_by_others(dir) {
            Some(mode) => DataDirNote::OpenToOthers { mode },
            None => DataDirNote::Nothing,
        }
    }
}

/// How long a gateway may take to answer before the answer counts as lost:
/// `PAYDESK_GATEWAY_TIMEOUT_MS`, 30 s by default.
pub fn gateway_timeout() -> std::time::Duration {
    std::env::var("PAYDESK_GATEWAY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| (100..=600_000).contains(ms))
        .map_or(
            std::time::Duration::from_secs(30),
            std::time::Duration::from_millis,
        )
}

/// The set the window opens (`data_set::window_opens`): whether the live data is in use is
/// read only when no choice was made yet.
pub async fn window_data_set(data_dir: &Path, demo_asked: bool) -> DataSet {
    let chosen = data_set::chosen(data_dir);
    let live_in_use = !demo_asked && chosen.is_none() && live_in_use(data_dir).await;
    data_set::window_opens(demo_asked, chosen, live_in_use)
}

/// Whether the live data holds anything a person set up: a gateway profile, or a shared store
/// to keep its history in. Read without creating the file where there is none.
async fn live_in_use(data_dir: &Path) -> bool {
    let path = database_path(data_dir);
    if !path.exists() {
        return false;
    }
    let Ok(store) = Store::open(&path).await else {
        // A live file that cannot be opened is the live data's to report.
        return true;
    };
    let in_use = !store.profiles().await.unwrap_or_default().is_empty()
        || app::shared_store::is_configured(&store).await;
    store.close().await;
    in_use
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("paydesk.sqlite")
}

pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("paydesk.log")
}

/// Makes the data directory ready (`prepare_data_dir`), then logs to stderr and to
/// `paydesk.log` in it (0600, see `paydesk_core::private_files`). No secret is ever passed to
/// a log macro: secrets are `SecretString`s whose `Debug` is redacted.
pub fn init_logging(data_dir: &Path) {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let note = prepare_data_dir(data_dir);
    let file = paydesk_core::private_files::open_append(&log_path(data_dir));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    if file.is_ok() {
        crate::panic_hook::log_to(log_path(data_dir));
    }
    let _ = match file {
        Ok(file) => builder
            .with_writer(std::io::stderr.and(Mutex::new(file)))
            .try_init(),
        Err(_) => builder.with_writer(std::io::stderr).try_init(),
    };
    // On stderr (so the command line shows it) and in the log.
    match note {
        DataDirNote::Nothing => {}
        DataDirNote::Tightened => tracing::info!(
            "the data directory {} is now readable by its owner only",
            data_dir.display()
        ),
        DataDirNote::OpenToOthers { mode } => tracing::warn!(
            "the data directory {dir} can be read by other users (mode {mode:o}). paydesk's \
             files in it are yours only, but a directory you chose is left as it is: \
             `chmod 700 {dir}` keeps even their names to yourself",
            dir = data_dir.display()
        ),
    }
}

/// Opens one of this data directory's data sets as its desk (`names`), with the keyring.
pub async fn open(data_dir: &Path, set: DataSet, names: DeskNames) -> Result<Engine, AppError> {
    let (local, vault) = open_local(data_dir, set, names).await?;
    let store = match set {
        DataSet::Live => app::shared_store::open_record(local, &vault).await?,
        // The demo is never shared.
        DataSet::Demo => local,
    };
    Ok(Engine::new(store, vault, Transport::new(gateway_timeout())))
}

/// A data set's own store (its file, whatever its record is kept in) as its desk, with the
/// keyring: what `store connect`, `status` and `disconnect` work on, the shared store reachable
/// or not.
pub async fn open_local(
    data_dir: &Path,
    set: DataSet,
    names: DeskNames,
) -> Result<(Store, Arc<dyn Vault>), AppError> {
    let store = Store::open(&database_path(&set.dir(data_dir))).await?;
    let store = match set {
        DataSet::Live => store,
        DataSet::Demo => store.for_demo(),
    };
    app::desk::identify(&store, names).await?;
    let vault: Arc<dyn Vault> = Arc::new(
        paydesk_core::off_thread::run("connecting to the keyring", KeyringVault::connect)
            .await
            .map_err(|e| AppError::internal(e.to_string()))??,
    );
    Ok((store, vault))
}

/// Starts the built-in sandbox on a free loopback port: one SANDBOX profile per gateway
/// paydesk speaks, its secrets generated into the OS keyring on first run, its demo orders in
/// the store and in the emulator's order book.
pub async fn start_builtin_sandbox(engine: &Engine) -> Result<RunningSandbox, AppError> {
    let store = engine.store();
    let defaults = SandboxConfig::default();
    let mut config = SandboxConfig {
        gateways: BTreeMap::new(),
        fault_seed: defaults.fault_seed,
    };
    let mut profiles = Vec::new();
    for gateway in paydesk_core::gateways::GATEWAYS {
        let fixed = defaults.gateways.get(*gateway).cloned().unwrap_or_default();
        let lengths = fixed
            .secrets
            .iter()
            .map(|(k, v)| (k.clone(), v.len()))
            .collect();
        let Some((profile, secrets)) = demo::ensure_sandbox_profile(
            store,
            engine.vault(),
            gateway,
            fixed.settings.clone(),
            lengths,
        )
        .await?
        else {
            continue;
        };
        config.gateways.insert(
            gateway.to_string(),
            Credentials {
                // The emulator checks what the profile sends, so it takes the profile's settings.
                settings: profile.settings.clone(),
                secrets: secrets
                    .iter()
                    .map(|(k, v)| (k.clone(), v.expose_secret().to_string()))
                    .collect(),
            },
        );
        profiles.push(profile);
    }
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", config)
        .await
        .map_err(|e| AppError::internal(format!("the built-in sandbox could not start: {e}")))?;
    for profile in &profiles {
        store
            .set_profile_base_url(&profile.name, &sandbox.base_url(&profile.gateway))
            .await?;
        demo::seed_demo_orders(store, &profile.gateway, &profile.name).await?;
    }
    // Orders reach the sandbox's order book when they are paid (`app::payments::pay` registers
    // orders of sandbox profiles), so a restarted sandbox still knows every order.
    tracing::info!(url = %sandbox.root_url(), "built-in sandbox listening");
    Ok(sandbox)
}

/// A listener for a gateway's callbacks, at a profile's loopback `callback_url`.
pub struct CallbackListener {
    pub profile: String,
    pub url: String,
}

/// The callbacks being served: each profile's listener, and the servers behind them (aborted
/// to stop serving).
pub struct ServedCallbacks {
    pub listeners: Vec<CallbackListener>,
    pub servers: Vec<tokio::task::AbortHandle>,
}

/// Serves every profile's loopback `callback_url` (debit's payout callbacks): each
/// notification is verified and recorded by the engine; only an accepted one is answered 200,
/// so the gateway resends what was not. Serves until the servers are aborted or the process
/// ends.
pub async fn serve_callbacks(engine: Engine) -> Result<ServedCallbacks, AppError> {
    use std::collections::HashMap;

    let mut routes: HashMap<SocketAddr, Vec<(String, String)>> = HashMap::new();
    for profile in engine.store().profiles().await? {
        let Some(url) = profile
            .settings
            .get("callback_url")
            .filter(|u| !u.is_empty())
        else {
            continue;
        };
        let (address, path) = match callback_address(url) {
            Ok(found) => found,
            Err(why) => {
                tracing::warn!(profile = %profile.name, "callback_url {why}: not listening");
                continue;
            }
        };
        routes
            .entry(address)
            .or_default()
            .push((path, profile.name.clone()));
    }
    let mut listeners = Vec::new();
    let mut servers = Vec::new();
    for (address, paths) in routes {
        let mut router = axum::Router::new();
        for (path, profile) in &paths {
            let engine = engine.clone();
            let profile_name = profile.clone();
            router = router.route(
                path,
                axum::routing::post(move |body: axum::body::Bytes| async move {
                    match engine.receive_callback(&profile_name, &body).await {
                        Ok(_) => (axum::http::StatusCode::OK, "ok".to_string()),
                        Err(e) => {
                            tracing::warn!(profile = %profile_name, error = %e, "callback not accepted");
                            (axum::http::StatusCode::BAD_REQUEST, e.to_string())
                        }
                    }
                }),
            );
            listeners.push(CallbackListener {
                profile: profile.clone(),
                url: format!("http://{address}{path}"),
            });
        }
        let socket = tokio::net::TcpListener::bind(address).await.map_err(|e| {
            AppError::refused(format!("cannot listen for callbacks on {address}: {e}"))
        })?;
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(socket, router).await {
                tracing::error!(error = %e, "callback listener stopped");
            }
        });
        servers.push(server.abort_handle());
    }
    Ok(ServedCallbacks { listeners, servers })
}

/// Where a profile's `callback_url` is served, and its path: plain http on 127.0.0.1 only
/// (`localhost` means that address too), so that nothing but this machine can post a
/// notification that moves money records.
fn callback_address(url: &str) -> Result<(SocketAddr, String), String> {
    let uri: axum::http::Uri = url
        .parse()
        .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("{url:?} is not a plain http URL"));
    }
    match uri.host() {
        Some("127.0.0.1" | "localhost") => {}
        _ => return Err(format!("{url:?} is not on 127.0.0.1")),
    }
    let port = uri.port_u16().unwrap_or(80);
    Ok((
        SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
        uri.path().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_served_on_127_0_0_1_only() {
        let local = |port: u16| SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
        for (url, served) in [
            ("http://127.0.0.1:8099/cb", Some((local(8099), "/cb"))),
            (
                "http://localhost:8099/debit/cb",
                Some((local(8099), "/debit/cb")),
            ),
            ("http://127.0.0.1/cb", Some((local(80), "/cb"))),
            ("http://[::1]:8099/cb", None),
            ("http://127.0.0.2:8099/cb", None),
            ("http://0.0.0.0:8099/cb", None),
            ("http://192.168.1.20:8099/cb", None),
            ("https://127.0.0.1:8099/cb", None),
            ("not a url", None),
        ] {
            let found = callback_address(url).ok();
            let expected = served.map(|(address, path)| (address, path.to_string()));
            assert_eq!(found, expected, "{url}");
        }
    }
}
