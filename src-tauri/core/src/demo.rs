//! First run with nothing configured: a SANDBOX gateway profile with a generated token in
//! the keyring, and a handful of demo orders, so a first launch is a working console.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_gateways::{Currency, Money};
use secrecy::SecretString;

use crate::domain::Profile;
use crate::store::{NewOrder, NewProfile, Store, StoreError};
use crate::vault::{generate_token, Vault, VaultError};

/// The name of the built-in sandbox profile for each gateway.
pub fn sandbox_profile_name(gateway: &str) -> String {
    format!("sandbox-{gateway}")
}

/// A demo order: number, amount in the main unit, subject.
pub const DEMO_ORDERS: &[(&str, &str, &str)] = &[
    ("DEMO-1001", "12.34", "Cloud GPU hours (A100)"),
    ("DEMO-1002", "99.00", "Object storage, 1 TB month"),
    ("DEMO-1003", "0.01", "Test charge"),
    ("DEMO-1004", "1288.00", "Annual support plan"),
    ("DEMO-1005", "45.60", "Inference credits"),
];

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// Ensures the sandbox profile for `gateway` exists and has its secrets in the vault, and
/// returns it with the token the in-process sandbox must accept.
pub async fn ensure_sandbox_profile(
    store: &Store,
    vault: Arc<dyn Vault>,
    gateway: &str,
    settings: BTreeMap<String, String>,
) -> Result<(Profile, SecretString), SetupError> {
    let name = sandbox_profile_name(gateway);
    let profile = match store.profile(&name).await {
        Ok(p) => p,
        Err(StoreError::NoSuchProfile(_)) => {
            store
                .create_profile(&NewProfile {
                    name: name.clone(),
                    gateway: gateway.to_string(),
                    // Rewritten at every start to where the in-process sandbox listens.
                    base_url: "http://127.0.0.1:9".into(),
                    settings,
                    is_sandbox: true,
                })
                .await?
        }
        Err(e) => return Err(e.into()),
    };
    let vault_id = profile.vault_id.clone();
    let token = tokio::task::spawn_blocking(move || -> Result<SecretString, VaultError> {
        if let Some(existing) = vault.get(&vault_id, "token")? {
            return Ok(existing);
        }
        let token = generate_token();
        vault.set(&vault_id, "token", &token)?;
        Ok(token)
    })
    .await
    .map_err(|e| VaultError::Refused(e.to_string()))??;
    Ok((profile, token))
}

/// Adds the demo orders to a profile, once (existing ones are left alone).
pub async fn seed_demo_orders(store: &Store, profile: &str) -> Result<(), StoreError> {
    for (order_no, amount, subject) in DEMO_ORDERS {
        let added = store
            .add_order(&NewOrder {
                order_no: order_no.to_string(),
                profile: profile.to_string(),
                amount: Money::parse(amount, Currency::CNY).expect("valid demo amount"),
                subject: subject.to_string(),
                attributes: BTreeMap::new(),
            })
            .await;
        match added {
            Ok(_) | Err(StoreError::DuplicateOrder(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
