//! The vault against the real OS keyring (Secret Service over D-Bus; in CI, gnome-keyring in
//! a private D-Bus session). No mock here: this test fails when the keyring is unreachable.

use paydesk_core::vault::{KeyringVault, Vault};
use secrecy::{ExposeSecret, SecretString};

#[test]
fn stores_reads_replaces_and_deletes_a_secret_in_the_os_keyring() {
    let vault = KeyringVault::connect().expect("the OS keyring must be reachable for this test");
    let vault_id = format!("test-{}", std::process::id());
    let first = SecretString::from("first-secret-ÄÖ-中文-🙂".to_string());
    let second = SecretString::from("second-secret".to_string());

    assert!(vault.get(&vault_id, "token").unwrap().is_none());
    vault.set(&vault_id, "token", &first).unwrap();
    assert_eq!(
        vault
            .get(&vault_id, "token")
            .unwrap()
            .unwrap()
            .expose_secret(),
        first.expose_secret()
    );

    vault.set(&vault_id, "token", &second).unwrap();
    assert_eq!(
        vault
            .get(&vault_id, "token")
            .unwrap()
            .unwrap()
            .expose_secret(),
        "second-secret"
    );
    assert!(
        vault.get(&vault_id, "other").unwrap().is_none(),
        "keys are separate entries"
    );

    vault.delete(&vault_id, "token").unwrap();
    assert!(vault.get(&vault_id, "token").unwrap().is_none());
    vault.delete(&vault_id, "token").unwrap();
}

/// The process on the session bus that owns `name`, if any.
fn owner_pid(name: &str) -> Option<u32> {
    let out = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            &format!("string:{name}"),
        ])
        .output()
        .expect("dbus-send runs");
    let reply = String::from_utf8_lossy(&out.stdout);
    reply
        .split_whitespace()
        .skip_while(|w| *w != "uint32")
        .nth(1)
        .and_then(|pid| pid.parse().ok())
}

/// gnome-keyring can abort under concurrent clients; the session bus then starts a new
/// daemon, which knows nothing of this process's session. The vault asks again on a new
/// session instead of failing the cashier's payment. Kills the Secret Service daemon, so it
/// runs only where the test suite owns the session bus (`scripts/in-keyring-session.sh` sets
/// PAYDESK_TEST_PRIVATE_KEYRING=1; its keyring is a plain file, which a new daemon serves
/// without asking for a password).
#[test]
fn a_secret_service_daemon_that_dies_between_calls_costs_the_vault_nothing() {
    if std::env::var_os("PAYDESK_TEST_PRIVATE_KEYRING").is_none() {
        eprintln!(
            "skipped: the session bus is not the tests' own (PAYDESK_TEST_PRIVATE_KEYRING=1)"
        );
        return;
    }
    let vault = KeyringVault::connect().expect("the OS keyring must be reachable for this test");
    let vault_id = format!("restart-{}", std::process::id());
    let secret = SecretString::from("kept-across-a-restart".to_string());
    vault.set(&vault_id, "token", &secret).unwrap();

    let daemon = owner_pid("org.freedesktop.secrets").expect("a Secret Service daemon");
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &daemon.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    while owner_pid("org.freedesktop.secrets") == Some(daemon) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let read = vault
        .get(&vault_id, "token")
        .expect("read on a new session");
    assert_eq!(read.unwrap().expose_secret(), "kept-across-a-restart");
    assert_ne!(
        owner_pid("org.freedesktop.secrets"),
        Some(daemon),
        "a new daemon answered"
    );
    vault.delete(&vault_id, "token").unwrap();
    assert!(vault.get(&vault_id, "token").unwrap().is_none());
}
