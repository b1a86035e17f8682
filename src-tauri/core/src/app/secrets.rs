//! A profile's secrets as the window and the command line manage them: which ones its gateway
//! takes and whether each is in the keyring (never a value), writing or deleting one of those
//! (no other name: a mistyped one would sit in the keyring unread), and removing a profile
//! with its secrets. Keyring calls run off the async threads.

use secrecy::SecretString;
use serde::Serialize;
use ts_rs::TS;

use std::sync::Arc;

use crate::audit::{AuditAction, Audited};
use crate::engine::Engine;
use crate::input_rules::shown;
use crate::off_thread;
use crate::store::moving_in::SecretsElsewhere;
use crate::vault::{Vault, VaultError};

use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::Invalid;

use super::{AppError, Problem, Result};

/// One secret a profile's gateway takes, and whether the keyring holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SecretState {
    pub key: String,
    /// Needed to pay; an optional one (TOP's `session`) is sent when it is set.
    pub required: bool,
    pub set: bool,
}

/// The secrets `gateway` takes, each with whether it is required: the ones it needs, then
/// the ones it sends when present.
fn secret_names(gateway: &str) -> Vec<(String, bool)> {
    paydesk_gateways::connector_for(gateway)
        .map(|c| {
            let capabilities = c.capabilities();
            let required = capabilities.required_secrets.into_iter().map(|k| (k, true));
            let optional = capabilities
                .optional_secrets
                .into_iter()
                .map(|k| (k, false));
            required.chain(optional).collect()
        })
        .unwrap_or_default()
}

/// The secrets the profile's gateway takes and whether each is in the keyring.
pub async fn states(engine: &Engine, profile: &str) -> Result<Vec<SecretState>> {
    let profile = engine.store().profile(profile).await?;
    let keys = secret_names(&profile.gateway);
    let vault = engine.vault();
    off_thread::run("the keyring call", move || {
        keys.into_iter()
            .map(|(key, required)| {
                let set = vault.get(&profile.vault_id, &key)?.is_some();
                Ok(SecretState { key, required, set })
            })
            .collect::<Result<Vec<_>, VaultError>>()
    })
    .await
    .map_err(VaultError::from)?
    .map_err(AppError::from)
}

/// The profile's keyring slot for `key`, if its gateway takes a secret of that name.
async fn secret_slot(engine: &Engine, profile: &str, key: &str) -> Result<String> {
    let profile = engine.store().profile(profile).await?;
    let names = secret_names(&profile.gateway);
    if !names.iter().any(|(k, _)| k == key) {
        let known = names.into_iter().map(|(k, _)| k).collect();
        let value = shown(key);
        return Err(Invalid::new(Field::SecretName, Rule::Unknown { value, known }).into());
    }
    Ok(profile.vault_id)
}

/// Writes one of the profile's secrets into the keyring. The value is never sent back.
pub async fn set(engine: &Engine, profile: &str, key: &str, value: SecretString) -> Result<()> {
    let vault_id = secret_slot(engine, profile, key).await?;
    let vault = engine.vault();
    let key_name = key.to_string();
    off_thread::run("the keyring call", move || {
        vault.set(&vault_id, &key_name, &value)
    })
    .await
    .map_err(VaultError::from)??;
    tracing::info!(profile = %profile, key = %key, "secret replaced");
    // Which secret, never its value.
    let entry = Audited::new(AuditAction::SecretSet, profile).with("key", key);
    engine.store().audit(&entry).await?;
    engine.store().profile_changed(profile);
    Ok(())
}

/// Deletes one of the profile's secrets from the keyring.
pub async fn delete(engine: &Engine, profile: &str, key: &str) -> Result<()> {
    let vault_id = secret_slot(engine, profile, key).await?;
    let vault = engine.vault();
    let key_name = key.to_string();
    off_thread::run("the keyring call", move || {
        vault.delete(&vault_id, &key_name)
    })
    .await
    .map_err(VaultError::from)??;
    tracing::info!(profile = %profile, key = %key, "secret deleted");
    let entry = Audited::new(AuditAction::SecretDeleted, profile).with("key", key);
    engine.store().audit(&entry).await?;
    engine.store().profile_changed(profile);
    Ok(())
}

/// Removes a profile that no order uses, then its secrets from the keyring. A profile with
/// orders stays: their history names it.
pub async fn remove_profile(engine: &Engine, name: &str) -> Result<()> {
    let profile = engine.store().profile(name).await?;
    let orders = engine.store().profile_order_count(name).await?;
    if orders > 0 || !engine.store().remove_profile(name).await? {
        return Err(AppError::new(
            Problem::ProfileInUse {
                profile: name.to_string(),
                orders,
            },
            format!(
                "profile {} has {orders} orders; their history keeps it",
                shown(name)
            ),
        ));
    }
    let keys = secret_names(&profile.gateway);
    let vault = engine.vault();
    off_thread::run("the keyring call", move || {
        keys.iter()
            .try_for_each(|(key, _)| vault.delete(&profile.vault_id, key))
    })
    .await
    .map_err(VaultError::from)??;
    tracing::info!(profile = %name, "profile removed with its secrets");
    let entry = Audited::new(AuditAction::ProfileRemoved, name);
    engine.store().audit(&entry).await?;
    Ok(())
}

/// Gives a profile that moved into a shared store the secrets this desk's keyring keeps for
/// it, under the shared profile's name, where that holds none yet: the desk pays with them as
/// before. The desk's own entries stay (its file still names them).
pub(super) async fn follow_moved_profiles(
    vault: &Arc<dyn Vault>,
    moved: &[SecretsElsewhere],
) -> Result<()> {
    let (vault, moved) = (vault.clone(), moved.to_vec());
    off_thread::run("the keyring call", move || {
        for profile in &moved {
            for (key, _) in secret_names(&profile.gateway) {
                if vault.get(&profile.there, &key)?.is_some() {
                    continue;
                }
                if let Some(secret) = vault.get(&profile.here, &key)? {
                    vault.set(&profile.there, &key, &secret)?;
                }
            }
        }
        Ok::<_, VaultError>(())
    })
    .await
    .map_err(VaultError::from)??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use paydesk_gateways::transport::Transport;
    use secrecy::ExposeSecret;

    use super::*;
    use crate::app::Problem;
    use crate::test_support::{add_order, add_profile, temp_store};
    use crate::vault::{MemoryVault, Vault};

    #[tokio::test]
    async fn only_the_secrets_a_gateway_takes_are_written_read_back_as_set_and_removed_with_the_profile(
    ) {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "top", "top").await;
        let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
        let engine = Engine::new(store.clone(), vault.clone(), Transport::default());
        let vault_id = store.profile("top").await.unwrap().vault_id;
        let expected = |set: &[bool]| -> Vec<SecretState> {
            [("app_secret", true), ("session", false)]
                .iter()
                .zip(set)
                .map(|((key, required), set)| SecretState {
                    key: key.to_string(),
                    required: *required,
                    set: *set,
                })
                .collect()
        };
        assert_eq!(
            states(&engine, "top").await.unwrap(),
            expected(&[false, false])
        );

        set(
            &engine,
            "top",
            "app_secret",
            SecretString::from("s3cret".to_string()),
        )
        .await
        .unwrap();
        assert_eq!(
            states(&engine, "top").await.unwrap(),
            expected(&[true, false])
        );
        let stored = vault.get(&vault_id, "app_secret").unwrap().unwrap();
        assert_eq!(stored.expose_secret(), "s3cret");

        // A name the gateway does not take is refused before the keyring is asked.
        let typo = set(
            &engine,
            "top",
            "app_secert",
            SecretString::from("x".to_string()),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&typo.problem, Problem::Invalid(_)) && typo.message.contains("app_secert"),
            "{typo:?}"
        );
        assert!(vault.get(&vault_id, "app_secert").unwrap().is_none());

        delete(&engine, "top", "app_secret").await.unwrap();
        assert!(vault.get(&vault_id, "app_secret").unwrap().is_none());

        // A profile with orders stays, secrets and all; one without goes with them.
        set(
            &engine,
            "top",
            "session",
            SecretString::from("sess".to_string()),
        )
        .await
        .unwrap();
        add_order(&store, "top", "T-1", "1.00", "").await;
        assert!(matches!(
            remove_profile(&engine, "top").await,
            Err(AppError {
                problem: Problem::ProfileInUse { orders: 1, .. },
                ..
            })
        ));
        assert!(vault.get(&vault_id, "session").unwrap().is_some());
        add_profile(&store, "spare", "top").await;
        let spare_id = store.profile("spare").await.unwrap().vault_id;
        set(
            &engine,
            "spare",
            "session",
            SecretString::from("sess".to_string()),
        )
        .await
        .unwrap();
        remove_profile(&engine, "spare").await.unwrap();
        assert!(vault.get(&spare_id, "session").unwrap().is_none());
        assert!(store.profile("spare").await.is_err());
    }

    #[tokio::test]
    async fn a_profile_that_moved_reads_this_desks_secrets_under_the_shared_name_where_it_has_none()
    {
        let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
        let secret = |v: &str| SecretString::from(v.to_string());
        vault.set("here", "app_secret", &secret("mine")).unwrap();
        vault.set("here", "session", &secret("my-session")).unwrap();
        vault
            .set("there", "session", &secret("their-session"))
            .unwrap();
        vault.set("here", "unrelated", &secret("x")).unwrap();
        let moved = SecretsElsewhere {
            profile: "top".into(),
            gateway: "top".into(),
            here: "here".into(),
            there: "there".into(),
        };
        follow_moved_profiles(&vault, &[moved]).await.unwrap();
        let read = |slot: &str, key: &str| {
            vault
                .get(slot, key)
                .unwrap()
                .map(|s| s.expose_secret().to_string())
        };
        assert_eq!(read("there", "app_secret").as_deref(), Some("mine"));
        assert_eq!(read("there", "session").as_deref(), Some("their-session"));
        assert_eq!(read("there", "unrelated"), None);
        assert_eq!(read("here", "app_secret").as_deref(), Some("mine"));
    }
}
