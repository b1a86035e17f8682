//! Who may touch a `submitting` attempt: one rule for Pay, Check status and the reconciler.
//! An attempt is taken over only when its sender is certainly gone or its own timeout (plus a
//! grace) has passed; the patience before believing "no such payment" is its sender's too.
//! Two engines on one SQLite file play two windows (or a window and the command line).

use std::sync::Arc;
use std::time::Duration;

use paydesk_core::domain::{Attempt, AttemptState};
use paydesk_core::engine::{Engine, PayError};
use paydesk_core::gateways::transport::Transport;
use paydesk_core::pricing::PayCommand;
use paydesk_core::store::{NewOrder, NewProfile, Store, StoreError};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_core::{Channel, Currency, Money};
use paydesk_sandbox::faults::FaultPlan;
use paydesk_sandbox::{RunningSandbox, SandboxConfig};
use secrecy::SecretString;

struct World {
    _dir: tempfile::TempDir,
    store: Store,
    vault: Arc<dyn Vault>,
    sandbox: RunningSandbox,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("paydesk.sqlite"))
        .await
        .unwrap();
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", SandboxConfig::default())
        .await
        .unwrap();
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let credentials = &SandboxConfig::default().gateways["debit"];
    let profile = store
        .create_profile(&NewProfile {
            name: "debit".into(),
            gateway: "debit".into(),
            base_url: sandbox.base_url("debit"),
            settings: credentials.settings.clone(),
            is_sandbox: true,
        })
        .await
        .unwrap();
    for (key, value) in &credentials.secrets {
        vault
            .set(&profile.vault_id, key, &SecretString::from(value.clone()))
            .unwrap();
    }
    World {
        _dir: dir,
        store,
        vault,
        sandbox,
    }
}

impl World {
    /// An engine (a window, a command) whose requests wait `timeout` for an answer.
    fn engine(&self, timeout: Duration) -> Engine {
        Engine::new(
            self.store.clone(),
            self.vault.clone(),
            Transport::new(timeout),
        )
    }

    async fn order(&self, order_no: &str) {
        self.store
            .add_order(&NewOrder {
                order_no: order_no.into(),
                profile: "debit".into(),
                amount: Money::parse("10.00", Currency::INR).unwrap(),
                subject: "takeover".into(),
                attributes: Default::default(),
            })
            .await
            .unwrap();
    }

    fn gateway(&self, kind: &str, value: &str, hold_ms: Option<&str>) {
        let mut plan = FaultPlan::default();
        plan.set(kind, value).unwrap();
        if let Some(hold) = hold_ms {
            plan.set("hold_ms", hold).unwrap();
        }
        self.sandbox.faults.set_plan("debit", plan).unwrap();
    }

    /// The order's one attempt, once its request is on its way.
    async fn submitting(&self, order_no: &str) -> Attempt {
        for _ in 0..200 {
            if let Some(attempt) = self.store.attempts(order_no).await.unwrap().pop() {
                return attempt;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no attempt was journaled for {order_no}");
    }

    fn payouts(&self) -> usize {
        self.sandbox
            .ledger
            .charges()
            .iter()
            .filter(|c| c.gateway == "debit")
            .count()
    }
}

fn command(order_no: &str) -> PayCommand {
    PayCommand {
        order_no: order_no.into(),
        channel: Channel::Bank,
        deductions: vec![],
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
        seen_revision: None,
    }
}

fn still_in_progress(result: Result<Attempt, PayError>) -> bool {
    matches!(
        result,
        Err(PayError::Store(StoreError::AttemptInProgress { .. }))
    )
}

#[tokio::test]
async fn a_payment_whose_sender_still_waits_is_left_alone_by_every_path() {
    let w = world().await;
    w.order("W-1").await;
    // The gateway answers after 1.5 s; the paying window waits up to 5 s.
    w.gateway("latency_ms", "1500", None);
    let paying = w.engine(Duration::from_secs(5));
    let pay = tokio::spawn(async move { paying.pay(&command("W-1")).await });
    let sent = w.submitting("W-1").await;
    assert_eq!(sent.state, AttemptState::Submitting);

    let other = w.engine(Duration::from_millis(600));
    assert!(still_in_progress(other.check_status(sent.id).await));
    assert!(still_in_progress(other.pay(&command("W-1")).await));
    assert!(other.reconcile_all().await.unwrap().is_empty());
    assert!(other.reconcile_due().await.unwrap().is_empty());
    assert_eq!(
        w.store.attempt(sent.id).await.unwrap().state,
        AttemptState::Submitting,
        "nothing changed while its sender waits"
    );

    let paid = pay.await.unwrap().unwrap();
    assert_eq!(paid.state, AttemptState::Succeeded, "{paid:?}");
    assert_eq!(w.payouts(), 1);
}

#[tokio::test]
async fn a_payment_whose_sending_task_was_dropped_is_settled_there_and_then() {
    let w = world().await;
    w.order("D-1").await;
    w.gateway("latency_ms", "1500", None);
    let paying = w.engine(Duration::from_secs(5));
    let pay = tokio::spawn(async move { paying.pay(&command("D-1")).await });
    let sent = w.submitting("D-1").await;
    // A window closed mid-payment: the task is gone, its process is not.
    pay.abort();
    let _ = pay.await;

    w.sandbox.faults.clear();
    let other = w.engine(Duration::from_millis(600));
    let settled = other.pay(&command("D-1")).await.unwrap();
    assert_eq!(settled.id, sent.id, "settled, not paid again");
    assert_ne!(settled.state, AttemptState::Submitting, "{settled:?}");
    assert_eq!(w.store.attempts("D-1").await.unwrap().len(), 1);
    assert!(w.payouts() <= 1);
}

#[tokio::test]
async fn no_such_payment_waits_for_the_senders_own_timeout_not_the_readers() {
    let w = world().await;
    w.order("P-1").await;
    // The gateway holds the request past the sender's 1.5 s and never acts on it.
    w.gateway("timeout", "1", Some("2500"));
    let sender = w.engine(Duration::from_millis(1500));
    let lost = sender.pay(&command("P-1")).await.unwrap();
    assert_eq!(lost.state, AttemptState::Unknown, "{lost:?}");
    assert_eq!(lost.sender_timeout_ms, Some(1500));
    w.sandbox.faults.clear();

    // A reader that waits 0.3 s asks at once: "order not found" cannot be believed yet,
    // since a request its sender gave 1.5 s may still land for up to twice that.
    let reader = w.engine(Duration::from_millis(300));
    let early = reader.check_status(lost.id).await.unwrap();
    assert_eq!(early.state, AttemptState::Unknown, "{early:?}");
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    let later = reader.check_status(lost.id).await.unwrap();
    assert_eq!(later.state, AttemptState::Failed, "{later:?}");
    assert_eq!(w.payouts(), 0);
}
