//! The vault: gateway secrets in the OS keyring (Secret Service on Linux, through the
//! keyring-core family). Secrets go in write-only and come out only as `SecretString`s for a
//! connector to sign with; they are never written to SQLite, logs, errors or IPC.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::api::CredentialStoreApi;
use secrecy::{ExposeSecret, SecretString};

/// The keyring service name every paydesk secret is filed under.
pub const SERVICE: &str = "paydesk";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The OS keyring could not be reached (no Secret Service on the session bus, locked, ...).
    #[error("the OS keyring is not available: {0}")]
    Unavailable(String),
    #[error("the OS keyring refused the operation: {0}")]
    Refused(String),
    /// Refused before the keyring was asked (see `input_rules::check_secret`).
    #[error("{0}")]
    BadSecret(paydesk_gateways::Invalid),
}

/// A keyring call that did not finish (it panicked, or the runtime was stopping) is the
/// keyring failing, not the caller's input.
impl From<crate::off_thread::TaskStopped> for VaultError {
    fn from(stopped: crate::off_thread::TaskStopped) -> Self {
        VaultError::Refused(stopped.to_string())
    }
}

/// Where secrets are kept. The real one is [`KeyringVault`]; unit tests may use
/// [`MemoryVault`].
pub trait Vault: Send + Sync {
    fn set(&self, vault_id: &str, key: &str, value: &SecretString) -> Result<(), VaultError>;
    fn get(&self, vault_id: &str, key: &str) -> Result<Option<SecretString>, VaultError>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, vault_id: &str, key: &str) -> Result<(), VaultError>;
}

fn account(vault_id: &str, key: &str) -> String {
    format!("{vault_id}/{key}")
}

/// Keyring errors can carry platform text; none of it ever holds the secret (we never pass
/// the secret into an error path), but we keep only the kind to be sure.
fn describe(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::PlatformFailure(inner)
        | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
        keyring_core::Error::NoEntry => "no such entry".into(),
        keyring_core::Error::Ambiguous(_) => "more than one matching entry".into(),
        keyring_core::Error::TooLong(what, max) => format!("{what} is longer than {max}"),
        keyring_core::Error::Invalid(what, why) => format!("invalid {what}: {why}"),
        _ => "keyring error".into(),
    }
}

/// Runs one keyring call; a panic inside it (the keyring crates, D-Bus) becomes a refusal
/// instead of unwinding into the caller. Its message is dropped unread: it may quote the secret
/// being read or written, and a task's panic message travels on in its `JoinError` (which
/// callers print). The panic hook has already logged where it happened.
fn contained<T>(call: impl FnOnce() -> Result<T, VaultError>) -> Result<T, VaultError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|_| {
        Err(VaultError::Refused(
            "the keyring call stopped on an internal error (see paydesk.log)".into(),
        ))
    })
}

pub struct KeyringVault {
    store: Arc<zbus_secret_service_keyring_store::Store>,
}

impl KeyringVault {
    /// Connects to the Secret Service on the session bus.
    pub fn connect() -> Result<KeyringVault, VaultError> {
        let store = zbus_secret_service_keyring_store::Store::new()
            .map_err(|e| VaultError::Unavailable(describe(&e)))?;
        Ok(KeyringVault { store })
    }

    fn entry(&self, vault_id: &str, key: &str) -> Result<keyring_core::Entry, VaultError> {
        self.store
            .build(SERVICE, &account(vault_id, key), None)
            .map_err(|e| VaultError::Refused(describe(&e)))
    }
}

impl Vault for KeyringVault {
    fn set(&self, vault_id: &str, key: &str, value: &SecretString) -> Result<(), VaultError> {
        crate::input_rules::check_secret(key, value.expose_secret())
            .map_err(VaultError::BadSecret)?;
        contained(|| {
            paydesk_gateways::test_panic::point("vault_set", || {
                format!(
                    "test panic storing {}: {}",
                    account(vault_id, key),
                    value.expose_secret()
                )
            });
            self.entry(vault_id, key)?
                .set_password(value.expose_secret())
                .map_err(|e| VaultError::Refused(describe(&e)))
        })
    }

    fn get(&self, vault_id: &str, key: &str) -> Result<Option<SecretString>, VaultError> {
        contained(|| match self.entry(vault_id, key)?.get_password() {
            Ok(value) => {
                let value = SecretString::from(value);
                paydesk_gateways::test_panic::point("vault_get", || {
                    format!(
                        "test panic holding {}: {}",
                        account(vault_id, key),
                        value.expose_secret()
                    )
                });
                Ok(Some(value))
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(VaultError::Refused(describe(&e))),
        })
    }

    fn delete(&self, vault_id: &str, key: &str) -> Result<(), VaultError> {
        contained(|| match self.entry(vault_id, key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::Refused(describe(&e))),
        })
    }
}

/// An in-memory vault for unit tests of code above the vault.
#[derive(Default)]
pub struct MemoryVault {
    values: Mutex<HashMap<String, SecretString>>,
}

impl Vault for MemoryVault {
    fn set(&self, vault_id: &str, key: &str, value: &SecretString) -> Result<(), VaultError> {
        crate::input_rules::check_secret(key, value.expose_secret())
            .map_err(VaultError::BadSecret)?;
        let copy = SecretString::from(value.expose_secret().to_string());
        self.values
            .lock()
            .expect("lock")
            .insert(account(vault_id, key), copy);
        Ok(())
    }

    fn get(&self, vault_id: &str, key: &str) -> Result<Option<SecretString>, VaultError> {
        Ok(self
            .values
            .lock()
            .expect("lock")
            .get(&account(vault_id, key))
            .map(|v| SecretString::from(v.expose_secret().to_string())))
    }

    fn delete(&self, vault_id: &str, key: &str) -> Result<(), VaultError> {
        self.values
            .lock()
            .expect("lock")
            .remove(&account(vault_id, key));
        Ok(())
    }
}

/// A fresh random secret of `length` lowercase hex characters (so it is also valid ASCII key
/// material, e.g. a 32-byte AES key).
pub fn generate_secret(length: usize) -> SecretString {
    let mut text = String::with_capacity(length + 32);
    while text.len() < length {
        text.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    text.truncate(length);
    SecretString::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_keyring_call_is_a_refusal_that_quotes_nothing() {
        let secret = String::from("canary-vault-secret");
        let refused = contained::<()>(|| panic!("cannot store {secret}")).unwrap_err();
        assert!(matches!(refused, VaultError::Refused(_)), "{refused:?}");
        assert!(!refused.to_string().contains("canary"), "{refused}");
        assert!(matches!(contained(|| Ok(7)), Ok(7)));
    }
}
