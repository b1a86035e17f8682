//! Pay overhead: `Engine::pay` against the same request sent raw to the same emulator
//! endpoint, and against one bare durable SQLite commit on the same disk.

use std::path::Path;
use std::time::Instant;

use paydesk_core::domain::AttemptState;
use paydesk_core::engine::Engine;
use paydesk_core::gateways::{connector_for, Channel, Currency, Money, PayRequest};
use paydesk_core::pricing::PayCommand;
use paydesk_core::store::Sending;

use crate::commit::BareDb;
use crate::figures::{Better, Check, Figure, GroupResult};
use crate::stats::{median, ms, percentile, show_ms, Spread};
use crate::world::{self, Gateway, GATEWAY};

pub struct Config {
    pub rounds: usize,
    pub per_round: usize,
}

pub fn run(work: &Path, config: &Config) -> GroupResult {
    let dir = world::fresh_dir(&work.join("pay"));
    let gateway = Gateway::start(2);
    let runtime = crate::engine_runtime();
    let Measured {
        pay,
        pay_memory,
        http,
        commit,
        commit_beside_keyring,
        steps,
    } = runtime.block_on(measure(&dir, &gateway, config));
    drop(runtime);
    drop(gateway);

    let mut vs_http = Vec::new();
    let mut vs_commit = Vec::new();
    let mut budget = Vec::new();
    let mut budget_memory = Vec::new();
    let mut floor = Vec::new();
    for round in 0..config.rounds {
        let (p, m, h, c) = (
            median(&pay[round]),
            median(&pay_memory[round]),
            median(&http[round]),
            median(&commit[round]),
        );
        let beside = median(&commit_beside_keyring[round]);
        vs_http.push(p / h);
        vs_commit.push(p / c);
        budget.push((p - h) / (2.0 * c + 1.0));
        budget_memory.push((m - h) / (2.0 * c + 1.0));
        floor.push((p - h) / (beside + c + 1.0));
    }
    let all = |rounds: &[Vec<f64>]| rounds.concat();
    let (pay_all, http_all, commit_all) = (all(&pay), all(&http), all(&commit));
    let memory_all = all(&pay_memory);
    let pay_p50 = median(&pay_all);
    let http_p50 = median(&http_all);
    let commit_p50 = median(&commit_all);
    let overhead = pay_p50 - http_p50;
    let overhead_memory = median(&memory_all) - http_p50;
    let allowed = 2.0 * commit_p50 + 1.0;
    let beside_p50 = median(&all(&commit_beside_keyring));
    let floor_allowed = beside_p50 + commit_p50 + 1.0;
    let pay_line = format!(
        "`Engine::pay`, secrets read from the OS keyring: p50 {}, p99 {}",
        show_ms(pay_p50),
        show_ms(percentile(&pay_all, 99.0))
    );
    let memory_line = format!(
        "`Engine::pay`, secrets read from a memory vault: p50 {}, p99 {}; overhead (p50) {}",
        show_ms(median(&memory_all)),
        show_ms(percentile(&memory_all, 99.0)),
        show_ms(overhead_memory)
    );
    let http_line = format!(
        "the same POST sent raw (reqwest, kept-alive connection): p50 {}, p99 {}",
        show_ms(http_p50),
        show_ms(percentile(&http_all, 99.0))
    );
    let commit_line = format!(
        "one bare durable commit (SQLite C API, WAL, synchronous=FULL): p50 {}, p99 {}",
        show_ms(commit_p50),
        show_ms(percentile(&commit_all, 99.0))
    );
    let budget_ratio = Spread::of(&budget);
    GroupResult {
        group: "pay".into(),
        setup: vec![
            format!(
                "{} rounds × {} payments, each payment interleaved with one raw request and one bare commit",
                config.rounds, config.per_round
            ),
            "SenseCore balance payments (succeed at once) against the sandbox on loopback, its own 2 threads; a fresh order each time".into(),
            "the profile's secret in the OS keyring (gnome-keyring in a private D-Bus session, as a desk reads it); each keyring payment interleaved with one whose engine reads a memory vault instead".into(),
            "the store and the bare database in the same directory on the same disk".into(),
        ],
        method: vec![
            "`Engine::pay` reads the order, its latest attempt and its profile (one statement), plans the payment, reads the profile's secrets from the keyring while it journals the attempt (one durable commit), signs and sends, and records the answer (a second durable commit).".into(),
            "The raw request is the connector's own request for another order of the same amount, sent with a plain reqwest client: the HTTP floor of a payment.".into(),
            "Overhead is pay − raw HTTP (p50); the budget is two bare durable commits + 1 ms.".into(),
            "The keyring's floor: a bare commit timed while the profile's secret is read from the keyring on another thread (as `Engine::pay` reads it while it journals), plus a bare commit and 1 ms.".into(),
            format!(
                "Where the overhead goes, the same store calls timed one by one (medians): {}.",
                steps
                    .iter()
                    .map(|(name, m)| format!("{name} {}", show_ms(*m)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ],
        figures: vec![
            Figure {
                id: "pay.vs_http".into(),
                title: "Pay ÷ raw HTTP request".into(),
                ratio: Spread::of(&vs_http),
                better: Better::Lower,
                subject: pay_line.clone(),
                baseline: http_line,
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
            Figure {
                id: "pay.vs_commit".into(),
                title: "Pay ÷ bare durable commit".into(),
                ratio: Spread::of(&vs_commit),
                better: Better::Lower,
                subject: pay_line,
                baseline: commit_line,
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
            Figure {
                id: "pay.overhead".into(),
                title: "Pay overhead ÷ (2 durable commits + 1 ms)".into(),
                ratio: budget_ratio,
                better: Better::Lower,
                subject: format!("overhead (pay − raw HTTP, p50) {}", show_ms(overhead)),
                baseline: format!("2 × bare commit + 1 ms = {}", show_ms(allowed)),
                target: Some(Check::at_most("ratio", budget_ratio.median, 1.0, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![Check::at_most("overhead", overhead, allowed, show_ms)],
                rounds: config.rounds,
                checked: false,
            },
            Figure {
                id: "pay.overhead_vs_keyring_floor".into(),
                title: "Pay overhead ÷ (a bare commit beside a keyring read + a bare commit + 1 ms)"
                    .into(),
                ratio: Spread::of(&floor),
                better: Better::Lower,
                subject: format!("overhead (pay − raw HTTP, p50) {}", show_ms(overhead)),
                baseline: format!(
                    "one bare commit while the same keyring read runs beside it (p50 {}) + a bare commit + 1 ms = {}",
                    show_ms(beside_p50),
                    show_ms(floor_allowed)
                ),
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: false,
            },
            Figure {
                id: "pay.overhead_memory_vault".into(),
                title: "Pay overhead, secrets in a memory vault ÷ (2 durable commits + 1 ms)".into(),
                ratio: Spread::of(&budget_memory),
                better: Better::Lower,
                subject: memory_line,
                baseline: format!("2 × bare commit + 1 ms = {}", show_ms(allowed)),
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: false,
            },
        ],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}

type Rounds = Vec<Vec<f64>>;

/// What `Engine::pay` does besides sending, step by step, each step's median: where the
/// overhead goes. `engine`'s vault is read as the secret's step, named `secret_step`.
pub(crate) async fn breakdown(
    world: &world::PayWorld,
    engine: &Engine,
    secret_step: &str,
    gateway: &Gateway,
    n: usize,
) -> Vec<(String, f64)> {
    let orders = world.add_orders(gateway, "STEP-", n).await;
    let vault = engine.vault();
    let profile = world.store.profile(&world.profile).await.expect("profile");
    let mut steps: Vec<(String, Vec<f64>)> = [
        "read the order, its latest attempt and its profile (one statement)",
        secret_step,
        "journal the attempt (durable commit)",
        "record the answer (durable commit)",
    ]
    .iter()
    .map(|s| (s.to_string(), Vec::new()))
    .collect();
    for (i, (order_no, minor)) in orders.iter().enumerate() {
        let mut lap = Instant::now();
        let mut split = |k: usize, steps: &mut Vec<(String, Vec<f64>)>| {
            steps[k].1.push(ms(lap.elapsed()));
            lap = Instant::now();
        };
        let (order, _, _) = world.store.payment_start(order_no).await.expect("order");
        split(0, &mut steps);
        let v = vault.clone();
        let id = profile.vault_id.clone();
        tokio::task::spawn_blocking(move || v.get(&id, "token"))
            .await
            .unwrap()
            .expect("secret");
        split(1, &mut steps);
        let attempt = world
            .store
            .begin_attempt(
                &order,
                "balance",
                &format!("{:032x}", i as u128 + 0x57e9),
                *minor,
                "[]",
                None,
                None,
                "[]",
                Sending {
                    sender: &world.sender,
                    timeout_ms: 30_000,
                },
            )
            .await
            .expect("journal");
        split(2, &mut steps);
        world
            .store
            .record(
                attempt.id,
                AttemptState::Succeeded,
                &paydesk_core::store::AttemptUpdate::default(),
            )
            .await
            .expect("record");
        split(3, &mut steps);
    }
    steps
        .into_iter()
        .map(|(name, times)| (name, median(&times)))
        .collect()
}

struct Measured {
    pay: Rounds,
    pay_memory: Rounds,
    http: Rounds,
    commit: Rounds,
    /// A bare commit with the profile's secret read from the keyring beside it, as a payment
    /// journals its attempt: the least a payment that reads the keyring can wait.
    commit_beside_keyring: Rounds,
    steps: Vec<(String, f64)>,
}

async fn measure(dir: &Path, gateway: &Gateway, config: &Config) -> Measured {
    let world = world::pay_world(dir, gateway).await;
    let keyring = world.keyring_engine().await;
    let bare = BareDb::open(&dir.join("bare.sqlite")).expect("a bare database");
    let warmup = 5;
    let n = config.rounds * config.per_round + warmup;
    let paid = world.add_orders(gateway, "PAY-", n).await;
    let paid_memory = world.add_orders(gateway, "MEM-", n).await;
    let raw = world.add_orders(gateway, "RAW-", n).await;
    let connector = connector_for(GATEWAY).expect("sensecore");
    let client = reqwest::Client::new();
    let settings = world
        .store
        .profile(&world.profile)
        .await
        .expect("profile")
        .settings;

    let mut pay = vec![Vec::new(); config.rounds];
    let mut pay_memory = vec![Vec::new(); config.rounds];
    let mut http = vec![Vec::new(); config.rounds];
    let mut commit = vec![Vec::new(); config.rounds];
    let mut commit_beside_keyring = vec![Vec::new(); config.rounds];
    let vault = keyring.vault();
    let vault_id = world
        .store
        .profile(&world.profile)
        .await
        .expect("profile")
        .vault_id;
    for i in 0..n {
        let round = i.checked_sub(warmup).map(|k| k / config.per_round);

        let pay_ms = timed_pay(&keyring, &paid[i].0).await;
        let memory_ms = timed_pay(&world.engine, &paid_memory[i].0).await;

        let (order_no, minor) = &raw[i];
        let request = connector
            .build_pay(
                &world.base_url,
                &PayRequest {
                    order_no: order_no.clone(),
                    amount: Money::from_minor(*minor, Currency::CNY),
                    subject: "bench".into(),
                    channel: Channel::Balance,
                    idempotency_key: format!("{:032x}", i as u128 + 0xbe7c4),
                    deductions: vec![],
                    settings: settings.clone(),
                    attributes: Default::default(),
                    coupon: None,
                    credit_amount: None,
                    subscription_refunds: Vec::new(),
                },
                &world.secrets,
            )
            .expect("a request");
        let request = reqwest::Request::try_from(request).expect("a reqwest request");
        let started = Instant::now();
        let response = client.execute(request).await.expect("the sandbox answers");
        let status = response.status();
        let body = response.bytes().await.expect("a body");
        let http_ms = ms(started.elapsed());
        assert!(
            status.is_success(),
            "raw pay: {status} {}",
            String::from_utf8_lossy(&body)
        );

        let started = Instant::now();
        bare.commit_one().expect("a bare commit");
        let commit_ms = ms(started.elapsed());

        let (v, id) = (vault.clone(), vault_id.clone());
        let started = Instant::now();
        let read = tokio::task::spawn_blocking(move || v.get(&id, "token"));
        bare.commit_one().expect("a bare commit");
        read.await.expect("a keyring read").expect("the secret");
        let beside_ms = ms(started.elapsed());

        if let Some(round) = round {
            pay[round].push(pay_ms);
            pay_memory[round].push(memory_ms);
            http[round].push(http_ms);
            commit[round].push(commit_ms);
            commit_beside_keyring[round].push(beside_ms);
        }
    }
    let steps = breakdown(
        &world,
        &keyring,
        "read the secret from the OS keyring (a blocking task)",
        gateway,
        config.per_round * 2,
    )
    .await;
    world.store.close().await;
    Measured {
        pay,
        pay_memory,
        http,
        commit,
        commit_beside_keyring,
        steps,
    }
}

/// One balance payment of `order_no` through `engine`, in ms; it must succeed.
pub(crate) async fn timed_pay(engine: &Engine, order_no: &str) -> f64 {
    let command = PayCommand {
        order_no: order_no.to_string(),
        channel: Channel::Balance,
        deductions: vec![],
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
        seen_revision: None,
    };
    let started = Instant::now();
    let attempt = engine.pay(&command).await.expect("pay");
    let elapsed = ms(started.elapsed());
    assert_eq!(attempt.state, AttemptState::Succeeded, "{attempt:?}");
    elapsed
}
