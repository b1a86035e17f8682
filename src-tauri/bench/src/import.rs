//! Import of orders from CSV against the sqlite3 shell's `.import` of the same file.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use paydesk_core::import::{import_orders, ImportFormat, BATCH};
use paydesk_core::store::{NewProfile, Store};

use crate::figures::{Better, Check, Figure, GroupResult};
use crate::sql;
use crate::stats::{median, show_ms, show_rate, thousands, Spread};
use crate::world;

pub struct Config {
    pub rows: usize,
    pub rounds: usize,
}

fn write_csv(path: &Path, rows: usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(out, "order_no,profile,amount,currency,subject").unwrap();
    for i in 0..rows {
        let minor = 100 + (i * 7919) % 99_900;
        let subject = match i % 4 {
            0 => "Cloud GPU hours".to_string(),
            1 => format!("Object storage {} TB", i % 97),
            2 => format!("\"Annual licence, seat {}\"", i % 500),
            _ => format!("算力包 {}", i % 40),
        };
        writeln!(
            out,
            "IMP-{:08},shop,{}.{:02},CNY,{subject}",
            i,
            minor / 100,
            minor % 100
        )
        .unwrap();
    }
    out.flush().unwrap();
}

async fn empty_store(path: &Path) -> Store {
    let store = Store::open(path).await.expect("store");
    store
        .create_profile(&NewProfile {
            name: "shop".into(),
            gateway: "sensecore".into(),
            base_url: "https://sensecore.example".into(),
            settings: Default::default(),
            is_sandbox: false,
        })
        .await
        .expect("profile");
    store
}

fn count(db: &Path, table: &str) -> usize {
    let (_, out) = sql::shell(
        db,
        &format!(".timeout 10000\nSELECT count(*) FROM {table};\n"),
    )
    .expect("count rows");
    out.trim().parse().expect("a count")
}

pub fn run(work: &Path, config: &Config) -> GroupResult {
    let dir = world::fresh_dir(&work.join("import"));
    let csv = dir.join("orders.csv");
    write_csv(&csv, config.rows);
    let runtime = crate::engine_runtime();
    // The same job in the shell starts from a copy of an empty, migrated paydesk store.
    let template = dir.join("template.sqlite");
    runtime.block_on(async { empty_store(&template).await.close().await });

    let fresh = |name: &str| -> PathBuf {
        let round = dir.join(name);
        let _ = std::fs::remove_dir_all(&round);
        std::fs::create_dir_all(&round).unwrap();
        round
    };
    let mut paydesk_ms = Vec::new();
    let mut plain_ms = Vec::new();
    let mut same_job_ms = Vec::new();
    let mut batched_ms = Vec::new();
    let csv_text = csv.display().to_string();
    // A warm-up round reads the file into the page cache; a large file gets there in round one.
    let warmups = usize::from(config.rows <= 100_000);
    for round in 0..config.rounds + warmups {
        let warmup = round < warmups;

        let db = fresh("paydesk").join("paydesk.sqlite");
        let elapsed = runtime.block_on(async {
            let store = empty_store(&db).await;
            let file = std::fs::File::open(&csv).expect("csv");
            let started = Instant::now();
            let report = import_orders(
                &store,
                std::io::BufReader::with_capacity(1 << 16, file),
                ImportFormat::Csv,
                None,
                |_| {},
            )
            .await
            .expect("import");
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(
                report.imported as usize,
                config.rows,
                "{:?}",
                report.rejected.first()
            );
            store.close().await;
            elapsed
        });
        assert_eq!(count(&db, "orders"), config.rows);

        let plain = fresh("plain").join("plain.sqlite");
        let (plain_elapsed, _) = sql::shell(
            &plain,
            &format!(
                "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n.import --csv {csv_text} orders\n"
            ),
        )
        .expect(".import");
        assert_eq!(count(&plain, "orders"), config.rows);

        let same = fresh("same").join("paydesk.sqlite");
        // Copied through SQLite, not the file system: the file alone may lack what the store's
        // last connection had not yet checkpointed out of its write-ahead log.
        sql::shell(&template, &format!("VACUUM INTO '{}';\n", same.display())).expect("template");
        let (same_elapsed, _) = sql::shell(&same, &same_job(&csv_text, config.rows, config.rows))
            .expect(".import into paydesk's schema");
        assert_eq!(count(&same, "orders"), config.rows);

        let batched = fresh("batched").join("paydesk.sqlite");
        sql::shell(
            &template,
            &format!("VACUUM INTO '{}';\n", batched.display()),
        )
        .expect("template");
        let (batched_elapsed, _) = sql::shell(&batched, &same_job(&csv_text, config.rows, BATCH))
            .expect(".import into paydesk's schema in batches");
        assert_eq!(count(&batched, "orders"), config.rows);

        if !warmup {
            paydesk_ms.push(elapsed);
            plain_ms.push(plain_elapsed);
            same_job_ms.push(same_elapsed);
            batched_ms.push(batched_elapsed);
        }
    }
    drop(runtime);
    let _ = std::fs::remove_dir_all(dir.join("paydesk"));
    let _ = std::fs::remove_dir_all(dir.join("plain"));
    let _ = std::fs::remove_dir_all(dir.join("same"));
    let _ = std::fs::remove_dir_all(dir.join("batched"));

    let vs_plain: Vec<f64> = paydesk_ms
        .iter()
        .zip(&plain_ms)
        .map(|(p, b)| p / b)
        .collect();
    let vs_same: Vec<f64> = paydesk_ms
        .iter()
        .zip(&same_job_ms)
        .map(|(p, b)| p / b)
        .collect();
    let vs_batched: Vec<f64> = paydesk_ms
        .iter()
        .zip(&batched_ms)
        .map(|(p, b)| p / b)
        .collect();
    let rows = config.rows as f64;
    let line = |what: &str, times: &[f64]| {
        let m = median(times);
        format!(
            "{what}: {} ({})",
            show_ms(m),
            show_rate(rows / (m / 1000.0))
        )
    };
    let paydesk_line = line(
        "`import_orders` (checks every row, reports each bad one)",
        &paydesk_ms,
    );
    let ratio = Spread::of(&vs_plain);
    let same = Spread::of(&vs_same);
    GroupResult {
        group: "import".into(),
        setup: vec![
            format!(
                "{} orders in one CSV file ({:.1} MB): order_no, profile, amount, currency, subject (quoted commas, Chinese text)",
                thousands(config.rows as i64),
                std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
            ),
            format!(
                "{} rounds after a warm-up, each into a fresh database on the same disk",
                config.rounds
            ),
        ],
        method: vec![
            "paydesk: `paydesk_core::import::import_orders` into a fresh store (WAL, synchronous=FULL), timed from the first byte read to the last commit.".into(),
            "sqlite3 `.import`: the same file into a table of its own (WAL, synchronous=FULL), timed as the whole shell process.".into(),
            "sqlite3 doing the same job: `.import` into a staging table of a fresh, empty paydesk database, then one INSERT … SELECT into `orders` (its unique order number, indexes and trigram search index), no per-row checks.".into(),
            format!("sqlite3 doing the same job in the import's transactions: the same, with the INSERT … SELECT split into transactions of {} orders (one durable commit each), as paydesk writes them so that progress is reported and another window's payment never waits long for the write lock.", thousands(BATCH as i64)),
        ],
        figures: vec![
            Figure {
                id: "import.vs_import".into(),
                title: "Import ÷ sqlite3 `.import`".into(),
                ratio,
                better: Better::Lower,
                subject: paydesk_line.clone(),
                baseline: line("sqlite3 `.import` into a plain table", &plain_ms),
                // Its 2× target is retired: sqlite3 itself needs about 8× its plain `.import` to
                // do paydesk's job; the same job is the figure judged.
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
            Figure {
                id: "import.vs_same_job".into(),
                title: "Import ÷ sqlite3 doing the same job".into(),
                ratio: same,
                better: Better::Lower,
                subject: paydesk_line,
                baseline: line(
                    "sqlite3 `.import` + INSERT … SELECT into paydesk's schema",
                    &same_job_ms,
                ),
                target: Some(Check::at_most("ratio", same.median, 1.0, |v| {
                    format!("{v:.2}×")
                })),
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
            Figure {
                id: "import.vs_same_job_in_batches".into(),
                title: "Import ÷ sqlite3 doing the same job in the import's transactions".into(),
                ratio: Spread::of(&vs_batched),
                better: Better::Lower,
                subject: line(
                    "`import_orders` (checks every row, reports each bad one)",
                    &paydesk_ms,
                ),
                baseline: line(
                    &format!(
                        "sqlite3 `.import` + INSERT … SELECT into paydesk's schema, {} orders a transaction",
                        thousands(BATCH as i64)
                    ),
                    &batched_ms,
                ),
                target: None,
                checks: vec![],
                rounds: config.rounds,
                checked: true,
            },
        ],
        load: (0.0, 0.0),
        seconds: 0.0,
    }
}

/// The sqlite3 script of paydesk's import job on a copy of an empty store: the file into a
/// staging table, then into `orders` (its unique order number, indexes and trigram search
/// index), `per_transaction` rows a transaction.
fn same_job(csv: &str, rows: usize, per_transaction: usize) -> String {
    let mut script = format!(
        "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = FULL;\n.import --csv {csv} staging\n"
    );
    for first in (0..rows).step_by(per_transaction.max(1)) {
        script.push_str(&format!(
            "BEGIN;\n\
             INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)\n\
             SELECT s.order_no, p.id, CAST(round(s.amount * 100) AS INTEGER), s.currency, s.subject, '{{}}', 1700000000000\n\
             FROM staging s JOIN profiles p ON p.name = s.profile\n\
             WHERE s.rowid > {first} AND s.rowid <= {last} ORDER BY s.rowid ON CONFLICT (order_no) DO NOTHING;\n\
             COMMIT;\n",
            last = first + per_transaction
        ));
    }
    script.push_str("DROP TABLE staging;\n");
    script
}
