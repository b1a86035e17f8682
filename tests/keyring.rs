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
