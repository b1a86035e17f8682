//! Where a desk keeps its record: standalone (its own SQLite file, the default) or on a
//! PostgreSQL server shared by the merchant's desks. `store connect` checks the address
//! (`store::server_url`), reaches the server (bringing its schema up to date where the role is
//! its owner) and only then saves the address in the desk's file and the password in the
//! keyring; every start after that opens the shared record; `store disconnect` goes back.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use ts_rs::TS;

use crate::off_thread;
use crate::store::moving_in::MovedIn;
use crate::store::server_url::ServerUrl;
use crate::store::{KeptCopy, SchemaMismatch, SchemaUpdate, Store};
use crate::vault::{Vault, VaultError};

use super::{AppError, Problem, Result};

/// The desk setting that holds the shared store's address (never a password).
const URL_SETTING: &str = "shared_store_url";

/// The keyring entry's name for a shared store's password (its slot is the address's).
const PASSWORD: &str = "password";

/// What `store status` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreStatus {
    /// `sqlite` standalone, `postgres` shared.
    pub kind: &'static str,
    /// The shared store's address as given (it holds no password); none standalone.
    pub url: Option<String>,
    pub reachable: bool,
    pub read_only: bool,
    pub desk: String,
    pub operator: String,
    /// The record's schema version, where it could be read.
    pub schema_version: Option<i64>,
    /// Until when the desk's copy of the shared history is complete (unix ms).
    pub as_of: Option<i64>,
    /// Why the shared store cannot be used, where that is known (its schema and this
    /// paydesk's differ, its login is refused, ...); none when it answers or is merely out of
    /// reach.
    pub why_unreachable: Option<String>,
}

/// Where the open store keeps its record, as the window's status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RecordState {
    /// The shared store's address (it holds no password); none standalone.
    pub url: Option<String>,
    /// Whether the store of record answers now. When it does not, the desk shows its copy
    /// of the shared history and pays nothing.
    pub reachable: bool,
    /// A support agent's desk: paying and editing are for the desks that may write.
    pub read_only: bool,
    /// Until when the desk's copy of the shared history is complete (unix ms); none
    /// standalone or before its first copy.
    #[ts(type = "number | null")]
    pub as_of: Option<i64>,
    /// Why the shared store is out of reach though its server answers: its schema and this
    /// paydesk's differ (a newer paydesk brought it forward, or its owner has yet to).
    pub schema_mismatch: Option<SchemaMismatch>,
}

/// The open store's record: where it is, whether it answers, whether this desk may write.
pub async fn record_state(store: &Store) -> RecordState {
    let url = match store.is_shared() {
        true => store.desk_setting(URL_SETTING).await.ok().flatten(),
        false => None,
    };
    RecordState {
        url,
        reachable: store.is_reachable(),
        read_only: store.is_read_only(),
        as_of: store.copy_as_of(),
        schema_mismatch: store.schema_mismatch(),
    }
}

/// The shared store this desk's file names, if any.
async fn saved(local: &Store) -> Result<Option<ServerUrl>> {
    match local.desk_setting(URL_SETTING).await? {
        None => Ok(None),
        Some(url) => ServerUrl::parse(&url)
            .map(Some)
            .map_err(|why| AppError::unavailable(format!("the saved shared store: {why}"))),
    }
}

/// Whether this desk keeps its history in a shared store (one is saved in its settings).
pub async fn is_configured(local: &Store) -> bool {
    matches!(local.desk_setting(URL_SETTING).await, Ok(Some(_)))
}

/// The keyring slot of the password for `url`: its user, server and database.
fn password_slot(url: &ServerUrl) -> String {
    format!(
        "shared-store:{}@{}:{}/{}",
        url.user, url.host, url.port, url.database
    )
}

async fn password(vault: &Arc<dyn Vault>, url: &ServerUrl) -> Result<Option<SecretString>> {
    let (vault, slot) = (vault.clone(), password_slot(url));
    off_thread::run("the keyring call", move || vault.get(&slot, PASSWORD))
        .await
        .map_err(VaultError::from)?
        .map_err(AppError::from)
}

/// A server that did not answer, or refused this desk.
fn unreachable(url: &ServerUrl, e: AppError) -> AppError {
    let reason = e.message;
    AppError {
        message: format!("the shared store {} cannot be used: {reason}", url.url),
        problem: Problem::SharedStoreUnreachable {
            url: url.url.clone(),
            reason,
        },
    }
}

/// The file next to the desk's own that keeps its copy of the shared history.
const COPY_FILE: &str = "shared-cache.sqlite";

/// The desk setting for how many days back the copy reaches.
const COPY_DAYS_SETTING: &str = "shared_cache_days";

/// This desk's record: the shared store its file names (with the keyring's password), or its
/// own file. Never changes a shared store's schema. A shared store keeps the desk's copy of
/// its history up to date; one out of reach opens offline on that copy.
pub async fn open_record(local: Store, vault: &Arc<dyn Vault>) -> Result<Store> {
    let Some(url) = saved(&local).await? else {
        return Ok(local);
    };
    let password = password(vault, &url).await?;
    let options = url.connect_options(password.as_ref().map(|p| p.expose_secret()));
    let window_days = match local.desk_setting(COPY_DAYS_SETTING).await? {
        Some(days) => days.parse().unwrap_or(crate::store::DEFAULT_WINDOW_DAYS),
        None => crate::store::DEFAULT_WINDOW_DAYS,
    };
    let copy_path = local.path().with_file_name(COPY_FILE);
    let copy = KeptCopy {
        path: &copy_path,
        server: &url.url,
        window_days,
    };
    local
        .with_shared_record_and_copy(options, copy)
        .await
        .map_err(|e| unreachable(&url, e.into()))
}

/// What `store connect` did: where the desk keeps its record now, and what of its own
/// history moved there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connected {
    pub status: StoreStatus,
    pub moved_in: MovedIn,
}

/// Connects this desk (its own file, `local`) to a shared store: checks the address, reaches
/// the server as its role (the owner brings the schema up to date), moves the desk's own
/// history in (`store::moving_in`: once, the demo's never), then saves the address and the
/// password. A history the shared store disagrees with, or a login that may only read where
/// there is a history to move, changes nothing.
pub async fn connect(
    local: &Store,
    vault: &Arc<dyn Vault>,
    url: &str,
    password: Option<SecretString>,
) -> Result<Connected> {
    if local.data_set() == crate::data_set::DataSet::Demo {
        return Err(AppError::new(
            Problem::DemoStaysOnItsOwn,
            "this is the demo: it stays on this desk, never in a shared store (connect without --demo)",
        ));
    }
    let url = ServerUrl::parse(url).map_err(AppError::refused)?;
    // Checked by the keyring's own rule before the server is reached: a password the keyring
    // refuses after the history moved in would leave it on a server this desk cannot name.
    if let Some(password) = &password {
        crate::input_rules::check_secret(PASSWORD, password.expose_secret())?;
    }
    let options = url.connect_options(password.as_ref().map(|p| p.expose_secret()));
    let shared = local
        .clone()
        .with_shared_record(options, SchemaUpdate::IfOwner)
        .await
        .map_err(|e| unreachable(&url, e.into()))?;
    let moved = connect_shared(local, &shared, vault, &url, password).await;
    let status = status_of(&shared, Some(url.url.clone())).await;
    shared.close().await;
    Ok(Connected {
        status,
        moved_in: moved?,
    })
}

async fn connect_shared(
    local: &Store,
    shared: &Store,
    vault: &Arc<dyn Vault>,
    url: &ServerUrl,
    password: Option<SecretString>,
) -> Result<MovedIn> {
    let own = own_history(local).await?;
    if own > 0 && shared.is_read_only() {
        return Err(AppError::refused(format!(
            "this desk has a history of its own ({own} orders outside the demo) and this login may only read, so it cannot move in; connect with a desk's login first, so nothing was changed"
        )));
    }
    // The password first: a keyring out of reach then changes nothing on the server (the slot
    // is the address's own, and the address is saved last).
    let (keyring, slot) = (vault.clone(), password_slot(url));
    off_thread::run("the keyring call", move || match password {
        Some(password) => keyring.set(&slot, PASSWORD, &password),
        None => keyring.delete(&slot, PASSWORD),
    })
    .await
    .map_err(VaultError::from)?
    .map_err(AppError::from)?;
    let moved = shared.move_in_own_history().await?;
    super::secrets::follow_moved_profiles(vault, &moved.secrets_elsewhere).await?;
    local.set_desk_setting(URL_SETTING, Some(&url.url)).await?;
    Ok(moved)
}

/// Orders in this desk's own file that are not the demo's.
async fn own_history(local: &Store) -> Result<i64> {
    let mut own = 0;
    for profile in local.profiles().await? {
        if !profile.is_sandbox {
            own += local.profile_order_count(&profile.name).await?;
        }
    }
    Ok(own)
}

/// Where this desk keeps its record and whether it can be reached now.
pub async fn status(local: &Store, vault: &Arc<dyn Vault>) -> Result<StoreStatus> {
    let Some(url) = saved(local).await? else {
        return Ok(status_of(local, None).await);
    };
    match open_record(local.clone(), vault).await {
        Ok(shared) => {
            let status = status_of(&shared, Some(url.url.clone())).await;
            shared.close().await;
            Ok(status)
        }
        Err(e) => {
            let actor = local.actor();
            Ok(StoreStatus {
                kind: "postgres",
                url: Some(url.url),
                reachable: false,
                read_only: false,
                desk: actor.desk,
                operator: actor.operator,
                schema_version: None,
                as_of: None,
                why_unreachable: Some(e.message),
            })
        }
    }
}

async fn status_of(store: &Store, url: Option<String>) -> StoreStatus {
    let actor = store.actor();
    StoreStatus {
        kind: if store.is_shared() {
            "postgres"
        } else {
            "sqlite"
        },
        url,
        reachable: store.is_reachable(),
        read_only: store.is_read_only(),
        desk: actor.desk,
        operator: actor.operator,
        schema_version: store.schema_version().await.ok(),
        as_of: store.copy_as_of(),
        why_unreachable: store.schema_mismatch().map(|m| m.to_string()),
    }
}

/// Back to standalone: the address and its password are forgotten; the desk's own file is as
/// it was. True when the desk was connected.
pub async fn disconnect(local: &Store, vault: &Arc<dyn Vault>) -> Result<bool> {
    let Some(url) = saved(local).await? else {
        return Ok(false);
    };
    local.set_desk_setting(URL_SETTING, None).await?;
    let (vault, slot) = (vault.clone(), password_slot(&url));
    off_thread::run("the keyring call", move || vault.delete(&slot, PASSWORD))
        .await
        .map_err(VaultError::from)?
        .map_err(AppError::from)?;
    Ok(true)
}
