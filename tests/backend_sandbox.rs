//! The engine pays orders against the sandbox over real HTTP on loopback, into a real SQLite
//! file, and the sandbox's ledger is the judge of what was charged.

use std::collections::BTreeMap;
use std::sync::Arc;

use paydesk_core::domain::AttemptState;
use paydesk_core::engine::{Engine, PayError};
use paydesk_core::gateways::transport::Transport;
use paydesk_core::pricing::PayCommand;
use paydesk_core::store::{NewOrder, NewProfile, Store, StoreError};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_core::{Channel, Currency, Money};
use paydesk_sandbox::{RunningSandbox, SandboxConfig, SandboxOrder};
use secrecy::SecretString;

const TOKEN: &str = "integration-token-0123456789abcdef";

struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    engine: Engine,
    sandbox: RunningSandbox,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paydesk.sqlite");
    let store = Store::open(&db).await.unwrap();
    let mut config = SandboxConfig::default();
    config
        .gateways
        .get_mut("sensecore")
        .unwrap()
        .secrets
        .insert("token".into(), TOKEN.into());
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", config).await.unwrap();
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let engine = Engine::new(store, vault, Transport::default());
    World {
        _dir: dir,
        db,
        engine,
        sandbox,
    }
}

impl World {
    async fn profile(&self, name: &str, base_url: &str, token: &str) {
        let profile = self
            .engine
            .store()
            .create_profile(&NewProfile {
                name: name.into(),
                gateway: "sensecore".into(),
                base_url: base_url.into(),
                settings: BTreeMap::from([("billing_account_id".into(), "ba-1".into())]),
                is_sandbox: false,
            })
            .await
            .unwrap();
        self.engine
            .vault()
            .set(
                &profile.vault_id,
                "token",
                &SecretString::from(token.to_string()),
            )
            .unwrap();
    }

    /// Adds the order to paydesk and, when `known_to_gateway`, to the sandbox's order book.
    async fn order(&self, profile: &str, order_no: &str, amount: &str, known_to_gateway: bool) {
        let amount = Money::parse(amount, Currency::CNY).unwrap();
        self.engine
            .store()
            .add_order(&NewOrder {
                order_no: order_no.into(),
                profile: profile.into(),
                amount,
                subject: "integration".into(),
                attributes: BTreeMap::new(),
            })
            .await
            .unwrap();
        if known_to_gateway {
            self.sandbox.ledger.register(
                "sensecore",
                SandboxOrder::new(order_no, amount.minor, "CNY", "integration"),
            );
        }
    }

    async fn pay(
        &self,
        order_no: &str,
        channel: Channel,
    ) -> Result<paydesk_core::domain::Attempt, PayError> {
        self.engine
            .pay(&PayCommand {
                order_no: order_no.into(),
                channel,
                deductions: vec![],
                coupon: None,
                credit_amount: None,
                subscription_refunds: Vec::new(),
                seen_revision: None,
            })
            .await
    }
}

#[tokio::test]
async fn pays_once_and_the_result_survives_reopening_the_file() {
    let w = world().await;
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("sc", "ORD/1 ?#:", "12.34", true).await;

    let attempt = w.pay("ORD/1 ?#:", Channel::Balance).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Succeeded);
    assert_eq!(attempt.gateway_ref.as_deref(), Some("ORD/1 ?#:"));
    assert_eq!(w.sandbox.ledger.charges_for("sensecore", "ORD/1 ?#:"), 1);
    assert_eq!(w.sandbox.ledger.charges()[0].amount_minor, 1234);

    let again = w.pay("ORD/1 ?#:", Channel::Balance).await;
    assert!(
        matches!(again, Err(PayError::Store(StoreError::AlreadyPaid(_)))),
        "{again:?}"
    );
    assert_eq!(
        w.sandbox.ledger.charges_for("sensecore", "ORD/1 ?#:"),
        1,
        "never charged twice"
    );

    w.engine.store().close().await;
    let reopened = Store::open(&w.db).await.unwrap();
    let detail = reopened.order_detail("ORD/1 ?#:").await.unwrap();
    assert_eq!(detail.order.state, Some(AttemptState::Succeeded));
    let states: Vec<_> = detail.attempts[0].events.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            AttemptState::Created,
            AttemptState::Submitting,
            AttemptState::Succeeded
        ]
    );
}

#[tokio::test]
async fn vouchers_reduce_the_charge_exactly() {
    let w = world().await;
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("sc", "V-1", "100.00", true).await;
    let attempt = w
        .engine
        .pay(&PayCommand {
            order_no: "V-1".into(),
            channel: Channel::Credit,
            deductions: vec![
                ("v-a".into(), "0.01".into()),
                ("v-b".into(), "33.33".into()),
            ],
            coupon: None,
            credit_amount: None,
            subscription_refunds: Vec::new(),
            seen_revision: None,
        })
        .await
        .unwrap();
    assert_eq!(attempt.state, AttemptState::Succeeded);
    assert_eq!(attempt.amount_minor, 6666);
    assert_eq!(w.sandbox.ledger.charges()[0].amount_minor, 6666);
}

#[tokio::test]
async fn interactive_channels_are_pending() {
    let w = world().await;
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("sc", "A-1", "9.90", true).await;
    let attempt = w.pay("A-1", Channel::Alipay).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Pending);
    let second = w.pay("A-1", Channel::Balance).await;
    assert!(
        matches!(
            second,
            Err(PayError::Store(StoreError::AttemptInProgress { .. }))
        ),
        "{second:?}"
    );
}

#[tokio::test]
async fn gateway_refusals_fail_with_the_gateways_words_and_charge_nothing() {
    let w = world().await;
    w.profile(
        "wrong-token",
        &w.sandbox.base_url("sensecore"),
        "not-the-token",
    )
    .await;
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("wrong-token", "E-1", "1.00", true).await;
    w.order("sc", "E-2", "1.00", false).await;

    let unauth = w.pay("E-1", Channel::Balance).await.unwrap();
    assert_eq!(unauth.state, AttemptState::Failed);
    assert_eq!(unauth.error_code.as_deref(), Some("UNAUTHENTICATED"));

    let missing = w.pay("E-2", Channel::Balance).await.unwrap();
    assert_eq!(missing.state, AttemptState::Failed);
    assert_eq!(missing.error_code.as_deref(), Some("NOT_FOUND"));
    assert!(missing.error_message.unwrap().contains("E-2"));
    assert!(w.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn an_unreachable_gateway_fails_as_not_sent_and_a_new_attempt_may_follow() {
    let w = world().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    w.profile("down", &format!("http://127.0.0.1:{port}"), TOKEN)
        .await;
    w.order("down", "D-1", "5.00", false).await;
    let attempt = w.pay("D-1", Channel::Balance).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Failed);
    assert_eq!(attempt.error_code.as_deref(), Some("NOT_SENT"));
    let retry = w.pay("D-1", Channel::Balance).await.unwrap();
    assert_ne!(retry.idempotency_key, attempt.idempotency_key);
}

#[tokio::test]
async fn refusals_before_sending_change_nothing() {
    let w = world().await;
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("sc", "R-1", "1.00", true).await;
    let bank = w.pay("R-1", Channel::Bank).await;
    assert!(
        matches!(bank, Err(PayError::Refused(_) | PayError::Plan(_))),
        "{bank:?}"
    );
    let over = w
        .engine
        .pay(&PayCommand {
            order_no: "R-1".into(),
            channel: Channel::Balance,
            deductions: vec![("v".into(), "1.01".into())],
            coupon: None,
            credit_amount: None,
            subscription_refunds: Vec::new(),
            seen_revision: None,
        })
        .await;
    assert!(
        matches!(over, Err(PayError::Refused(_) | PayError::Plan(_))),
        "{over:?}"
    );
    let unknown = w.pay("NOPE", Channel::Balance).await;
    assert!(matches!(
        unknown,
        Err(PayError::Store(StoreError::NoSuchOrder(_)))
    ));
    assert!(w.engine.store().attempts("R-1").await.unwrap().is_empty());
    assert!(w.sandbox.ledger.charges().is_empty());
}

#[tokio::test]
async fn a_pending_payment_no_one_can_ask_about_goes_to_a_person_after_the_reconcilers_patience() {
    let w = world().await;
    let config = SandboxConfig::default();
    let profile = w
        .engine
        .store()
        .create_profile(&NewProfile {
            name: "pt".into(),
            gateway: "partner".into(),
            base_url: w.sandbox.base_url("partner"),
            settings: BTreeMap::new(),
            is_sandbox: true,
        })
        .await
        .unwrap();
    let key = config.secret("partner", "sign_key").to_string();
    w.engine
        .vault()
        .set(&profile.vault_id, "sign_key", &SecretString::from(key))
        .unwrap();
    let attributes = BTreeMap::from([
        ("user_id".to_string(), "u-1".to_string()),
        ("gift_pos_id".to_string(), "g-1".to_string()),
        ("address_id".to_string(), "1".to_string()),
    ]);
    let amount = Money::parse("3.00", Currency::CNY).unwrap();
    w.engine
        .store()
        .add_order(&NewOrder {
            order_no: "PT-P".into(),
            profile: "pt".into(),
            amount,
            subject: "gift".into(),
            attributes: attributes.clone(),
        })
        .await
        .unwrap();
    w.sandbox.ledger.register(
        "partner",
        SandboxOrder::new("PT-P", amount.minor, "CNY", "gift").with_attributes(attributes),
    );
    paydesk_sandbox::bind_gift_order(&w.sandbox.ledger, "PT-P", "u-1", "g-1").unwrap();

    let attempt = w.pay("PT-P", Channel::Alipay).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Pending);
    assert!(attempt.pay_url.is_some(), "the payer's Alipay URL is kept");
    let mut state = attempt.state;
    for _ in 0..paydesk_core::engine::MAX_INCONCLUSIVE_CHECKS - 1 {
        state = w.engine.check_status(attempt.id).await.unwrap().state;
        assert_eq!(state, AttemptState::Pending, "patience first");
    }
    state = w
        .engine
        .check_status(attempt.id)
        .await
        .map(|a| a.state)
        .unwrap_or(state);
    assert_eq!(state, AttemptState::NeedsReview);
    let events = w.engine.store().events(attempt.id).await.unwrap();
    assert!(events
        .last()
        .unwrap()
        .detail
        .as_deref()
        .unwrap()
        .contains("no status query"));
}

#[tokio::test]
async fn no_payment_found_only_counts_once_a_lost_request_must_have_landed() {
    let w = world().await;
    let engine = Engine::new(
        w.engine.store().clone(),
        w.engine.vault(),
        Transport::new(std::time::Duration::from_millis(300)),
    );
    w.profile("sc", &w.sandbox.base_url("sensecore"), TOKEN)
        .await;
    w.order("sc", "SLOW-1", "4.00", true).await;
    let mut held = paydesk_sandbox::faults::FaultPlan::default();
    held.set("timeout", "1").unwrap();
    held.set("hold_ms", "2000").unwrap();
    w.sandbox.faults.set_plan("sensecore", held).unwrap();
    let command = PayCommand {
        order_no: "SLOW-1".into(),
        channel: Channel::Balance,
        deductions: vec![],
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
        seen_revision: None,
    };
    let attempt = engine.pay(&command).await.unwrap();
    assert_eq!(attempt.state, AttemptState::Unknown);
    w.sandbox.faults.clear();

    let early = engine.check_status(attempt.id).await.unwrap();
    assert_eq!(
        early.state,
        AttemptState::Unknown,
        "the held request could still land"
    );
    tokio::time::sleep(std::time::Duration::from_millis(650)).await;
    let later = engine.check_status(attempt.id).await.unwrap();
    assert_eq!(
        later.state,
        AttemptState::Failed,
        "nothing landed: safe to pay again"
    );
    assert_eq!(later.error_code.as_deref(), Some("UNPAID"));
}

/// A 益安 profile "yian" at the sandbox, with its credentials; `is_sandbox` as the profile says.
async fn yian_profile(world: &World, is_sandbox: bool) {
    let credentials = &SandboxConfig::default().gateways["yian"];
    let profile = world
        .engine
        .store()
        .create_profile(&NewProfile {
            name: "yian".into(),
            gateway: "yian".into(),
            base_url: world.sandbox.base_url("yian"),
            settings: credentials.settings.clone(),
            is_sandbox,
        })
        .await
        .unwrap();
    for (key, value) in &credentials.secrets {
        world
            .engine
            .vault()
            .set(&profile.vault_id, key, &SecretString::from(value.clone()))
            .unwrap();
    }
}

/// An order of `amount` yuan on the 益安 profile, which 益安's order book prices at
/// `priced_fen`.
async fn yian_order(world: &World, order_no: &str, amount: &str, priced_fen: i64) {
    world
        .engine
        .store()
        .add_order(&NewOrder {
            order_no: order_no.into(),
            profile: "yian".into(),
            amount: Money::parse(amount, Currency::CNY).unwrap(),
            subject: "integration".into(),
            attributes: BTreeMap::new(),
        })
        .await
        .unwrap();
    world.sandbox.ledger.register(
        "yian",
        SandboxOrder::new(order_no, priced_fen, "CNY", "integration"),
    );
}

#[tokio::test]
async fn a_charge_for_another_amount_than_asked_goes_to_a_person_and_nothing_more_is_sent() {
    let world = world().await;
    yian_profile(&world, true).await;
    // 益安 prices a charge from its own order book, which here says ¥1.00 where paydesk's
    // order says ¥1.50.
    yian_order(&world, "Y-1", "1.50", 100).await;

    let attempt = world.pay("Y-1", Channel::Alipay).await.unwrap();
    assert_eq!(attempt.state, AttemptState::NeedsReview);
    assert_eq!(attempt.error_code.as_deref(), Some("AMOUNT_MISMATCH"));
    let why = attempt.error_message.clone().unwrap();
    assert!(why.contains("¥1.00") && why.contains("¥1.50"), "{why}");
    assert!(attempt
        .gateway_ref
        .as_deref()
        .is_some_and(|r| r.starts_with("ch_")));

    // A person decides; until then nothing more is sent, by the window or the reconciler.
    nothing_more_is_sent(&world, "Y-1", attempt.id).await;
}

#[tokio::test]
async fn a_test_mode_charge_answering_a_live_profile_goes_to_a_person_and_nothing_more_is_sent() {
    // A live profile pointed at a deployment in Ping++ test mode (here the sandbox, whose
    // charges are all `livemode: false`): its charges move no money, paid or not.
    let world = world().await;
    yian_profile(&world, false).await;
    yian_order(&world, "Y-2", "1.00", 100).await;

    let attempt = world.pay("Y-2", Channel::Alipay).await.unwrap();
    assert_eq!(attempt.state, AttemptState::NeedsReview);
    assert_eq!(attempt.error_code.as_deref(), Some("ANSWER_IN_OTHER_MODE"));
    let why = attempt.error_message.clone().unwrap();
    assert!(
        why.contains("test mode") && why.contains("live profile"),
        "{why}"
    );

    nothing_more_is_sent(&world, "Y-2", attempt.id).await;
}

/// A 益安 order waiting for a person: paying again is refused, the reconciler leaves it alone,
/// and the gateway holds its one charge.
async fn nothing_more_is_sent(world: &World, order_no: &str, attempt_id: i64) {
    assert!(matches!(
        world.pay(order_no, Channel::Alipay).await,
        Err(PayError::NeedsAPerson { .. })
    ));
    world.engine.reconcile_all().await.unwrap();
    let after = world.engine.store().attempt(attempt_id).await.unwrap();
    assert_eq!(after.state, AttemptState::NeedsReview);
    assert_eq!(world.sandbox.ledger.charges_for("yian", order_no), 1);
}

#[tokio::test]
async fn a_profile_at_a_gateways_test_environment_written_before_that_rule_pays_nothing() {
    // Written straight into the store, as a database from before the rule (or another desk's
    // older paydesk) holds it.
    let w = world().await;
    w.engine
        .store()
        .create_profile(&NewProfile {
            name: "tp".into(),
            gateway: "top".into(),
            base_url: "https://gw.api.tbsandbox.com/router/rest".into(),
            settings: BTreeMap::new(),
            is_sandbox: false,
        })
        .await
        .unwrap();
    w.order("tp", "T-1", "1.00", false).await;
    let refused = w.pay("T-1", Channel::Balance).await;
    assert!(
        matches!(&refused, Err(PayError::Invalid(i)) if i.to_string().contains("test environment")),
        "{refused:?}"
    );
    assert!(w.engine.store().attempts("T-1").await.unwrap().is_empty());
}
