//! Gateway profiles and their secrets as the Gateways view edits them.

use std::collections::BTreeMap;

use paydesk_core::app::connection::{self, ConnectionReport};
use paydesk_core::app::gateways::{self, GatewayInfo};
use paydesk_core::app::profiles::{self, ProfileInput};
use paydesk_core::app::secrets::{self, SecretState};
use paydesk_core::gateways::transport::Transport;
use paydesk_core::report::ProfileView;
use secrecy::SecretString;
use tauri::State;

use super::*;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_profiles(
    state: State<'_, AppState>,
) -> Result<Vec<ProfileView>, IpcError> {
    Ok(profiles::list(state.engine().await?.store()).await?)
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
        profiles::edit_profile(engine.store(), &Transport::default(), input).await?
    };
    Ok(ProfileView::from(&profile))
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn secret_status(
    state: State<'_, AppState>,
    profile: String,
) -> Result<Vec<SecretState>, IpcError> {
    Ok(secrets::states(&state.engine().await?, &profile).await?)
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
    secrets::set(&engine, &profile, &key, SecretString::from(value)).await?;
    Ok(secrets::states(&engine, &profile).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile, key = %key), err(level = "info", Debug))]
pub(crate) async fn delete_secret(
    state: State<'_, AppState>,
    profile: String,
    key: String,
) -> Result<Vec<SecretState>, IpcError> {
    let engine = state.engine().await?;
    secrets::delete(&engine, &profile, &key).await?;
    Ok(secrets::states(&engine, &profile).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn remove_profile(
    state: State<'_, AppState>,
    profile: String,
) -> Result<(), IpcError> {
    Ok(profiles::remove(&state.engine().await?, &profile).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile), err(level = "info", Debug))]
pub(crate) async fn test_connection(
    state: State<'_, AppState>,
    profile: String,
) -> Result<ConnectionReport, IpcError> {
    Ok(connection::test_connection(&state.engine().await?, &profile).await?)
}
