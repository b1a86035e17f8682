//! Lookups at a million attempts: every reference kind and the console's filtered pages,
//! against the sqlite3 shell running the same statements with the same values on the same
//! file.

use std::path::Path;
use std::time::Instant;

use paydesk_core::console::{OrderQuery, OrderSort, TextMatch};
use paydesk_core::domain::AttemptState;
use paydesk_core::store::{HistoryFilter, NewProfile, Store};
use sqlx::{Connection, Row};

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::sql::{self, Value};
use crate::stats::{mean, ms, percentile, show_ms, thousands, Spread};
use crate::world::{self, BulkShape};

pub struct Config {
    pub rows: i64,
    pub rounds: usize,
    pub samples: usize,
    /// How long the shell should work per round, ms.
    pub shell_ms: f64,
    /// How long paydesk's calls of one kind may take per round, ms (fewer values if slow).
    pub round_ms: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Order,
    AttemptByKey,
    LookupOrderNo,
    LookupGatewayRef,
    LookupKey,
    LookupPayUrl,
    TypedSearch,
    FirstPage,
    ConsolePage,
    HistoryPage,
}

const KINDS: [Kind; 10] = [
    Kind::Order,
    Kind::AttemptByKey,
    Kind::LookupOrderNo,
    Kind::LookupGatewayRef,
    Kind::LookupKey,
    Kind::LookupPayUrl,
    Kind::TypedSearch,
    Kind::FirstPage,
    Kind::ConsolePage,
    Kind::HistoryPage,
];

pub(crate) const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

impl Kind {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::AttemptByKey => "attempt_by_key",
            Kind::LookupOrderNo => "lookup_order_no",
            Kind::LookupGatewayRef => "lookup_gateway_ref",
            Kind::LookupKey => "lookup_idempotency_key",
            Kind::LookupPayUrl => "lookup_pay_url",
            Kind::TypedSearch => "typed_search",
            Kind::FirstPage => "first_page",
            Kind::ConsolePage => "console_page",
            Kind::HistoryPage => "history_page",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Kind::Order => "`Store::order` by order number",
            Kind::AttemptByKey => "`Store::attempt_by_key` by idempotency key",
            Kind::LookupOrderNo => "console lookup by order number",
            Kind::LookupGatewayRef => "console lookup by gateway reference",
            Kind::LookupKey => "console lookup by idempotency key",
            Kind::LookupPayUrl => "console lookup by pay URL",
            Kind::TypedSearch => "console search as typed (8-character prefix, 100 matches, a 100-row page with its count)",
            Kind::FirstPage => "console's first page: every order, newest first (100 rows with the count)",
            Kind::ConsolePage => "console page: state + channel + one week, newest first (50 rows with the count)",
            Kind::HistoryPage => "history page: state + channel + since a date, newest first (50 rows)",
        }
    }

    fn is_page(self) -> bool {
        matches!(
            self,
            Kind::TypedSearch | Kind::FirstPage | Kind::ConsolePage | Kind::HistoryPage
        )
    }

    /// The latency target at p99, ms.
    fn p99_target(self) -> f64 {
        if self.is_page() {
            10.0
        } else {
            1.0
        }
    }
}

/// One set of values to look up, all from the same attempt.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub order_no: String,
    pub key: String,
    pub gateway_ref: String,
    pub pay_url: String,
    pub week_from: i64,
}

/// What a statement gave: this many rows, one row holding a JSON array of this many rows, or
/// one row holding a count and such an array (a page with its total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Rows(usize),
    JsonRows(usize),
    Page(i64, usize),
}

pub(crate) fn order_query(kind: Kind, s: &Sample) -> OrderQuery {
    match kind {
        Kind::TypedSearch => OrderQuery {
            text: Some(s.order_no[..8].to_string()),
            sort: OrderSort::Created,
            descending: true,
            offset: 0,
            limit: 100,
            ..OrderQuery::default()
        },
        Kind::FirstPage => OrderQuery {
            sort: OrderSort::Created,
            descending: true,
            offset: 0,
            limit: 100,
            ..OrderQuery::default()
        },
        _ => OrderQuery {
            state: Some(AttemptState::Succeeded),
            channel: Some("wechat".into()),
            from_ms: Some(s.week_from),
            to_ms: Some(s.week_from + WEEK_MS),
            sort: OrderSort::Created,
            descending: true,
            offset: 0,
            limit: 50,
            ..OrderQuery::default()
        },
    }
}

fn history_filter(s: &Sample) -> HistoryFilter {
    HistoryFilter {
        state: Some(AttemptState::Succeeded),
        channel: Some("wechat".into()),
        since_ms: Some(s.week_from),
        limit: Some(50),
        ..HistoryFilter::default()
    }
}

/// Runs one lookup the way the window or the command line does; returns what each
/// statement it ran should have answered.
pub(crate) async fn run_kind(store: &Store, kind: Kind, s: &Sample) -> Vec<Answer> {
    let lookup = |text: &str| {
        let text = text.to_string();
        async move {
            let hits = store.lookup(&text, 50).await.expect("lookup");
            assert_eq!(hits.len(), 1, "{kind:?} {text}: {hits:?}");
            vec![Answer::Rows(hits.len())]
        }
    };
    match kind {
        Kind::Order => {
            store.order(&s.order_no).await.expect("order");
            vec![Answer::Rows(1)]
        }
        Kind::AttemptByKey => {
            let found = store.attempt_by_key(&s.key).await.expect("attempt");
            assert!(found.is_some(), "{}", s.key);
            vec![Answer::Rows(1)]
        }
        Kind::LookupOrderNo => lookup(&s.order_no).await,
        Kind::LookupGatewayRef => lookup(&s.gateway_ref).await,
        Kind::LookupKey => lookup(&s.key).await,
        Kind::LookupPayUrl => lookup(&s.pay_url).await,
        Kind::TypedSearch | Kind::FirstPage | Kind::ConsolePage => {
            let page = store
                .query_orders(&order_query(kind, s))
                .await
                .expect("query_orders");
            assert!(!page.rows.is_empty(), "{kind:?} {s:?}");
            let page = Answer::Page(page.total, page.rows.len());
            if kind == Kind::TypedSearch {
                // First, how common each of the text's trigrams is (one row).
                vec![Answer::Rows(1), page]
            } else {
                vec![page]
            }
        }
        Kind::HistoryPage => {
            let rows = store.history(&history_filter(s)).await.expect("history");
            assert!(!rows.is_empty());
            vec![Answer::JsonRows(rows.len())]
        }
    }
}

/// The values each statement of a lookup binds, in the order paydesk binds them (`text`: how
/// the typed search's text is matched, which depends on the store). A mistake here cannot pass
/// unnoticed: the shell's answers are compared with paydesk's.
pub(crate) fn bound_values(kind: Kind, s: &Sample, typed: &TextMatch) -> Vec<Vec<Value>> {
    let text = |v: &str| Value::Text(v.to_string());
    match kind {
        Kind::Order => vec![vec![text(&s.order_no)]],
        Kind::AttemptByKey => vec![vec![text(&s.key)]],
        Kind::LookupOrderNo => vec![vec![text(&s.order_no)]],
        Kind::LookupGatewayRef => vec![vec![text(&s.gateway_ref)]],
        Kind::LookupKey => vec![vec![text(&s.key)]],
        Kind::LookupPayUrl => vec![vec![text(&s.pay_url)]],
        Kind::TypedSearch => {
            let q = order_query(kind, s);
            assert_eq!(Some(&typed.text), q.text.as_ref());
            assert!(!typed.probed.is_empty(), "{typed:?}");
            let probe = typed
                .probed
                .iter()
                .map(|v| Value::Text(v.clone()))
                .collect();
            // The matches (found once), then the page's size.
            let mut page: Vec<Value> = typed.bound_values().into_iter().map(Value::Text).collect();
            page.extend([Value::Int(q.limit), Value::Int(q.offset)]);
            vec![probe, page]
        }
        Kind::FirstPage => vec![vec![Value::Int(100), Value::Int(0)]],
        Kind::ConsolePage => {
            let q = order_query(kind, s);
            let filter = vec![
                text("succeeded"),
                text("wechat"),
                Value::Int(q.from_ms.unwrap()),
                Value::Int(q.to_ms.unwrap()),
            ];
            // The count's filters, the page's, then its size.
            let mut page = [filter.clone(), filter].concat();
            page.extend([Value::Int(q.limit), Value::Int(q.offset)]);
            vec![page]
        }
        Kind::HistoryPage => vec![vec![
            text("succeeded"),
            text("wechat"),
            Value::Int(s.week_from),
            Value::Int(50),
        ]],
    }
}

/// Builds the store: five profiles, then `rows` orders with an attempt and three events each.
async fn build(path: &Path, rows: i64) -> (BulkShape, f64) {
    let started = Instant::now();
    let store = Store::open(path).await.expect("store");
    for gateway in ["sensecore", "yian", "top", "partner", "debit"] {
        store
            .create_profile(&NewProfile {
                name: format!("shop-{gateway}"),
                gateway: gateway.into(),
                base_url: format!("https://{gateway}.example"),
                settings: Default::default(),
                is_sandbox: false,
            })
            .await
            .expect("profile");
    }
    store.close().await;
    let shape = BulkShape::last_year(rows);
    world::bulk_fill(path, &shape).await.expect("bulk fill");
    (shape, started.elapsed().as_secs_f64())
}

async fn samples(path: &Path, shape: &BulkShape, count: usize) -> Vec<Sample> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("read");
    let max: i64 = sqlx::query_scalar("SELECT max(id) FROM attempts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let weeks = ((shape.end_ms() - shape.start_ms) / WEEK_MS).max(2);
    let mut samples = Vec::new();
    for k in 0..count as i64 {
        // Spread over the whole store, deterministically.
        let id = 1 + (k * 7_919 + 104_729) * 31 % max;
        let row = sqlx::query(
            "SELECT o.order_no, a.idempotency_key,
                    (SELECT gateway_ref FROM attempts WHERE id >= a.id AND gateway_ref IS NOT NULL ORDER BY id LIMIT 1) AS gref,
                    (SELECT pay_url FROM attempts WHERE id >= a.id AND pay_url IS NOT NULL ORDER BY id LIMIT 1) AS url
             FROM attempts a JOIN orders o ON o.id = a.order_id WHERE a.id >= ? ORDER BY a.id LIMIT 1",
        )
        .bind(id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        samples.push(Sample {
            order_no: row.get(0),
            key: row.get(1),
            gateway_ref: row.get(2),
            pay_url: row.get(3),
            week_from: shape.start_ms + (k * 13 % (weeks - 1)) * WEEK_MS,
        });
    }
    conn.close().await.unwrap();
    samples
}

/// What paydesk answers for one value and the statements it ran for it.
pub(crate) async fn statements_of(
    store: &Store,
    kind: Kind,
    s: &Sample,
) -> (Vec<Answer>, Vec<String>) {
    let (expected, statements) = sql::capture(run_kind(store, kind, s)).await;
    // A connection the pool opens meanwhile sets itself up (SQLite's PRAGMAs, the server's
    // isolation level): not the lookup.
    let statements: Vec<String> = statements
        .into_iter()
        .filter(|s| !s.starts_with("PRAGMA") && !s.starts_with("SET SESSION"))
        .collect();
    assert_eq!(
        statements.len(),
        expected.len(),
        "{kind:?} ran {statements:#?}"
    );
    (expected, statements)
}

fn check_shell_answers(shell: &dyn Shell, kind: Kind, statements: &[String], expected: &[Answer]) {
    for (sql, answer) in statements.iter().zip(expected) {
        let (_, out) = shell
            .run(&format!("{sql};\n"))
            .unwrap_or_else(|e| panic!("{e}"));
        let json_rows = |json: &str| {
            serde_json::from_str::<Vec<serde_json::Value>>(json.trim()).map_or(0, |r| r.len())
        };
        let got = match answer {
            Answer::Rows(_) => Answer::Rows(out.lines().count()),
            Answer::JsonRows(_) => Answer::JsonRows(json_rows(&out)),
            Answer::Page(..) => {
                let (total, rows) = out.split_once('|').unwrap_or(("-1", "[]"));
                Answer::Page(total.trim().parse().unwrap_or(-1), json_rows(rows))
            }
        };
        assert_eq!(
            got, *answer,
            "{kind:?}: the shell and paydesk disagree on\n{sql}"
        );
    }
}

/// A database's own command-line shell, running the statements paydesk ran.
pub(crate) trait Shell {
    /// Runs a script; its wall time in ms and its output.
    fn run(&self, script: &str) -> Result<(f64, String), String>;
    /// What starts a script whose output goes nowhere.
    fn quiet(&self) -> &'static str;
    /// A script that runs one trivial statement, output nowhere: the shell's own cost.
    fn empty(&self) -> String;
    /// Whether the statements' work is the shell process's own (SQLite, in-process) rather
    /// than a server's.
    fn works_in_child(&self) -> bool;
    /// "sqlite3 shell", "psql".
    fn name(&self) -> &'static str;
    /// The benchmark group its figures belong to.
    fn group(&self) -> &'static str;
}

struct SqliteShell {
    db: std::path::PathBuf,
}

impl Shell for SqliteShell {
    fn run(&self, script: &str) -> Result<(f64, String), String> {
        sql::shell(&self.db, script)
    }
    fn quiet(&self) -> &'static str {
        ".output /dev/null\n"
    }
    fn empty(&self) -> String {
        ".output /dev/null\nSELECT count(*) FROM sqlite_schema;\n".to_string()
    }
    fn works_in_child(&self) -> bool {
        true
    }
    fn name(&self) -> &'static str {
        "sqlite3 shell"
    }
    fn group(&self) -> &'static str {
        "lookups"
    }
}

/// How each sample's typed text is matched (read from the store, as query_orders reads it).
fn text_matches(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    samples: &[Sample],
) -> Vec<TextMatch> {
    runtime.block_on(async {
        let mut texts = Vec::new();
        for s in samples {
            let text = order_query(Kind::TypedSearch, s).text.unwrap();
            texts.push(store.text_match(&text).await.expect("text_match"));
        }
        texts
    })
}

/// Each kind's figure: paydesk's calls on `store` against `shell` running the statements
/// paydesk ran, with the same values, on the same database.
pub(crate) fn against_shell(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    samples: &[Sample],
    kinds: &[Kind],
    shell: &dyn Shell,
    config: &Config,
) -> Vec<Figure> {
    let texts = text_matches(runtime, store, samples);

    // What paydesk runs for each kind, checked against the shell's answers.
    let mut scripts = Vec::new();
    for &kind in kinds {
        runtime.block_on(run_kind(store, kind, &samples[0]));
        let (expected, statements) = runtime.block_on(statements_of(store, kind, &samples[0]));
        let inlined: Vec<String> = statements
            .iter()
            .zip(bound_values(kind, &samples[0], &texts[0]))
            .map(|(sql, values)| sql::inline(sql, &values).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        check_shell_answers(shell, kind, &inlined, &expected);
        // As many values as fit the time budget of a round (a slow lookup gets fewer).
        let probe = samples.len().min(5);
        let started = Instant::now();
        runtime.block_on(async {
            for s in &samples[..probe] {
                run_kind(store, kind, s).await;
            }
        });
        let per_call = ms(started.elapsed()) / probe as f64;
        let count = ((config.round_ms / per_call) as usize).clamp(probe, samples.len());
        let mut script = String::new();
        for (s, text) in samples[..count].iter().zip(&texts) {
            // Each value's own statements: how typed text is matched depends on the text.
            let (_, statements) = runtime.block_on(statements_of(store, kind, s));
            for (sql, values) in statements.iter().zip(bound_values(kind, s, text)) {
                script.push_str(&sql::inline(sql, &values).expect("inline"));
                script.push_str(";\n");
            }
        }
        eprintln!("  {}: {count} values, {per_call:.3} ms a call", kind.id());
        scripts.push((script, count));
    }
    let empty = shell.empty();

    let mut figures = Vec::new();
    for (kind, (pass, count)) in kinds.iter().zip(&scripts) {
        let samples = &samples[..*count];
        // Warm paydesk once. The shell runs every value's statements as many times over as
        // it takes to work for a quarter of a second, so that its own start-up is small
        // beside it and subtracted exactly.
        runtime.block_on(async {
            for s in samples {
                run_kind(store, *kind, s).await;
            }
        });
        // (Sized by the shell's own work: its CPU time where the shell does the work, which
        // the machine's other work does not inflate.)
        let mut passes = 1;
        let script = loop {
            let script = format!("{}{}", shell.quiet(), pass.repeat(passes));
            let before = sql::children_cpu_ms();
            let (wall, _) = shell.run(&script).expect("shell");
            let worked = match shell.works_in_child() {
                true => sql::children_cpu_ms() - before,
                false => wall,
            };
            if worked >= config.shell_ms || passes >= 4096 {
                break script;
            }
            passes *= 2;
        };
        let n = (samples.len() * passes) as f64;
        let mut all = Vec::new();
        let mut ratios = Vec::new();
        let mut shell_means = Vec::new();
        for _ in 0..config.rounds {
            let times = runtime.block_on(async {
                let mut times = Vec::with_capacity(samples.len());
                for s in samples {
                    let started = Instant::now();
                    run_kind(store, *kind, s).await;
                    times.push(ms(started.elapsed()));
                }
                times
            });
            let (full, _) = shell.run(&script).expect("shell");
            let bare = crate::stats::median(
                &(0..3)
                    .map(|_| shell.run(&empty).expect("shell").0)
                    .collect::<Vec<_>>(),
            );
            let shell_mean = ((full - bare) / n).max(1e-6);
            ratios.push(mean(&times) / shell_mean);
            shell_means.push(shell_mean);
            all.extend(times);
        }
        let ratio = Spread::of(&ratios);
        let p99 = percentile(&all, 99.0);
        figures.push(Figure {
            id: format!("{}.{}", shell.group(), kind.id()),
            title: kind.title().into(),
            ratio,
            better: Better::Lower,
            subject: format!(
                "paydesk: mean {}, p50 {}, p99 {} ({} values × {} rounds)",
                show_ms(mean(&all)),
                show_ms(percentile(&all, 50.0)),
                show_ms(p99),
                samples.len(),
                config.rounds
            ),
            baseline: format!(
                "{}, same statements and values: mean {}",
                shell.name(),
                show_ms(crate::stats::median(&shell_means))
            ),
            target: Some(Check::at_most("ratio", ratio.median, 1.5, |v| {
                format!("{v:.2}×")
            })),
            checks: vec![Check::at_most("p99", p99, kind.p99_target(), show_ms)],
            rounds: config.rounds,
            checked: true,
        });
    }
    figures
}

pub fn run(work: &Path, config: &Config) -> GroupResult {
    let dir = world::fresh_dir(&work.join("lookups"));
    let db = dir.join("paydesk.sqlite");
    let runtime = crate::engine_runtime();
    let (shape, built_s) = runtime.block_on(build(&db, config.rows));
    let samples = runtime.block_on(samples(&db, &shape, config.samples));
    let store = runtime.block_on(Store::open(&db)).expect("store");
    let mut figures = against_shell(
        &runtime,
        &store,
        &samples,
        &KINDS,
        &SqliteShell { db: db.clone() },
        config,
    );
    let texts = text_matches(&runtime, &store, &samples);
    figures.extend(crate::lookups_driver::against_driver(
        &runtime, &store, &db, &samples, &texts, config,
    ));
    runtime.block_on(store.close());
    drop(runtime);
    GroupResult {
        group: "lookups".into(),
        setup: vec![
            format!(
                "{} orders, {} attempts, {} attempt events over a year, five gateway profiles; built in {built_s:.0} s (recursive-CTE inserts); no ANALYZE statistics, as paydesk leaves its own file",
                thousands(config.rows),
                thousands(config.rows),
                thousands(config.rows * 3)
            ),
            format!(
                "up to {} different values per kind (fewer for a kind slower than {:.0} s a round), {} rounds; 88% succeeded, 9% failed, 2% pending, 1% needs review",
                config.samples, config.round_ms / 1000.0, config.rounds
            ),
        ],
        method: vec![
            "paydesk's statements are captured from sqlx's statement log while it runs each lookup; the bench writes the bound values in and checks that the shell gives the same answers (row counts, totals).".into(),
            "paydesk: each call timed on its own (sequential, warm pool). sqlite3: one process per round runs every value's statements (repeated until the shell works for a quarter of a second or more) with output to /dev/null; the same process running one trivial statement is subtracted; divided by the number of statements run.".into(),
            "Ratio per round: paydesk's mean ÷ the shell's mean; the p99 target is paydesk's over every call.".into(),
        ],
        figures,
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}
