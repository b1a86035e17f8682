//! Reconciling pending attempts against the sandbox, as a share of the sandbox's raw
//! capacity for the same status query measured with a load tool (wrk).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use paydesk_core::domain::{Attempt, AttemptState};
use paydesk_core::gateways::Channel;
use paydesk_core::pricing::PayCommand;
use paydesk_core::reconcile::BATCH;
use paydesk_core::settling::{AttemptUpdate, CheckVerdict};
use paydesk_core::store::Checked;

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::sql;
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

/// How long recording a pass's verdicts takes with nothing asked, paydesk's journal and the
/// sqlite3 shell doing the same job on a copy of the same store.
struct Recording {
    journal: f64,
    sqlite3: f64,
}

/// Times recording, with nothing asked, the verdicts a pass over `count` new pending attempts
/// records: each settled by its status answer, [`paydesk_core::reconcile::BATCH`] a commit,
/// one commit after another. First by `Store::record_checks`; then by the sqlite3 shell on a
/// copy of the store taken before, in the fewest statements that write the same: the
/// attempt's new state, its event and its audit entry (the order's latest state follows by
/// the schema's own trigger).
fn recording_alone(
    runtime: &tokio::runtime::Runtime,
    world: &PayWorld,
    gateway: &Gateway,
    dir: &Path,
    prefix: &str,
    count: usize,
) -> Recording {
    let orders = runtime.block_on(pending_attempts(world, gateway, prefix, count));
    let open: Vec<Attempt> = runtime.block_on(async {
        let mut open = Vec::with_capacity(count);
        for order_no in &orders {
            open.extend(world.store.attempts(order_no).await.expect("its attempt"));
        }
        open
    });
    assert_eq!(open.len(), count, "one attempt an order");
    let copy = dir.join("journal-copy.sqlite");
    let _ = std::fs::remove_file(&copy);
    // Through SQLite, not the file system: the file alone may lack what is still in the WAL.
    sql::shell(
        &dir.join("paydesk.sqlite"),
        &format!(".timeout 10000\nVACUUM INTO '{}';\n", copy.display()),
    )
    .expect("a copy of the store");

    let ids: Vec<i64> = open.iter().map(|a| a.id).collect();
    let checks: Vec<Checked> = open
        .into_iter()
        .map(|seen| {
            let update = AttemptUpdate {
                gateway_ref: seen.gateway_ref.clone(),
                detail: Some("paid".into()),
                ..AttemptUpdate::default()
            };
            Checked {
                seen,
                verdict: CheckVerdict::Settle(AttemptState::Succeeded, update),
                resent: false,
            }
        })
        .collect();
    let started = Instant::now();
    for batch in checks.chunks(BATCH) {
        let changed = runtime
            .block_on(world.store.record_checks(batch))
            .expect("recorded");
        assert_eq!(changed.len(), batch.len());
    }
    let journal = started.elapsed().as_secs_f64();

    let actor = world.store.actor();
    let text = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let (desk, operator) = (text(&actor.desk), text(&actor.operator));
    let now = paydesk_core::store::now_ms();
    let mut script = String::from("PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n");
    for batch in ids.chunks(BATCH) {
        let list = batch
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        script.push_str(&format!(
            "BEGIN IMMEDIATE;\n\
             UPDATE attempts SET state = 'succeeded', updated_at = {now}, next_check_at = NULL,\n\
               error_code = NULL, error_message = NULL\n\
             WHERE id IN ({list}) AND state = 'pending' AND checks = 0;\n\
             INSERT INTO attempt_events (attempt_id, state, detail, at, desk, operator)\n\
               SELECT id, 'succeeded', 'paid', {now}, {desk}, {operator} FROM attempts WHERE id IN ({list});\n\
             INSERT INTO audit (at, desk, operator, action, subject, detail)\n\
               SELECT {now}, {desk}, {operator}, 'status_settled', o.order_no,\n\
                 '{{\"attempt_id\":' || a.id || ',\"channel\":\"' || a.channel || '\",\"state\":\"' || a.state || '\"}}'\n\
               FROM attempts a JOIN orders o ON o.id = a.order_id WHERE a.id IN ({list}) ORDER BY a.id;\n\
             COMMIT;\n"
        ));
    }
    let (sqlite3_ms, _) = sql::shell(&copy, &script).expect("the same job in sqlite3");
    let (_, settled) = sql::shell(
        &copy,
        &format!(
            "SELECT count(*) FROM attempts WHERE state = 'succeeded' AND id IN ({});\n",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    )
    .expect("count");
    assert_eq!(
        settled.trim(),
        count.to_string(),
        "sqlite3 settled them all"
    );
    let _ = std::fs::remove_file(&copy);
    Recording {
        journal,
        sqlite3: sqlite3_ms / 1000.0,
    }
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
            seen_revision: None,
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
    let mut vs_floor = Vec::new();
    let mut floors = Vec::new();
    let mut journal_rates = Vec::new();
    let mut sqlite3_floors = Vec::new();
    let mut journal_vs_sqlite3 = Vec::new();
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
        let recording = recording_alone(
            &runtime,
            &world,
            &gateway,
            &dir,
            &format!("JOURNAL{round}-"),
            config.attempts,
        );
        // Both cores are busy while asking (the client and the sandbox), so recording adds its
        // time: asking, then recording, one after the other.
        let asking = config.attempts as f64 / client;
        let floor = config.attempts as f64 / (asking + recording.journal);
        sqlite3_floors.push(config.attempts as f64 / (asking + recording.sqlite3));
        journal_vs_sqlite3.push(recording.journal / recording.sqlite3);
        let after = wrk(&url, &token, config.wrk_seconds);
        let capacity = (before + after) / 2.0;
        let rate = config.attempts as f64 / elapsed;
        shares.push(rate / capacity);
        vs_client.push(rate / client);
        vs_floor.push(rate / floor);
        floors.push(floor);
        journal_rates.push(config.attempts as f64 / recording.journal);
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
        },
        Figure {
            id: "reconcile.vs_ask_then_record".into(),
            title: "Reconcile rate ÷ asking (the bare client) and then recording (the journal alone)".into(),
            ratio: Spread::of(&vs_floor),
            better: Better::Higher,
            subject: format!("`reconcile_all`: {}", show_rate(median(&rates))),
            baseline: format!(
                "the bare client's rate, then the same number of verdicts recorded by `Store::record_checks` with nothing asked ({}, {} per commit): {} ({:.0}% of wrk's)",
                show_rate(median(&journal_rates)),
                BATCH,
                show_rate(median(&floors)),
                median(&floors) / median(&capacities) * 100.0
            ),
            target: None,
            checks: vec![],
            rounds: config.rounds,
            checked: true,
        },
        Figure {
            id: "reconcile.journal_vs_sqlite3".into(),
            title: "Recording a pass's verdicts with nothing asked ÷ sqlite3 doing the same job".into(),
            ratio: Spread::of(&journal_vs_sqlite3),
            better: Better::Lower,
            subject: format!(
                "`Store::record_checks`: {}",
                show_rate(median(&journal_rates))
            ),
            baseline: format!(
                "the sqlite3 shell on a copy of the store, the same commits: each attempt's new state, event and audit entry; asking, then recording by sqlite3: {} ({:.0}% of wrk's)",
                show_rate(median(&sqlite3_floors)),
                median(&sqlite3_floors) / median(&capacities) * 100.0
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
