//! A profile's connection test against the sandbox over loopback HTTP: it says what it proved
//! (the host answers; the credentials accepted or refused where the gateway has a read that
//! cannot pay) and what it could not, and nothing it sends can move money.

use std::sync::Arc;

use paydesk_core::app::connection::{self, Credentials, NotChecked};
use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::store::{NewProfile, Store};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_sandbox::{RunningSandbox, SandboxConfig};
use secrecy::SecretString;

async fn add(
    engine: &Engine,
    sandbox: &RunningSandbox,
    name: &str,
    gateway: &str,
    secret: Option<&str>,
) {
    let listing = sandbox
        .listings()
        .into_iter()
        .find(|l| l.gateway == gateway)
        .unwrap();
    let settings = listing
        .settings
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let profile = engine
        .store()
        .create_profile(&NewProfile {
            name: name.into(),
            gateway: gateway.into(),
            base_url: listing.base_url.clone(),
            settings,
            is_sandbox: true,
        })
        .await
        .unwrap();
    for (key, value) in &listing.secrets {
        let value = secret.unwrap_or(value.as_str().unwrap());
        engine
            .vault()
            .set(
                &profile.vault_id,
                key,
                &SecretString::from(value.to_string()),
            )
            .unwrap();
    }
}

#[tokio::test]
async fn the_test_proves_what_it_can_and_says_what_it_could_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("paydesk.sqlite"))
        .await
        .unwrap();
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let engine = Engine::new(store, vault, Transport::default());
    add(&engine, &sandbox, "sc", "sensecore", None).await;
    add(
        &engine,
        &sandbox,
        "sc-wrong",
        "sensecore",
        Some("not-the-token"),
    )
    .await;
    add(&engine, &sandbox, "ya", "yian", None).await;
    add(
        &engine,
        &sandbox,
        "ya-wrong",
        "yian",
        Some("0000000000000000000000000000000000000000"),
    )
    .await;
    add(&engine, &sandbox, "db", "debit", None).await;
    add(&engine, &sandbox, "tp", "top", None).await;
    add(&engine, &sandbox, "pt", "partner", None).await;
    let before = sandbox.ledger.snapshot();

    let credentials = |name: &'static str| {
        let engine = engine.clone();
        async move {
            connection::test_connection(&engine, name)
                .await
                .unwrap()
                .credentials
        }
    };
    for name in ["sc", "ya", "db"] {
        assert!(
            matches!(credentials(name).await, Credentials::Accepted { .. }),
            "{name}"
        );
    }
    for name in ["sc-wrong", "ya-wrong"] {
        assert!(
            matches!(
                credentials(name).await,
                Credentials::Refused { status: 401 }
            ),
            "{name}"
        );
    }
    // TOP's only "status" call is a payment sent again; the partner has none: never asked.
    for name in ["tp", "pt"] {
        assert_eq!(
            credentials(name).await,
            Credentials::NotChecked {
                reason: NotChecked::NoHarmlessCall
            },
            "{name}"
        );
    }
    assert_eq!(
        sandbox.ledger.snapshot(),
        before,
        "nothing the tests sent changed the gateways' books"
    );
}
