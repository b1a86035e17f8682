//! The shared store on a PostgreSQL server (the one libpq's variables name: `scripts/bench.sh`
//! runs this group inside `pg_virtualenv`): pay overhead against two bare durable commits on
//! the same server + 1 ms, the time from a commit at one desk to the change on another desk's
//! feed against a bare INSERT + NOTIFY reaching a bare listener, reconciling with three desks
//! against one, and lookups against psql ([`crate::shared_lookups`]).

use std::path::Path;
use std::time::{Duration, Instant};

use paydesk_core::changes::Change;
use paydesk_core::gateways::{connector_for, Channel, Currency, Money, PayRequest};
use paydesk_core::store::{NewOrder, SchemaUpdate, Store};
use sqlx::postgres::{PgConnectOptions, PgListener};
use sqlx::{ConnectOptions, Connection, Executor};

use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::Transport;

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::stats::{median, ms, percentile, show_ms, show_rate, Spread};
use crate::world::{self, BulkShape, Gateway, GATEWAY};

pub struct Config {
    pub rounds: usize,
    pub per_round: usize,
    /// Pending attempts settled per reconcile round.
    pub attempts: usize,
    /// The lookups against psql.
    pub lookups: crate::lookups::Config,
}

/// Whether this run was given a server (libpq's `PGHOST` or `PGPORT`).
pub fn has_server() -> bool {
    std::env::var_os("PGHOST").is_some() || std::env::var_os("PGPORT").is_some()
}

type Rounds = Vec<Vec<f64>>;

struct Measured {
    pay: Rounds,
    http: Rounds,
    commit: Rounds,
    /// A bare durable INSERT that also tells the listening desks (a NOTIFY in the same
    /// statement), as each of a shared payment's two commits does.
    told_commit: Rounds,
    feed: Rounds,
    bare_feed: Rounds,
    /// Attempts settled per second by one desk, and by three sharing the work, per round.
    one_desk: Vec<f64>,
    three_desks: Vec<f64>,
    /// The payment's store calls timed one by one (medians).
    steps: Vec<(String, f64)>,
}

pub fn run(work: &Path, config: &Config) -> GroupResult {
    let dir = world::fresh_dir(&work.join("shared"));
    let gateway = Gateway::start(2);
    let runtime = crate::engine_runtime();
    let measured = runtime.block_on(measure(&dir, &gateway, config));
    drop(gateway);
    let (lookups, lookups_setup) = crate::shared_lookups::figures(&runtime, &dir, &config.lookups);
    drop(runtime);
    let mut result = report(config, &measured);
    result.figures.extend(lookups);
    result.setup.push(lookups_setup);
    result.method.push("Lookups as the SQLite lookups group measures them (paydesk's statements captured, the same values written in, the answers checked), against psql on the same database: paydesk's mean per call over psql's, whose own start-up is subtracted.".into());
    result
}

/// A fresh database on the server, its options.
async fn fresh_database() -> PgConnectOptions {
    let name = format!("paydesk_bench_{}", std::process::id());
    let mut admin = PgConnectOptions::new()
        .connect()
        .await
        .expect("the server (PGHOST…) answers");
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .expect("drop");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create");
    admin.close().await.expect("close");
    PgConnectOptions::new().database(&name)
}

async fn desk(dir: &Path, name: &str, server: &PgConnectOptions) -> Store {
    Store::open(&dir.join(format!("{name}.sqlite")))
        .await
        .expect("the desk's file")
        .with_shared_record(server.clone(), SchemaUpdate::IfOwner)
        .await
        .expect("the shared store")
}

async fn measure(dir: &Path, gateway: &Gateway, config: &Config) -> Measured {
    let server = fresh_database().await;
    let world = world::pay_world_on(desk(dir, "desk-1", &server).await, gateway).await;
    let other = desk(dir, "desk-2", &server).await;
    let mut bare = server.connect().await.expect("a bare connection");
    bare.execute("CREATE TABLE bare (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
        .await
        .expect("a bare table");
    crate::shared_lookups::fill(&mut bare, &history())
        .await
        .expect("the server's history");
    let mut bare_listener =
        PgListener::connect_with(&sqlx::PgPool::connect_lazy_with(server.clone()))
            .await
            .expect("a bare listener");
    bare_listener.listen("bare").await.expect("listen");

    let warmup = 5;
    let n = config.rounds * config.per_round + warmup;
    let paid = world.add_orders(gateway, "PAY-", n).await;
    let raw = world.add_orders(gateway, "RAW-", n).await;
    let connector = connector_for(GATEWAY).expect("sensecore");
    let client = reqwest::Client::new();
    let settings = world
        .store
        .profile(&world.profile)
        .await
        .expect("profile")
        .settings;
    let mut feed_at_other = other.subscribe();

    let mut m = Measured {
        pay: vec![Vec::new(); config.rounds],
        http: vec![Vec::new(); config.rounds],
        commit: vec![Vec::new(); config.rounds],
        told_commit: vec![Vec::new(); config.rounds],
        feed: vec![Vec::new(); config.rounds],
        bare_feed: vec![Vec::new(); config.rounds],
        one_desk: Vec::new(),
        three_desks: Vec::new(),
        steps: Vec::new(),
    };
    for i in 0..n {
        let round = i.checked_sub(warmup).map(|k| k / config.per_round);
        let pay_ms = crate::pay::timed_pay(&world.engine, &paid[i].0).await;

        let (order_no, minor) = &raw[i];
        let request = connector
            .build_pay(
                &world.base_url,
                &PayRequest {
                    order_no: order_no.clone(),
                    amount: Money::from_minor(*minor, Currency::CNY),
                    subject: "bench".into(),
                    channel: Channel::Balance,
                    idempotency_key: format!("{:032x}", i as u128 + 0x5a7e),
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
        assert!(response.status().is_success());
        response.bytes().await.expect("a body");
        let http_ms = ms(started.elapsed());

        let started = Instant::now();
        sqlx::query("INSERT INTO bare (v) VALUES ($1)")
            .bind("a bare commit")
            .execute(&mut bare)
            .await
            .expect("a bare commit");
        let commit_ms = ms(started.elapsed());

        // Every listening backend is woken by it, as by a payment's notice; nobody listens on
        // its channel, so no desk copies anything.
        let started = Instant::now();
        sqlx::query(
            "WITH i AS (INSERT INTO bare (v) VALUES ($1) RETURNING id) \
             SELECT pg_notify('bare_told', i.id::text) FROM i",
        )
        .bind("a commit that tells")
        .execute(&mut bare)
        .await
        .expect("a bare commit with its notice");
        let told_commit_ms = ms(started.elapsed());

        // Drain what the payments told the other desk, then time one order's way across.
        while feed_at_other.try_next().is_some() {}
        let order_no = format!("FEED-{i}");
        let started = Instant::now();
        world
            .store
            .add_order(&NewOrder {
                order_no: order_no.clone(),
                profile: world.profile.clone(),
                amount: Money::from_minor(100, Currency::CNY),
                subject: String::new(),
                attributes: Default::default(),
            })
            .await
            .expect("an order");
        arrived(&mut feed_at_other, &order_no).await;
        let feed_ms = ms(started.elapsed());

        let started = Instant::now();
        sqlx::query("INSERT INTO bare (v) VALUES ($1)")
            .bind(&order_no)
            .execute(&mut bare)
            .await
            .expect("a bare commit");
        sqlx::query("SELECT pg_notify('bare', $1)")
            .bind(&order_no)
            .execute(&mut bare)
            .await
            .expect("a bare notice");
        let heard = tokio::time::timeout(Duration::from_secs(10), bare_listener.recv())
            .await
            .expect("the bare notice arrives")
            .expect("a notification");
        assert_eq!(heard.payload(), order_no);
        let bare_feed_ms = ms(started.elapsed());

        if let Some(round) = round {
            m.pay[round].push(pay_ms);
            m.http[round].push(http_ms);
            m.commit[round].push(commit_ms);
            m.told_commit[round].push(told_commit_ms);
            m.feed[round].push(feed_ms);
            m.bare_feed[round].push(bare_feed_ms);
        }
    }
    m.steps = crate::pay::breakdown(
        &world,
        &world.engine,
        "read the secret (a memory vault)",
        gateway,
        config.per_round * 2,
    )
    .await;
    m.steps.extend(
        read_beside_bare_connection(&world, gateway, &mut bare, "READ-", config.per_round * 2)
            .await,
    );
    let third = desk(dir, "desk-3", &server).await;
    let desks: Vec<Engine> = [world.store.clone(), other.clone(), third.clone()]
        .into_iter()
        .map(|store| {
            Engine::new(
                store,
                world.engine.vault(),
                Transport::new(Duration::from_secs(30)),
            )
        })
        .collect();
    for round in 0..config.rounds.min(3) {
        for (share, sharing) in [
            (&mut m.one_desk, &desks[..1]),
            (&mut m.three_desks, &desks[..]),
        ] {
            let prefix = format!("REC{round}-{}-", sharing.len());
            crate::reconcile::pending_attempts(&world, gateway, &prefix, config.attempts).await;
            // This round's attempts only: the history's open ones are not the sandbox's.
            sqlx::query(
                "UPDATE attempts SET next_check_at = 0 WHERE state = 'pending'
                   AND order_id IN (SELECT id FROM orders WHERE starts_with(order_no, $1))",
            )
            .bind(&prefix)
            .execute(&mut bare)
            .await
            .expect("due now");
            let started = Instant::now();
            let mut settling = tokio::task::JoinSet::new();
            for engine in sharing {
                let engine = engine.clone();
                settling.spawn(async move {
                    let mut settled = 0;
                    loop {
                        let changed = engine.reconcile_due().await.expect("reconcile");
                        if changed.is_empty() {
                            return settled;
                        }
                        settled += changed.len();
                    }
                });
            }
            let settled: usize = settling.join_all().await.into_iter().sum();
            let elapsed = started.elapsed().as_secs_f64();
            assert_eq!(settled, config.attempts, "each attempt settled once");
            share.push(config.attempts as f64 / elapsed);
        }
    }
    world.store.close().await;
    other.close().await;
    third.close().await;
    m
}

/// A merchant's server is in use: orders and payments from a year ago until just before the
/// desks' copy window (so no desk copies them while payments are timed), analyzed as autovacuum
/// analyzes them. In a database made seconds before with no statistics, each desk connection
/// keeps the plans it made for empty tables while the payments pile up: the read a payment
/// starts from took 0.5 ms in this loop, against 0.17 ms once the tables were analyzed.
fn history() -> BulkShape {
    let rows = 10_000;
    let day = 24 * 3600 * 1000_i64;
    let start_ms = paydesk_core::store::now_ms() - 365 * day;
    BulkShape {
        rows,
        start_ms,
        step_ms: (365 - paydesk_core::store::DEFAULT_WINDOW_DAYS - 10) * day / rows,
    }
}

/// The statement a payment starts from, as paydesk sends it and as a bare connection sends the
/// same text with the same value, interleaved with nothing else running: what the driver and
/// the server cost, apart from what a payment's neighbours (the desks copying the last
/// payments) take from it.
async fn read_beside_bare_connection(
    world: &world::PayWorld,
    gateway: &Gateway,
    bare: &mut sqlx::PgConnection,
    prefix: &str,
    n: usize,
) -> Vec<(String, f64)> {
    let orders = world.add_orders(gateway, prefix, n).await;
    // The desks' copies of those orders are made before anything is timed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, statements) = crate::sql::capture(world.store.payment_start(&orders[0].0)).await;
    let statement = statements
        .into_iter()
        .find(|sql| sql.contains("AS latest"))
        .expect("the payment's first statement, captured");
    let (mut paydesk, mut driver) = (Vec::new(), Vec::new());
    for (order_no, _) in &orders {
        let started = Instant::now();
        world
            .store
            .payment_start(order_no)
            .await
            .expect("the order");
        paydesk.push(ms(started.elapsed()));
        let started = Instant::now();
        let row = sqlx::query(&statement)
            .bind(order_no)
            .fetch_optional(&mut *bare)
            .await
            .expect("the same statement");
        assert!(row.is_some(), "the bare connection found {order_no}");
        driver.push(ms(started.elapsed()));
    }
    vec![
        (
            "the same read with no payment around it".to_string(),
            median(&paydesk),
        ),
        (
            "its statement on a bare connection, interleaved".to_string(),
            median(&driver),
        ),
    ]
}

/// Waits for the change naming `order_no` on a desk's feed.
async fn arrived(feed: &mut paydesk_core::changes::Changes, order_no: &str) {
    let wait = async {
        loop {
            match feed.next().await {
                Some(Change::Orders { order_nos }) if order_nos.iter().any(|n| n == order_no) => {
                    return
                }
                Some(Change::Everything) => return,
                Some(_) => {}
                None => panic!("the feed closed"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the change reaches the other desk");
}

fn report(config: &Config, m: &Measured) -> GroupResult {
    let mut budget = Vec::new();
    let mut vs_commit = Vec::new();
    let mut feed_ratio = Vec::new();
    for round in 0..config.rounds {
        let (p, h, c) = (
            median(&m.pay[round]),
            median(&m.http[round]),
            median(&m.commit[round]),
        );
        budget.push((p - h) / (2.0 * c + 1.0));
        vs_commit.push(p / c);
        feed_ratio.push(median(&m.feed[round]) / median(&m.bare_feed[round]));
    }
    let all = |rounds: &Rounds| rounds.concat();
    let (pay, http, commit, feed, bare_feed) = (
        all(&m.pay),
        all(&m.http),
        all(&m.commit),
        all(&m.feed),
        all(&m.bare_feed),
    );
    let overhead = median(&pay) - median(&http);
    let allowed = 2.0 * median(&commit) + 1.0;
    let told_commit = all(&m.told_commit);
    let pay_line = format!(
        "`Engine::pay` on the shared store: p50 {}, p99 {}; the same POST raw: p50 {}",
        show_ms(median(&pay)),
        show_ms(percentile(&pay, 99.0)),
        show_ms(median(&http))
    );
    let commit_line = format!(
        "one bare durable INSERT on the same server (autocommit): p50 {}, p99 {}",
        show_ms(median(&commit)),
        show_ms(percentile(&commit, 99.0))
    );
    let budget_ratio = Spread::of(&budget);
    let feed_p99 = percentile(&feed, 99.0);
    let sharing: Vec<f64> = m
        .three_desks
        .iter()
        .zip(&m.one_desk)
        .map(|(three, one)| three / one)
        .collect();
    GroupResult {
        group: "shared".into(),
        setup: vec![
            format!(
                "{} rounds × {} payments at one desk of a shared store (a PostgreSQL server on this machine, fsync on), a second desk listening",
                config.rounds, config.per_round
            ),
            "SenseCore balance payments against the sandbox on loopback, its own 2 threads".into(),
        ],
        method: vec![
            "Pay overhead is pay − raw HTTP (p50), over two bare durable commits on the same server + 1 ms: the budget the issue sets for a shared desk.".into(),
            format!(
                "Where the overhead goes, the same store calls timed one by one (medians): {}.",
                m.steps
                    .iter()
                    .map(|(name, t)| format!("{name} {}", show_ms(*t)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            format!("Reconcile: {} pending attempts made due, settled by one desk's `reconcile_due` passes, then as many by three desks' at once (each pass claims its attempts, SKIP LOCKED, so no two desks ask about one); the figure is the three desks' rate over the one desk's. The desks, the server and the sandbox share this machine's 2 cores.", config.attempts),
            "Commit to feed: an order added at one desk until the other desk's change feed names it (the store's NOTIFY after the commit, the other desk's listener); the floor is a bare INSERT then pg_notify on one connection until a bare LISTEN connection hears it.".into(),
        ],
        figures: vec![
            Figure {
                id: "shared.pay_vs_commit".into(),
                title: "Shared pay ÷ bare durable commit".into(),
                ratio: Spread::of(&vs_commit),
                better: Better::Lower,
                subject: pay_line.clone(),
                baseline: commit_line.clone(),
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
            Figure {
                id: "shared.pay_overhead".into(),
                title: "Shared pay overhead ÷ (2 durable commits + 1 ms)".into(),
                ratio: budget_ratio,
                better: Better::Lower,
                subject: format!("overhead (pay − raw HTTP, p50) {}", show_ms(overhead)),
                baseline: format!(
                    "2 × bare commit + 1 ms = {} (a bare commit that also tells the listening desks, a NOTIFY in the same statement: p50 {})",
                    show_ms(allowed),
                    show_ms(median(&told_commit))
                ),
                target: Some(Check::at_most("ratio", budget_ratio.median, 1.0, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![Check::at_most("overhead", overhead, allowed, show_ms)],
                rounds: config.rounds,
                checked: false,
            },
            Figure {
                id: "shared.reconcile_three_desks".into(),
                title: "Reconcile: three desks sharing ÷ one desk".into(),
                ratio: Spread::of(&sharing),
                better: Better::Higher,
                subject: format!(
                    "three desks: {}",
                    show_rate(median(&m.three_desks))
                ),
                baseline: format!("one desk: {}", show_rate(median(&m.one_desk))),
                // Desks sharing the work must not slow it down.
                target: Some(Check::at_least(
                    "ratio",
                    Spread::of(&sharing).median,
                    1.0,
                    |v| format!("{v:.2}×"),
                )),
                checks: vec![],
                rounds: sharing.len(),
                checked: true,
            },
            Figure {
                id: "shared.commit_to_feed".into(),
                title: "Commit at one desk → another desk's feed ÷ bare NOTIFY".into(),
                ratio: Spread::of(&feed_ratio),
                better: Better::Lower,
                subject: format!(
                    "add_order at desk 1 until desk 2's feed names it: p50 {}, p99 {}",
                    show_ms(median(&feed)),
                    show_ms(feed_p99)
                ),
                baseline: format!(
                    "bare INSERT + pg_notify until a bare listener hears it: p50 {}, p99 {}",
                    show_ms(median(&bare_feed)),
                    show_ms(percentile(&bare_feed, 99.0))
                ),
                target: None,
                checks: vec![Check::at_most("p99", feed_p99, 1000.0, show_ms)],
                rounds: config.rounds,
                checked: true,
            },
        ],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}
