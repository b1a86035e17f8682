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

type SecretServiceStore = Arc<zbus_secret_service_keyring_store::Store>;

pub struct KeyringVault {
    /// Replaced when the Secret Service loses the session (its daemon restarted).
    store: Mutex<SecretServiceStore>,
}

/// Whether a keyring failure may be the Secret Service having lost this process's session:
/// its daemon crashed or restarted (gnome-keyring can abort under concurrent clients, and the
/// session bus starts a new one), so the old session answers nothing or is unknown. Every
/// D-Bus failure is a platform failure; a locked keyring or a dismissed prompt is not, and is
/// never asked twice.
fn reconnect_may_help(e: &keyring_core::Error) -> bool {
    matches!(e, keyring_core::Error::PlatformFailure(_))
}

/// `call`, and once more on a fresh session when the first failure may be a lost session.
/// Safe for every vault call: a read reads again, a write replaces, a delete of nothing is
/// not an error.
fn once_more_on_a_new_session<S: Clone, T>(
    current: S,
    reconnect: impl FnOnce() -> keyring_core::Result<S>,
    call: impl Fn(&S) -> keyring_core::Result<T>,
) -> keyring_core::Result<T> {
    match call(&current) {
        Err(e) if reconnect_may_help(&e) => {
            tracing::warn!(error = %describe(&e), "the keyring call failed; asking again on a new session");
            call(&reconnect()?)
        }
        done => done,
    }
}

impl KeyringVault {
    /// Connects to the Secret Service on the session bus.
    pub fn connect() -> Result<KeyringVault, VaultError> {
        let connect = zbus_secret_service_keyring_store::Store::new;
        let store = match connect() {
            Err(e) if reconnect_may_help(&e) => connect(),
            done => done,
        }
        .map_err(|e| VaultError::Unavailable(describe(&e)))?;
        Ok(KeyringVault {
            store: Mutex::new(store),
        })
    }

    fn current(&self) -> SecretServiceStore {
        self.store.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn reconnect(&self) -> keyring_core::Result<SecretServiceStore> {
        let fresh = zbus_secret_service_keyring_store::Store::new()?;
        *self.store.lock().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        Ok(fresh)
    }

    /// `call` on the entry of `vault_id`'s `key`, with one new session if the old one is lost.
    fn on_entry<T>(
        &self,
        vault_id: &str,
        key: &str,
        call: impl Fn(&keyring_core::Entry) -> keyring_core::Result<T>,
    ) -> keyring_core::Result<T> {
        once_more_on_a_new_session(
            self.current(),
            || self.reconnect(),
            |store| call(&store.build(SERVICE, &account(vault_id, key), None)?),
        )
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
            self.on_entry(vault_id, key, |entry| {
                entry.set_password(value.expose_secret())
            })
            .map_err(|e| VaultError::Refused(describe(&e)))
        })
    }

    fn get(&self, vault_id: &str, key: &str) -> Result<Option<SecretString>, VaultError> {
        contained(
            || match self.on_entry(vault_id, key, |entry| entry.get_password()) {
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
            },
        )
    }

    fn delete(&self, vault_id: &str, key: &str) -> Result<(), VaultError> {
        contained(
            || match self.on_entry(vault_id, key, |entry| entry.delete_credential()) {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(VaultError::Refused(describe(&e))),
            },
        )
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

    fn failure(kind: &str) -> keyring_core::Error {
        let inner = || Box::new(std::io::Error::other(kind.to_string()));
        match kind {
            "platform" => keyring_core::Error::PlatformFailure(inner()),
            "no access" => keyring_core::Error::NoStorageAccess(inner()),
            "no entry" => keyring_core::Error::NoEntry,
            _ => keyring_core::Error::Invalid(kind.into(), "test".into()),
        }
    }

    /// Each case: what the calls answer in turn, whether a new session can be had, and then
    /// what the caller gets, after how many calls and new sessions.
    #[test]
    fn only_a_platform_failure_is_asked_once_more_on_a_new_session() {
        type Case = (
            &'static [&'static str],
            bool,
            Result<u8, &'static str>,
            usize,
            usize,
        );
        let cases: &[Case] = &[
            (&["ok"], true, Ok(7), 1, 0),
            (&["platform", "ok"], true, Ok(7), 2, 1),
            (&["platform", "platform"], true, Err("platform"), 2, 1),
            (&["platform"], false, Err("no session"), 1, 1),
            (&["no access", "ok"], true, Err("no access"), 1, 0),
            (&["no entry", "ok"], true, Err("no entry"), 1, 0),
            (&["invalid", "ok"], true, Err("invalid"), 1, 0),
        ];
        for (answers, can_reconnect, expected, expected_calls, expected_sessions) in cases {
            let calls = std::cell::Cell::new(0);
            let sessions = std::cell::Cell::new(0);
            let got = once_more_on_a_new_session(
                0u8,
                || {
                    sessions.set(sessions.get() + 1);
                    if *can_reconnect {
                        Ok(1u8)
                    } else {
                        Err(failure("no session"))
                    }
                },
                |session| {
                    let answer = answers[calls.get()];
                    calls.set(calls.get() + 1);
                    assert_eq!(usize::from(*session), calls.get() - 1, "a new session");
                    match answer {
                        "ok" => Ok(7),
                        kind => Err(failure(kind)),
                    }
                },
            );
            let got = got.map_err(|e| match e {
                keyring_core::Error::NoEntry => "no entry".to_string(),
                keyring_core::Error::Invalid(what, _) => what,
                keyring_core::Error::PlatformFailure(inner)
                | keyring_core::Error::NoStorageAccess(inner) => inner.to_string(),
                other => other.to_string(),
            });
            let case = format!("{answers:?} reconnect={can_reconnect}");
            assert_eq!(got, expected.map_err(String::from), "{case}");
            assert_eq!(calls.get(), *expected_calls, "calls, {case}");
            assert_eq!(sessions.get(), *expected_sessions, "new sessions, {case}");
        }
    }
}
