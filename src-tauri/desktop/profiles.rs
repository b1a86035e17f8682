//! Gateway profiles and their secrets as the Gateways view edits them.

use std::collections::BTreeMap;

use paydesk_core::app::gateways::{self, GatewayInfo};
use paydesk_core::app::profiles::{self, ProfileInput};
use paydesk_core::gateways::transport::Transport;
use paydesk_core::profile_secrets::SecretState;
use paydesk_core::report::ProfileView;
use secrecy::SecretString;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::*;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_profiles(
    state: State<'_, AppState>,
) -> Result<Vec<ProfileView>, IpcError> {
    let profiles = state.engine().await?.store().profiles().await?;
    Ok(profiles.iter().map(ProfileView::from).collect())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub(crate) fn list_gateways() -> Vec<GatewayInfo> {
    gateways::gateways()
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(name = %name, gateway = %gateway, create = create), err(level = "info", Debug))]
pub(crate) async fn save_profile(
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
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn secret_status(
    state: State<'_, AppState>,
    profile: String,
) -> Result<Vec<SecretState>, IpcError> {
    Ok(state.engine().await?.secret_states(&profile).await?)
}

/// Writes a secret into the keyring. The value goes in and is never sent back.
#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile, key = %key), err(level = "info", Debug))]
pub(crate) async fn set_secret(
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
#[tracing::instrument(skip_all, fields(profile = %profile, key = %key), err(level = "info", Debug))]
pub(crate) async fn delete_secret(
    state: State<'_, AppState>,
    profile: String,
    key: String,
) -> Result<Vec<SecretState>, IpcError> {
    let engine = state.engine().await?;
    engine.delete_secret(&profile, &key).await?;
    Ok(engine.secret_states(&profile).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn remove_profile(
    state: State<'_, AppState>,
    profile: String,
) -> Result<(), IpcError> {
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
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn test_connection(
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
