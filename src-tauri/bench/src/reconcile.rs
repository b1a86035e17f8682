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
        let after = wrk(&url, &token, config.wrk_seconds);
        let capacity = (before + after) / 2.0;
        let rate = config.attempts as f64 / elapsed;
        shares.push(rate / capacity);
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
        }],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}
