//! Reconciling pending attempts against the sandbox, as a share of the sandbox's raw
//! capacity for the same status query measured with a load tool (wrk).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use paydesk_core::domain::AttemptState;
use paydesk_core::gateways::Channel;
use paydesk_core::pricing::PayCommand;

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::stats::{median, show_ms, show_rate, thousands, Spread};
use crate::world::{self, Gateway, PayWorld};

pub struct Config {
    pub attempts: usize,
    pub rounds: usize,
    pub wrk_seconds: u32,
}

/// The load tool's connections and threads: enough to keep both cores of the sandbox busy.
const WRK_CONNECTIONS: u32 = 16;
const WRK_THREADS: u32 = 2;

/// Requests per second the sandbox answers for one status query, by wrk.
fn wrk(url: &str, token: &str, seconds: u32) -> f64 {
    let out = Command::new("wrk")
        .args([
            &format!("-t{WRK_THREADS}"),
            &format!("-c{WRK_CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "-H",
            &format!("authorization: Bearer {token}"),
            "-H",
            "accept: application/json",
            url,
        ])
        .output()
        .expect("wrk (install it: scripts/setup.sh --test)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "wrk failed: {text}");
    assert!(
        !text.contains("Non-2xx"),
        "the status query failed under load: {text}"
    );
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output: {text}"))
}

/// Status queries per second a bare HTTP client gets from the sandbox: the same GETs
/// `reconcile_all` sends for these orders, from the same runtime, as many in flight
/// ([`paydesk_core::reconcile::IN_FLIGHT`]), each answer read whole and nothing more done
/// with it. What asking alone can reach on this machine.
async fn bare_client(base_url: &str, token: &str, orders: &[String]) -> f64 {
    let client = reqwest::Client::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(
        paydesk_core::reconcile::IN_FLIGHT,
    ));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for order_no in orders {
        let request = client
            .get(format!("{base_url}/v1/orders/{order_no}"))
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "application/json");
        let permit = permits.clone().acquire_owned().await.unwrap();
        tasks.spawn(async move {
            let _permit = permit;
            let response = request.send().await.expect("the sandbox answers");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("a body").len()
        });
    }
    while let Some(read) = tasks.join_next().await {
        assert!(read.unwrap() > 0);
    }
    orders.len() as f64 / started.elapsed().as_secs_f64()
}

/// Pays `count` new orders on a channel that stays pending until its status is asked.
pub(crate) async fn pending_attempts(
    world: &PayWorld,
    gateway: &Gateway,
    prefix: &str,
    count: usize,
) -> Vec<String> {
    let orders = world.add_orders(gateway, prefix, count).await;
    let permits = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for (order_no, _) in &orders {
        let engine = world.engine.clone();
        let permit = permits.clone().acquire_owned().await.unwrap();
        let command = PayCommand {
            order_no: order_no.clone(),
            channel: Channel::Alipay,
            deductions: vec![],
            coupon: None,
            credit_amount: None,
            subscription_refunds: Vec::new(),
        };
        tasks.spawn(async move {
            let _permit = permit;
            engine.pay(&command).await.expect("pay").state
        });
    }
    while let Some(state) = tasks.join_next().await {
        assert_eq!(state.unwrap(), AttemptState::Pending);
    }
    orders.into_iter().map(|(o, _)| o).collect()
}

pub fn run(work: &Path, config: &Config) -> GroupResult {
    let dir = world::fresh_dir(&work.join("reconcile"));
    let gateway = Gateway::start(2);
    let runtime = crate::engine_runtime();
    let world = runtime.block_on(world::pay_world(&dir, &gateway));
    let token = world.secrets.expose("token").expect("token").to_string();

    let mut shares = Vec::new();
    let mut vs_client = Vec::new();
    let mut client_rates = Vec::new();
    let mut rates = Vec::new();
    let mut capacities = Vec::new();
    let mut times = Vec::new();
    for round in 0..config.rounds {
        let orders = runtime.block_on(pending_attempts(
            &world,
            &gateway,
            &format!("REC{round}-"),
            config.attempts,
        ));
        let url = format!("{}/v1/orders/{}", world.base_url, orders[0]);
        let before = wrk(&url, &token, config.wrk_seconds);
        let started = Instant::now();
        let changed = runtime
            .block_on(world.engine.reconcile_all())
            .expect("reconcile");
        let elapsed = started.elapsed().as_secs_f64();
        assert_eq!(
            changed.len(),
            config.attempts,
            "every pending attempt settled"
        );
        assert!(changed.iter().all(|a| a.state == AttemptState::Succeeded));
        let client = runtime.block_on(bare_client(&world.base_url, &token, &orders));
        let after = wrk(&url, &token, config.wrk_seconds);
        let capacity = (before + after) / 2.0;
        let rate = config.attempts as f64 / elapsed;
        shares.push(rate / capacity);
        vs_client.push(rate / client);
        client_rates.push(client);
        rates.push(rate);
        capacities.push(capacity);
        times.push(elapsed * 1000.0);
    }
    runtime.block_on(world.store.close());
    drop(runtime);
    drop(gateway);

    let share = Spread::of(&shares);
    GroupResult {
        group: "reconcile".into(),
        setup: vec![
            format!(
                "{} pending SenseCore Alipay attempts per round (paid through `Engine::pay`), {} rounds",
                thousands(config.attempts as i64),
                config.rounds
            ),
            format!(
                "wrk {WRK_THREADS} threads × {WRK_CONNECTIONS} connections × {} s on one order's status query, before and after each reconcile",
                config.wrk_seconds
            ),
            "the sandbox on its own runtime with 2 threads, on the same 2 cores as paydesk and wrk".into(),
        ],
        method: vec![
            format!("`Engine::reconcile_all` settles every open attempt: a status query each (GET /v1/orders/{{id}}), {} in flight, and the verdicts recorded durably, up to {} per commit as they arrive.", paydesk_core::reconcile::IN_FLIGHT, paydesk_core::reconcile::BATCH),
            "The share is attempts settled per second ÷ status queries per second the sandbox answers under wrk.".into(),
        ],
        figures: vec![Figure {
            id: "reconcile.share".into(),
            title: "Reconcile rate ÷ the sandbox's raw capacity".into(),
            ratio: share,
            better: Better::Higher,
            subject: format!(
                "`reconcile_all`: {} attempts in {} ({})",
                thousands(config.attempts as i64),
                show_ms(median(&times)),
                show_rate(median(&rates))
            ),
            baseline: format!("wrk: {}", show_rate(median(&capacities))),
            target: Some(Check::at_least("share", share.median, 0.5, |v| {
                format!("{:.0}%", v * 100.0)
            })),
            checks: vec![],
            rounds: config.rounds,
            checked: true,
        },
        Figure {
            id: "reconcile.vs_bare_client".into(),
            title: "Reconcile rate ÷ a bare HTTP client's rate for the same status queries".into(),
            ratio: Spread::of(&vs_client),
            better: Better::Higher,
            subject: format!("`reconcile_all`: {}", show_rate(median(&rates))),
            baseline: format!(
                "reqwest on the same runtime, {} in flight, each answer read and dropped: {} ({:.0}% of wrk's)",
                paydesk_core::reconcile::IN_FLIGHT,
                show_rate(median(&client_rates)),
                median(&client_rates) / median(&capacities) * 100.0
            ),
            target: None,
            checks: vec![],
            rounds: config.rounds,
            checked: true,
        }],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}
