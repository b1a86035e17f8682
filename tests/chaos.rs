//! Chaos: many payments across the gateways while the sandbox injects every kind of fault at
//! a high rate, then the storm passes and the reconciler settles what it can. The sandbox's
//! ledger is the judge: no order charged twice, no charge that paydesk does not report as
//! paid (or hand to a person), no success without a charge, nothing left in between.
//!
//! `PAYDESK_CHAOS_N` sets the number of payments (default 1,000; the documented run is 10,000).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::domain::{Attempt, AttemptState};
use paydesk_core::engine::Engine;
use paydesk_core::gateways::connector_for;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::pricing::PayCommand;
use paydesk_core::store::{HistoryFilter, NewOrder, NewProfile, Store};
use paydesk_core::vault::{MemoryVault, Vault};
use paydesk_core::{Currency, Money};
use paydesk_sandbox::faults::FaultPlan;
use paydesk_sandbox::{SandboxConfig, SandboxOrder};
use secrecy::SecretString;

/// Order attributes a gateway needs; partner pays one gift pack per order.
fn attributes(gateway: &str, n: usize) -> BTreeMap<String, String> {
    match gateway {
        "partner" => BTreeMap::from([
            (
                "user_id".to_string(),
                "41840909af844632885424fbc20cae79".to_string(),
            ),
            ("gift_pos_id".to_string(), format!("gift-pack-{n}")),
            ("address_id".to_string(), "1".to_string()),
        ]),
        _ => BTreeMap::new(),
    }
}

pub struct Verdict {
    pub attempts: usize,
    pub charges: usize,
    pub succeeded: usize,
    pub needs_review: usize,
    pub faults: HashMap<String, u64>,
}

async fn run_chaos(gateways: &[&str], n: usize, seed: u64) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("paydesk.sqlite"))
        .await
        .unwrap();
    let config = SandboxConfig {
        fault_seed: seed,
        ..SandboxConfig::default()
    };
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", config.clone())
        .await
        .unwrap();
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    // The client gives up well before an injected timeout answers.
    let engine = Engine::new(
        store.clone(),
        vault.clone(),
        Transport::new(Duration::from_millis(600)),
    );

    for gateway in gateways {
        let credentials = &config.gateways[*gateway];
        let profile = store
            .create_profile(&NewProfile {
                name: gateway.to_string(),
                gateway: gateway.to_string(),
                base_url: sandbox.base_url(gateway),
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
        let mut plan = FaultPlan::uniform(0.05);
        plan.hold_ms = Some(1_500);
        sandbox.faults.set_plan(gateway, plan).unwrap();
    }

    let mut orders = Vec::new();
    for i in 0..n {
        let gateway = gateways[i % gateways.len()];
        let order_no = format!("CHAOS-{gateway}-{i}");
        // BharatPay pays out rupees; the others charge yuan.
        let currency = if gateway == "debit" {
            Currency::INR
        } else {
            Currency::CNY
        };
        let amount = Money::from_minor(100 + (i as i64 * 7) % 90_000, currency);
        store
            .add_order(&NewOrder {
                order_no: order_no.clone(),
                profile: gateway.to_string(),
                amount,
                subject: "chaos".into(),
                attributes: attributes(gateway, i),
            })
            .await
            .unwrap();
        sandbox.ledger.register(
            gateway,
            SandboxOrder::new(&order_no, amount.minor, currency.code(), "chaos")
                .with_attributes(attributes(gateway, i)),
        );
        if gateway == "partner" {
            let attrs = attributes(gateway, i);
            paydesk_sandbox::bind_gift_order(
                &sandbox.ledger,
                &order_no,
                &attrs["user_id"],
                &attrs["gift_pos_id"],
            )
            .unwrap();
        }
        let channel = connector_for(gateway).unwrap().capabilities().channels[0];
        orders.push((order_no, channel));
    }

    // The storm: every payment once, 16 at a time.
    let permits = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for (order_no, channel) in orders.clone() {
        let engine = engine.clone();
        let permit = permits.clone().acquire_owned().await.unwrap();
        tasks.spawn(async move {
            let _permit = permit;
            let command = PayCommand {
                order_no,
                channel,
                deductions: vec![],
                coupon: None,
                credit_amount: None,
                subscription_refunds: Vec::new(),
                seen_revision: None,
            };
            engine
                .pay(&command)
                .await
                .map(|a| a.state)
                .map_err(|e| e.to_string())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined.unwrap() {
            panic!("a payment was refused outright: {e}");
        }
    }
    let faults = sandbox.faults.injected();

    // The storm passes; the reconciler settles everything it can.
    sandbox.faults.clear();
    // A lost answer is only ruled "not charged" once its request must have landed or died
    // (twice the transport's timeout): give the rounds time.
    for _round in 0..30 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let open: Vec<i64> = store
            .history(&HistoryFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|r| {
                matches!(
                    r.state,
                    AttemptState::Pending | AttemptState::Unknown | AttemptState::Submitting
                )
            })
            .map(|r| r.attempt_id)
            .collect();
        if open.is_empty() {
            break;
        }
        for id in open {
            let attempt: Attempt = store.attempt(id).await.unwrap();
            let _ = match attempt.state {
                AttemptState::Unknown => engine.settle_unknown(id).await,
                _ => engine.check_status(id).await,
            };
        }
    }

    judge(&store, &sandbox.ledger, faults).await
}

async fn judge(
    store: &Store,
    ledger: &paydesk_sandbox::Ledger,
    faults: HashMap<String, u64>,
) -> Verdict {
    let rows = store.history(&HistoryFilter::default()).await.unwrap();
    let charges = ledger.charges();
    // A gateway without an order number on the wire (debit) books the charge under the
    // attempt's idempotency key: map it back to the paydesk order it paid.
    let by_key: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.idempotency_key.as_str(), r.order_no.as_str()))
        .collect();
    let mut charges_per_order: HashMap<(String, String), usize> = HashMap::new();
    for charge in &charges {
        let order_no = by_key
            .get(charge.order_no.as_str())
            .copied()
            .unwrap_or(charge.order_no.as_str());
        *charges_per_order
            .entry((charge.gateway.clone(), order_no.to_string()))
            .or_default() += 1;
    }
    for ((gateway, order), count) in &charges_per_order {
        assert_eq!(
            *count, 1,
            "{gateway} order {order} was charged {count} times"
        );
    }
    let mut by_order: HashMap<&str, Vec<&paydesk_core::store::HistoryRow>> = HashMap::new();
    for row in &rows {
        by_order.entry(row.order_no.as_str()).or_default().push(row);
    }
    let mut needs_review = 0;
    let mut succeeded = 0;
    for row in &rows {
        assert!(
            row.state.is_terminal() || row.state == AttemptState::NeedsReview,
            "attempt {} of {} was left {}",
            row.attempt_id,
            row.order_no,
            row.state
        );
        let charged = charges_per_order.contains_key(&(row.gateway.clone(), row.order_no.clone()));
        match row.state {
            AttemptState::Succeeded => {
                succeeded += 1;
                assert!(
                    charged,
                    "phantom success: {} was never charged",
                    row.order_no
                );
            }
            AttemptState::NeedsReview => {
                needs_review += 1;
                let capabilities = connector_for(&row.gateway).unwrap().capabilities();
                assert!(
                    !capabilities.status_query && !capabilities.idempotency_key,
                    "{} went to a person although {} can be asked once the storm is over",
                    row.order_no,
                    row.gateway
                );
            }
            _ => {}
        }
    }
    for (gateway, order_no) in charges_per_order.keys() {
        let attempts = by_order
            .get(order_no.as_str())
            .unwrap_or_else(|| panic!("charge for an unknown order {order_no}"));
        let reported = attempts
            .iter()
            .any(|a| a.state == AttemptState::Succeeded || a.state == AttemptState::NeedsReview);
        assert!(
            reported,
            "lost payment: {gateway} charged {order_no} but paydesk says {:?}",
            attempts.iter().map(|a| a.state).collect::<Vec<_>>()
        );
        let gateway_can_tell = connector_for(gateway).unwrap().capabilities().status_query
            || connector_for(gateway)
                .unwrap()
                .capabilities()
                .idempotency_key;
        if gateway_can_tell {
            assert!(
                attempts.iter().any(|a| a.state == AttemptState::Succeeded),
                "{gateway} can be asked, yet {order_no} was not settled as paid"
            );
        }
    }
    Verdict {
        attempts: rows.len(),
        charges: charges.len(),
        succeeded,
        needs_review,
        faults,
    }
}

fn chaos_n() -> usize {
    std::env::var("PAYDESK_CHAOS_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_double_charge_no_lost_payment_under_faults() {
    let gateways = ["sensecore", "yian", "top", "partner", "debit"];
    let n = chaos_n();
    let verdict = run_chaos(&gateways, n, 42).await;
    let injected: u64 = verdict.faults.values().sum();
    eprintln!(
        "chaos: {n} payments, {} attempts, {} charges, {} succeeded, {} need review, faults {:?}",
        verdict.attempts, verdict.charges, verdict.succeeded, verdict.needs_review, verdict.faults
    );
    assert!(
        injected as f64 >= 0.2 * n as f64,
        "at least 20% of requests were faulted: {injected}"
    );
    for kind in [
        "Timeout",
        "ServerError",
        "Reset",
        "Malformed",
        "LostResponse",
    ] {
        assert!(
            verdict.faults.get(kind).copied().unwrap_or(0) > 0,
            "{kind} was injected"
        );
    }
    assert_eq!(
        verdict.attempts, n,
        "one attempt per payment: nothing was resent as a new attempt"
    );
}
