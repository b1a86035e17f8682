//! What the SQLite driver alone costs a lookup: paydesk's call against sqlx running the very
//! statement paydesk ran, with the same values bound, on the same file, nothing decoded. The
//! sqlite3 shell runs a statement in its own thread; sqlx hands each one to its connection's
//! thread and each row back, and this figure shows how much of paydesk's time over the shell's
//! is that.

use std::path::Path;
use std::time::Instant;

use paydesk_core::console::TextMatch;
use paydesk_core::store::Store;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use crate::figures::{Better, Figure};
use crate::lookups::{bound_values, run_kind, statements_of, Config, Kind, Sample};
use crate::sql::Value;
use crate::stats::{mean, ms, show_ms, Spread};

/// The lookups whose figures against the shell this explains: one statement each.
pub(crate) const KINDS: [Kind; 4] = [
    Kind::Order,
    Kind::AttemptByKey,
    Kind::FirstPage,
    Kind::HistoryPage,
];

/// The statement through sqlx with its values bound, rows fetched and not decoded.
async fn bare_call(pool: &SqlitePool, sql: &str, values: &[Value]) -> sqlx::Result<Vec<SqliteRow>> {
    let mut query = sqlx::query(sql);
    for value in values {
        query = match value {
            Value::Text(text) => query.bind(text.clone()),
            Value::Int(n) => query.bind(*n),
        };
    }
    query.fetch_all(pool).await
}

/// Each kind's figure: paydesk's calls ÷ sqlx alone running the same statement and values.
pub(crate) fn against_driver(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    db: &Path,
    samples: &[Sample],
    texts: &[TextMatch],
    config: &Config,
) -> Vec<Figure> {
    // Opened as the store opens its file.
    let pool = runtime.block_on(async {
        let options = SqliteConnectOptions::new()
            .filename(db)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .expect("a bare pool")
    });
    let mut figures = Vec::new();
    for kind in KINDS {
        let calls: Vec<(String, Vec<Value>)> = samples
            .iter()
            .zip(texts)
            .map(|(s, text)| {
                let (_, statements) = runtime.block_on(statements_of(store, kind, s));
                let mut values = bound_values(kind, s, text);
                assert_eq!(statements.len(), 1, "{kind:?} runs one statement");
                (statements[0].clone(), values.remove(0))
            })
            .collect();
        let mut ratios = Vec::new();
        let (mut paydesk_all, mut bare_all) = (Vec::new(), Vec::new());
        runtime.block_on(async {
            // Warm both: the statement caches and the pages.
            for ((sql, values), s) in calls.iter().zip(samples) {
                run_kind(store, kind, s).await;
                bare_call(&pool, sql, values).await.expect("bare");
            }
            for _ in 0..config.rounds {
                let (mut paydesk, mut bare) = (Vec::new(), Vec::new());
                // Interleaved call by call: the machine's other work falls on both alike.
                for ((sql, values), s) in calls.iter().zip(samples) {
                    let started = Instant::now();
                    run_kind(store, kind, s).await;
                    paydesk.push(ms(started.elapsed()));
                    let started = Instant::now();
                    let rows = bare_call(&pool, sql, values).await.expect("bare");
                    bare.push(ms(started.elapsed()));
                    assert!(!rows.is_empty(), "{kind:?}: {sql}");
                }
                ratios.push(mean(&paydesk) / mean(&bare));
                paydesk_all.extend(paydesk);
                bare_all.extend(bare);
            }
        });
        figures.push(Figure {
            id: format!("lookups.{}_vs_driver", kind.id()),
            title: format!("{} ÷ sqlx alone running its statement", kind.title()),
            ratio: Spread::of(&ratios),
            better: Better::Lower,
            subject: format!("paydesk: mean {}", show_ms(mean(&paydesk_all))),
            baseline: format!(
                "sqlx on a pool of its own, the same statement and values, rows fetched and not decoded: mean {}",
                show_ms(mean(&bare_all))
            ),
            target: None,
            checks: vec![],
            rounds: config.rounds,
            checked: true,
        });
    }
    runtime.block_on(pool.close());
    figures
}
