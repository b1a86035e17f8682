//! The checks a status bar repeats: whether each profile's gateway host answers, and whether
//! the data directory still takes a write.

use serde::Serialize;
use ts_rs::TS;

use crate::store::{health, Store};

use super::{gateways, AppError, Result};

/// Whether a profile's gateway host accepts a connection on its port.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GatewayReach {
    pub profile: String,
    pub is_sandbox: bool,
    pub reachable: bool,
    /// The address that answered, or why none did.
    pub detail: String,
}

/// Every profile's gateway, tried at once (a TCP connection each; nothing is sent), by name.
pub async fn gateway_reach(store: &Store) -> Result<Vec<GatewayReach>> {
    let mut probes = tokio::task::JoinSet::new();
    for profile in store.profiles().await? {
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
    let mut reach = Vec::new();
    while let Some(probe) = probes.join_next().await {
        reach.push(probe.map_err(|_| {
            AppError::internal("a gateway check stopped on an internal error (see paydesk.log)")
        })?);
    }
    reach.sort_by(|a, b| a.profile.cmp(&b.profile));
    Ok(reach)
}

/// Whether the database's directory takes a small write, with room to spare. The outer
/// error is the check itself failing to run; the inner one what it found.
pub async fn check_data_dir(store: &Store) -> Result<Result<()>> {
    let database = store.path().to_path_buf();
    let found = crate::off_thread::run("the data directory check", move || {
        let dir = database
            .parent()
            .map(|d| d.to_path_buf())
            .unwrap_or_default();
        health::check_writable_dir(&dir, &database)
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(found.map_err(AppError::from))
}

/// Reads every page of the database back (what start-up skips on large files); changes
/// nothing.
pub async fn full_check(store: &Store) -> Result<()> {
    Ok(health::full_check(store.path()).await?)
}
