//! What both shells share at start-up: the data directory, logging, the store, the vault and
//! the in-process sandbox that a first run uses when nothing is configured.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use paydesk_core::demo;
use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::store::Store;
use paydesk_core::vault::{KeyringVault, Vault};
use paydesk_sandbox::{Credentials, RunningSandbox, SandboxConfig};
use secrecy::ExposeSecret;

/// `--data-dir`, else `PAYDESK_DATA_DIR`, else the platform's data directory.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(dir) = flag.or_else(|| std::env::var_os("PAYDESK_DATA_DIR").map(PathBuf::from)) {
        return Ok(dir);
    }
    dirs::data_dir()
        .map(|d| d.join("paydesk"))
        .ok_or_else(|| "no data directory: set PAYDESK_DATA_DIR or pass --data-dir".to_string())
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("paydesk.sqlite")
}

pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("paydesk.log")
}

/// Logs go to stderr and to `paydesk.log` in the data directory. No secret is ever passed to
/// a log macro: secrets are `SecretString`s whose `Debug` is redacted.
pub fn init_logging(data_dir: &Path) {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let file = std::fs::create_dir_all(data_dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path(data_dir))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false);
    let _ = match file {
        Ok(file) => builder
            .with_writer(std::io::stderr.and(Mutex::new(file)))
            .try_init(),
        Err(_) => builder.with_writer(std::io::stderr).try_init(),
    };
}

pub async fn open(data_dir: &Path) -> Result<Engine, String> {
    let store = Store::open(&database_path(data_dir))
        .await
        .map_err(|e| e.to_string())?;
    let vault: Arc<dyn Vault> = Arc::new(
        tokio::task::spawn_blocking(KeyringVault::connect)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?,
    );
    Ok(Engine::new(store, vault, Transport::default()))
}

/// Starts the built-in sandbox on a free loopback port: one SANDBOX profile per gateway
/// paydesk speaks, its secrets generated into the OS keyring on first run, its demo orders in
/// the store and in the emulator's order book.
pub async fn start_builtin_sandbox(engine: &Engine) -> Result<RunningSandbox, String> {
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
        let (profile, secrets) = demo::ensure_sandbox_profile(
            store,
            engine.vault(),
            gateway,
            fixed.settings.clone(),
            lengths,
        )
        .await
        .map_err(|e| e.to_string())?;
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
        .map_err(|e| e.to_string())?;
    for profile in &profiles {
        store
            .set_profile_base_url(&profile.name, &sandbox.base_url(&profile.gateway))
            .await
            .map_err(|e| e.to_string())?;
        demo::seed_demo_orders(store, &profile.gateway, &profile.name)
            .await
            .map_err(|e| e.to_string())?;
    }
    // Orders reach the sandbox's order book when they are paid (Engine::pay registers orders
    // of sandbox profiles), so a restarted sandbox still knows every order.
    tracing::info!(url = %sandbox.root_url(), "built-in sandbox listening");
    Ok(sandbox)
}
