//! A payment whose request left but whose answer could not be written: never reported as
//! "nothing was sent", nothing pays the order again meanwhile, and a status query settles it
//! once the store takes writes again.

use std::sync::Arc;

use paydesk_gateways::transport::Transport;
use paydesk_gateways::Channel;
use paydesk_sandbox::{SandboxConfig, SandboxOrder};
use secrecy::SecretString;

use crate::app::error::{AppError, ErrorKind, Problem};
use crate::domain::AttemptState;
use crate::engine::{Engine, PayError};
use crate::pricing::PayCommand;
use crate::store::{NewProfile, Store, StoreError};
use crate::test_support::{cny, new_order, store_contract};
use crate::vault::{MemoryVault, Vault};

/// Makes the database refuse every change of an attempt still being sent: a stand-in for a
/// store that goes away (a dropped connection, a full disk) while the gateway answers.
async fn refuse_answers(store: &Store, refused: bool) {
    let sql = match (store.shared_pool().is_some(), refused) {
        (true, true) => {
            "CREATE FUNCTION refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'the server went away'; END $$;
             CREATE TRIGGER refuse_answer BEFORE UPDATE OF state ON attempts
             FOR EACH ROW WHEN (OLD.state = 'submitting') EXECUTE FUNCTION refuse_answer();"
        }
        (true, false) => "DROP TRIGGER refuse_answer ON attempts",
        (false, true) => {
            "CREATE TRIGGER refuse_answer BEFORE UPDATE OF state ON attempts
             WHEN OLD.state = 'submitting' BEGIN SELECT RAISE(ABORT, 'the disk went away'); END"
        }
        (false, false) => "DROP TRIGGER refuse_answer",
    };
    match store.shared_pool() {
        Some(pool) => sqlx::raw_sql(sql).execute(pool).await.map(drop),
        None => sqlx::raw_sql(sql).execute(store.pool()).await.map(drop),
    }
    .unwrap();
}

fn pay_s1() -> PayCommand {
    PayCommand {
        order_no: "S-1".into(),
        channel: Channel::Balance,
        deductions: vec![],
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
        seen_revision: None,
    }
}

store_contract! {
    async fn an_answer_that_cannot_be_written_is_reported_sent_and_settled_by_a_status_query(store) {
        let sandbox = paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
            .await
            .unwrap();
        let credentials = &SandboxConfig::default().gateways["sensecore"];
        let profile = store
            .create_profile(&NewProfile {
                name: "sc".into(),
                gateway: "sensecore".into(),
                base_url: sandbox.base_url("sensecore"),
                settings: credentials.settings.clone(),
                is_sandbox: true,
            })
            .await
            .unwrap();
        let vault = Arc::new(MemoryVault::default());
        for (key, value) in &credentials.secrets {
            vault
                .set(&profile.vault_id, key, &SecretString::from(value.clone()))
                .unwrap();
        }
        let engine = Engine::new(store.clone(), vault, Transport::default());
        store.add_order(&new_order("sc", "S-1", cny("9.90"))).await.unwrap();
        sandbox
            .ledger
            .register("sensecore", SandboxOrder::new("S-1", 990, "CNY", "unrecorded"));
        let charged = || sandbox.ledger.charges_for("sensecore", "S-1");

        refuse_answers(&store, true).await;
        let sent = engine.pay(&pay_s1()).await.unwrap_err();
        let PayError::SentNotRecorded {
            attempt_id,
            because,
            ..
        } = &sent
        else {
            panic!("not reported as sent: {sent:?}");
        };
        assert_eq!(
            *because,
            crate::engine::NotRecordedBecause::Other,
            "a trigger's refusal has no words of its own: the reason says it"
        );
        let attempt_id = *attempt_id;
        assert_eq!(charged(), 1, "the gateway took it");
        let words = sent.to_string();
        assert!(words.contains("was sent to the gateway"), "{words}");
        assert!(!words.contains("nothing was"), "{words}");
        let shown = AppError::from(sent);
        assert!(
            matches!(&shown.problem, Problem::SentNotRecorded { attempt_id: id, .. } if *id == attempt_id),
            "{shown:?}"
        );
        assert_eq!(shown.kind(), ErrorKind::InProgress);
        assert_eq!(
            store.attempt(attempt_id).await.unwrap().state,
            AttemptState::Submitting,
            "still journaled as being sent"
        );

        // Paying again while the store still refuses sends nothing new.
        engine.pay(&pay_s1()).await.unwrap_err();
        assert_eq!(charged(), 1);

        refuse_answers(&store, false).await;
        let settled = engine.settle_unknown(attempt_id).await.unwrap();
        assert_eq!(settled.state, AttemptState::Succeeded, "{settled:?}");
        assert_eq!(charged(), 1);
        assert!(matches!(
            engine.pay(&pay_s1()).await,
            Err(PayError::Store(StoreError::AlreadyPaid(_)))
        ));
        assert_eq!(charged(), 1);
    }
}

#[test]
fn why_an_answer_was_not_written_never_says_nothing_was_sent_nor_to_try_again() {
    use crate::engine::NotRecordedBecause::*;
    for (e, because) in [
        (
            StoreError::Offline {
                as_of: Some(1),
                schema_mismatch: None,
            },
            SharedStoreOffline,
        ),
        (StoreError::ReadOnly, ReadOnly),
        (
            StoreError::DiskFull("database or disk is full".into()),
            DiskFull,
        ),
        (
            StoreError::Busy("canceling statement due to lock timeout".into()),
            StoreBusy,
        ),
        (StoreError::Corrupt("a state of 'paid?'".into()), Other),
    ] {
        let why = crate::not_recorded::why_not_recorded(&e);
        assert!(!why.contains("nothing was"), "{why}");
        assert!(!why.contains("try again"), "{why}");
        // The window words these in the person's language, not the store's English.
        assert_eq!(crate::engine::NotRecordedBecause::of(&e), because, "{e}");
    }
}
