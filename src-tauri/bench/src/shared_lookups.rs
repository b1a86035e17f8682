//! Lookups on a shared store (PostgreSQL) at a million attempts: every reference kind and the
//! console's pages, against psql running the same statements with the same values on the same
//! database (the bound: 1.5×). The store is built as the SQLite lookups' is: five
//! profiles, one attempt and three events per order over a year, in a few statements.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use paydesk_core::store::{NewProfile, SchemaUpdate, Store};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor, Row};

use crate::figures::Figure;
use crate::lookups::{self, Kind, Sample, Shell, WEEK_MS};
use crate::world::BulkShape;

/// Every kind but the typed search, whose statements are each database's own.
const KINDS: [Kind; 9] = [
    Kind::Order,
    Kind::AttemptByKey,
    Kind::LookupOrderNo,
    Kind::LookupGatewayRef,
    Kind::LookupKey,
    Kind::LookupPayUrl,
    Kind::FirstPage,
    Kind::ConsolePage,
    Kind::HistoryPage,
];

/// psql on the bench's database: unaligned, tuples only, `|` between columns (as the sqlite3
/// shell prints), stopping at the first error.
struct Psql {
    database: String,
    script: PathBuf,
}

impl Shell for Psql {
    fn run(&self, script: &str) -> Result<(f64, String), String> {
        std::fs::File::create(&self.script)
            .and_then(|mut f| f.write_all(script.as_bytes()))
            .map_err(|e| format!("{}: {e}", self.script.display()))?;
        let started = Instant::now();
        let out = Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(&self.database)
            .arg("-f")
            .arg(&self.script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("psql (Debian: postgresql-client): {e}"))?;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || !stderr.trim().is_empty() {
            return Err(format!("psql failed: {stderr}"));
        }
        Ok((elapsed, String::from_utf8_lossy(&out.stdout).into_owned()))
    }
    fn quiet(&self) -> &'static str {
        "\\o /dev/null\n"
    }
    fn empty(&self) -> String {
        "\\o /dev/null\nSELECT 1;\n".to_string()
    }
    fn works_in_child(&self) -> bool {
        false
    }
    fn name(&self) -> &'static str {
        "psql"
    }
    fn group(&self) -> &'static str {
        "shared.lookups"
    }
}

/// Each kind's figure on a fresh database of `config.rows` attempts, and how it was built.
pub fn figures(
    runtime: &tokio::runtime::Runtime,
    work: &Path,
    config: &lookups::Config,
) -> (Vec<Figure>, String) {
    let name = format!("paydesk_lookups_{}", std::process::id());
    let started = Instant::now();
    let (store, shape) = runtime.block_on(build(work, &name, config.rows));
    let built_s = started.elapsed().as_secs_f64();
    let samples = runtime.block_on(samples(&name, &shape, config.samples));
    let shell = Psql {
        database: name,
        script: work.join("psql-script.sql"),
    };
    let figures = lookups::against_shell(runtime, &store, &samples, &KINDS, &shell, config);
    runtime.block_on(store.close());
    let setup = format!(
        "lookups: {} orders with an attempt and three events each on the server, built in {built_s:.0} s (generate_series inserts, then ANALYZE, as autovacuum would)",
        crate::stats::thousands(config.rows)
    );
    (figures, setup)
}

async fn build(work: &Path, name: &str, rows: i64) -> (Store, BulkShape) {
    let mut admin = PgConnectOptions::new().connect().await.expect("the server");
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .expect("drop");
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create");
    admin.close().await.expect("close");
    let server = PgConnectOptions::new().database(name);
    let store = Store::open(&work.join("lookups-desk.sqlite"))
        .await
        .expect("the desk's file")
        .with_shared_record(server.clone(), SchemaUpdate::IfOwner)
        .await
        .expect("the shared store");
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
    let shape = BulkShape::last_year(rows);
    let mut conn = server.connect().await.expect("a connection");
    fill(&mut conn, &shape).await.expect("bulk fill");
    conn.close().await.expect("close");
    (store, shape)
}

/// The SQLite lookups' store (`world::bulk_fill`), in PostgreSQL's words.
pub(crate) async fn fill(conn: &mut PgConnection, shape: &BulkShape) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    tx.execute(
        "CREATE TEMP TABLE bench_profiles AS
         SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, gateway FROM profiles",
    )
    .await?;
    sqlx::query(
        "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT 'PD' || (20000000 + i), p.id, 100 + (i * 7919) % 99900,
                CASE p.gateway WHEN 'debit' THEN 'INR' ELSE 'CNY' END,
                CASE i % 6 WHEN 0 THEN 'Cloud GPU hours' WHEN 1 THEN 'Object storage ' || (i % 97) || ' TB'
                           WHEN 2 THEN 'Annual licence, seat ' || (i % 500) WHEN 3 THEN '算力包 ' || (i % 40)
                           WHEN 4 THEN 'Support plan' ELSE 'Bandwidth ' || (i % 10) || ' Gbps' END,
                '{}', $2 + i * $3
         FROM generate_series(1::bigint, $1) AS i
         JOIN bench_profiles p ON p.k = i % (SELECT count(*) FROM bench_profiles)",
    )
    .bind(shape.rows)
    .bind(shape.start_ms)
    .bind(shape.step_ms)
    .execute(&mut *tx)
    .await?;
    tx.execute(
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                               gateway_ref, pay_url, error_code, error_message, created_at, updated_at,
                               checks, next_check_at)
         SELECT id, channel, state, md5(random()::text), amount_minor, '[]',
                CASE WHEN state = 'failed' THEN NULL ELSE 'ch_' || substr(md5(random()::text), 1, 24) END,
                CASE WHEN channel IN ('alipay', 'wechat') AND state <> 'failed'
                     THEN 'https://pay.example/qr/' || substr(md5(random()::text), 1, 16) END,
                CASE WHEN state = 'failed' THEN 'INSUFFICIENT_BALANCE' END,
                CASE WHEN state = 'failed' THEN 'the account balance is too low' END,
                created_at + 400, created_at + 1300, 0,
                CASE WHEN state = 'pending' THEN 4102444800000 END
         FROM (SELECT o.id, o.amount_minor, o.created_at,
                      CASE p.gateway
                        WHEN 'debit' THEN 'bank'
                        WHEN 'top' THEN CASE o.id % 2 WHEN 0 THEN 'balance' ELSE 'credit' END
                        WHEN 'yian' THEN CASE o.id % 2 WHEN 0 THEN 'alipay' ELSE 'wechat' END
                        WHEN 'partner' THEN CASE o.id % 2 WHEN 0 THEN 'balance' ELSE 'alipay' END
                        ELSE CASE o.id % 4 WHEN 0 THEN 'balance' WHEN 1 THEN 'alipay'
                                           WHEN 2 THEN 'wechat' ELSE 'unionpay' END
                      END AS channel,
                      CASE WHEN (o.id * 37) % 100 < 88 THEN 'succeeded'
                           WHEN (o.id * 37) % 100 < 97 THEN 'failed'
                           WHEN (o.id * 37) % 100 < 99 THEN 'pending'
                           ELSE 'needs_review' END AS state
               FROM orders o JOIN profiles p ON p.id = o.profile_id ORDER BY o.id) chosen",
    )
    .await?;
    tx.execute(
        "INSERT INTO attempt_events (attempt_id, state, detail, at)
         SELECT a.id, coalesce(s.state, a.state), NULL, a.created_at + s.k
         FROM attempts a CROSS JOIN (VALUES (0, 'created'), (1, 'submitting'), (900, NULL)) s(k, state)",
    )
    .await?;
    tx.commit().await?;
    conn.execute("ANALYZE").await?;
    Ok(())
}

async fn samples(database: &str, shape: &BulkShape, count: usize) -> Vec<Sample> {
    let mut conn = PgConnectOptions::new()
        .database(database)
        .connect()
        .await
        .expect("read");
    let max: i64 = sqlx::query_scalar("SELECT max(id) FROM attempts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let weeks = ((shape.end_ms() - shape.start_ms) / WEEK_MS).max(2);
    let mut samples = Vec::new();
    for k in 0..count as i64 {
        let id = 1 + (k * 7_919 + 104_729) * 31 % max;
        let row = sqlx::query(
            "SELECT o.order_no, a.idempotency_key,
                    coalesce((SELECT gateway_ref FROM attempts WHERE id >= a.id AND gateway_ref IS NOT NULL ORDER BY id LIMIT 1),
                             (SELECT gateway_ref FROM attempts WHERE id < a.id AND gateway_ref IS NOT NULL ORDER BY id DESC LIMIT 1)) AS gref,
                    coalesce((SELECT pay_url FROM attempts WHERE id >= a.id AND pay_url IS NOT NULL ORDER BY id LIMIT 1),
                             (SELECT pay_url FROM attempts WHERE id < a.id AND pay_url IS NOT NULL ORDER BY id DESC LIMIT 1)) AS url
             FROM attempts a JOIN orders o ON o.id = a.order_id WHERE a.id >= $1 ORDER BY a.id LIMIT 1",
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
