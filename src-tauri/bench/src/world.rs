//! Worlds to measure in: the sandbox on its own threads (a gateway is another machine's
//! work), a store with a SenseCore profile whose secrets are in memory, and a million-row
//! store built in a few statements.

use paydesk_core::sender::Sender;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use paydesk_core::engine::Engine;
use paydesk_core::gateways::transport::Transport;
use paydesk_core::gateways::Secrets;
use paydesk_core::import::{import_orders, ImportFormat};
use paydesk_core::store::{NewProfile, Store};
use paydesk_core::vault::{KeyringVault, MemoryVault, Vault};
use paydesk_sandbox::{RunningSandbox, SandboxConfig, SandboxOrder};
use secrecy::SecretString;
use sqlx::{Connection, Executor};

/// The sandbox on a runtime of its own, as a gateway would run on its own machine.
pub struct Gateway {
    pub sandbox: RunningSandbox,
    pub config: SandboxConfig,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Gateway {
    /// Starts the emulators on a free loopback port with `threads` worker threads.
    pub fn start(threads: usize) -> Gateway {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("sandbox")
            .enable_all()
            .build()
            .expect("a runtime for the sandbox");
        let config = SandboxConfig::default();
        let sandbox = runtime
            .block_on(paydesk_sandbox::start("127.0.0.1:0", config.clone()))
            .expect("the sandbox starts");
        Gateway {
            sandbox,
            config,
            runtime: Some(runtime),
        }
    }

    pub fn register(&self, gateway: &str, order_no: &str, amount_minor: i64) {
        self.sandbox.ledger.register(
            gateway,
            SandboxOrder::new(order_no, amount_minor, "CNY", "bench"),
        );
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A fresh, empty directory.
pub fn fresh_dir(path: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(path);
    std::fs::create_dir_all(path).expect("a work directory");
    path.to_path_buf()
}

/// A store with one SenseCore profile pointing at the sandbox (a real gateway's path: no
/// order registration before paying), its token in a memory vault, and an engine.
pub struct PayWorld {
    pub store: Store,
    pub engine: Engine,
    pub secrets: Secrets,
    pub base_url: String,
    pub profile: String,
    /// Who the hand-written journal commits of the breakdown say sent them.
    pub sender: Sender,
}

pub const GATEWAY: &str = "sensecore";

pub async fn pay_world(dir: &Path, gateway: &Gateway) -> PayWorld {
    let store = Store::open(&dir.join("paydesk.sqlite"))
        .await
        .expect("the store opens");
    pay_world_on(store, gateway).await
}

/// [`pay_world`] on a store already open (a shared one, say).
pub async fn pay_world_on(store: Store, gateway: &Gateway) -> PayWorld {
    let credentials = &gateway.config.gateways[GATEWAY];
    let base_url = gateway.sandbox.base_url(GATEWAY);
    let profile = store
        .create_profile(&NewProfile {
            name: "bench".into(),
            gateway: GATEWAY.into(),
            base_url: base_url.clone(),
            settings: credentials.settings.clone(),
            is_sandbox: false,
        })
        .await
        .expect("a profile");
    let vault = Arc::new(MemoryVault::default());
    let mut secrets = Secrets::new();
    for (key, value) in &credentials.secrets {
        vault
            .set(&profile.vault_id, key, &SecretString::from(value.clone()))
            .expect("memory vault");
        secrets.insert(key.clone(), SecretString::from(value.clone()));
    }
    let vault: Arc<dyn Vault> = vault;
    let engine = Engine::new(
        store.clone(),
        vault,
        Transport::new(Duration::from_secs(30)),
    );
    PayWorld {
        store,
        engine,
        secrets,
        base_url,
        profile: profile.name,
        sender: Sender::new(),
    }
}

impl PayWorld {
    /// An engine on the same store whose vault is the OS keyring, holding the profile's
    /// secrets: what a payment at a desk reads. `scripts/bench.sh` runs the pay group inside a
    /// private D-Bus session with its own unlocked gnome-keyring.
    pub async fn keyring_engine(&self) -> Engine {
        let vault = KeyringVault::connect()
            .expect("the OS keyring (run the pay group through scripts/bench.sh)");
        let profile = self.store.profile(&self.profile).await.expect("profile");
        for key in self.secrets.keys() {
            let value = self.secrets.get(key).expect("listed");
            vault
                .set(&profile.vault_id, key, value)
                .expect("a secret in the keyring");
        }
        Engine::new(
            self.store.clone(),
            Arc::new(vault),
            Transport::new(Duration::from_secs(30)),
        )
    }

    /// Adds orders `{prefix}{i}` (through the importer: one transaction per batch) and puts
    /// them in the sandbox's order book. Returns their numbers and amounts.
    pub async fn add_orders(
        &self,
        gateway: &Gateway,
        prefix: &str,
        count: usize,
    ) -> Vec<(String, i64)> {
        let orders: Vec<(String, i64)> = (0..count)
            .map(|i| (format!("{prefix}{i}"), 100 + (i as i64 * 7919) % 99_900))
            .collect();
        let mut csv = String::from("order_no,amount,subject\n");
        for (order_no, minor) in &orders {
            csv.push_str(&format!(
                "{order_no},{}.{:02},bench\n",
                minor / 100,
                minor % 100
            ));
        }
        let report = import_orders(
            &self.store,
            csv.as_bytes(),
            ImportFormat::Csv,
            Some(&self.profile),
            |_| {},
        )
        .await
        .expect("orders import");
        assert_eq!(report.imported as usize, count, "{:?}", report.rejected);
        for (order_no, minor) in &orders {
            gateway.register(GATEWAY, order_no, *minor);
        }
        orders
    }
}

/// How a bulk-built store is shaped.
pub struct BulkShape {
    /// Orders added, each with one attempt and its three events.
    pub rows: i64,
    /// The first order's creation time (unix ms); one order every `step_ms` after it.
    pub start_ms: i64,
    pub step_ms: i64,
}

impl BulkShape {
    /// `rows` orders over the year before now.
    pub fn last_year(rows: i64) -> BulkShape {
        let now = paydesk_core::store::now_ms();
        let span = 365 * 24 * 3600 * 1000_i64;
        let step_ms = (span / rows.max(1)).max(1);
        BulkShape {
            rows,
            start_ms: now - step_ms * rows,
            step_ms,
        }
    }

    pub fn end_ms(&self) -> i64 {
        self.start_ms + self.step_ms * self.rows
    }
}

/// Adds `shape.rows` orders, one attempt per order and its three events to an existing,
/// migrated store whose profiles exist, spread over those profiles. Done in a few statements
/// (recursive CTEs) with the database closed to paydesk; the trigram index is rebuilt once at
/// the end rather than row by row. Random references (idempotency keys, gateway references,
/// pay URLs) as the gateways hand them out. The store is left as paydesk leaves its own: no
/// ANALYZE statistics.
pub async fn bulk_fill(path: &Path, shape: &BulkShape) -> Result<(), sqlx::Error> {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = NORMAL").await?;
    conn.execute("PRAGMA cache_size = -262144").await?;
    let trigger: Option<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'order_search_insert'",
    )
    .fetch_optional(&mut conn)
    .await?;
    let mut tx = conn.begin().await?;
    tx.execute(
        "CREATE TEMP TABLE bench_profiles AS
         SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, gateway FROM profiles",
    )
    .await?;
    let profiles: i64 = sqlx::query_scalar("SELECT count(*) FROM bench_profiles")
        .fetch_one(&mut *tx)
        .await?;
    assert!(profiles > 0, "bulk_fill needs the store's profiles first");
    let orders_before: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM orders")
        .fetch_one(&mut *tx)
        .await?;
    let attempts_before: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM attempts")
        .fetch_one(&mut *tx)
        .await?;
    if trigger.is_some() {
        tx.execute("DROP TRIGGER order_search_insert").await?;
    }
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT 'PD' || (20000000 + i), p.id, 100 + (i * 7919) % 99900,
                CASE p.gateway WHEN 'debit' THEN 'INR' ELSE 'CNY' END,
                CASE i % 6 WHEN 0 THEN 'Cloud GPU hours' WHEN 1 THEN 'Object storage ' || (i % 97) || ' TB'
                           WHEN 2 THEN 'Annual licence, seat ' || (i % 500) WHEN 3 THEN '算力包 ' || (i % 40)
                           WHEN 4 THEN 'Support plan' ELSE 'Bandwidth ' || (i % 10) || ' Gbps' END,
                '{}', ?2 + i * ?3
         FROM n JOIN bench_profiles p ON p.k = i % ?4",
    )
    .bind(shape.rows)
    .bind(shape.start_ms)
    .bind(shape.step_ms)
    .bind(profiles)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                               gateway_ref, pay_url, error_code, error_message, created_at, updated_at,
                               checks, next_check_at)
         SELECT id, channel, state, lower(hex(randomblob(16))), amount_minor, '[]',
                CASE WHEN state = 'failed' THEN NULL ELSE 'ch_' || lower(hex(randomblob(12))) END,
                CASE WHEN channel IN ('alipay', 'wechat') AND state <> 'failed'
                     THEN 'https://pay.example/qr/' || lower(hex(randomblob(8))) END,
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
               FROM orders o JOIN profiles p ON p.id = o.profile_id
               WHERE o.id > ?1 ORDER BY o.id)",
    )
    .bind(orders_before)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO attempt_events (attempt_id, state, detail, at)
         SELECT a.id, coalesce(s.state, a.state), NULL, a.created_at + s.k
         FROM attempts a CROSS JOIN (SELECT 0 AS k, 'created' AS state UNION ALL
                                     SELECT 1, 'submitting' UNION ALL SELECT 900, NULL) s
         WHERE a.id > ?1",
    )
    .bind(attempts_before)
    .execute(&mut *tx)
    .await?;
    if let Some(trigger) = &trigger {
        tx.execute("INSERT INTO order_search(order_search) VALUES ('rebuild')")
            .await?;
        tx.execute(trigger.as_str()).await?;
    }
    tx.execute("DROP TABLE temp.bench_profiles").await?;
    tx.commit().await?;
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    conn.close().await?;
    Ok(())
}
