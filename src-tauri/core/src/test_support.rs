//! Fixtures shared by the crate's tests: a fresh store in a temporary directory, its gateway
//! profiles, orders and attempts with the usual defaults, and the database's rows read back.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};

use crate::domain::{Attempt, AttemptState, OrderView};
use crate::store::{AttemptUpdate, NewOrder, NewProfile, Store, StoreError};
use crate::{Currency, Money};

/// The base URL every test profile gets: on this machine (so plain http is allowed), and a
/// port nothing answers on.
pub(crate) const TEST_BASE_URL: &str = "http://127.0.0.1:9";

/// Where the database lives in `dir`, under the name the app gives it.
pub(crate) fn db_path(dir: &Path) -> PathBuf {
    dir.join("paydesk.sqlite")
}

/// A fresh, empty store in a temporary directory, which lives as long as the returned guard.
pub(crate) async fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_path(dir.path())).await.unwrap();
    (dir, store)
}

/// Where the tests find a PostgreSQL server: `PAYDESK_TEST_POSTGRES=1` with the server named by
/// libpq's variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`), as `pg_virtualenv` sets them.
/// The test command always gives one; elsewhere the shared store's tests say they were skipped.
const TEST_POSTGRES: &str = "PAYDESK_TEST_POSTGRES";

/// A fresh store whose record is a new, empty database on the test PostgreSQL server, with its
/// desk's own file in a temporary directory; `None` (the test skipped) where no server is given.
pub(crate) async fn temp_shared_store() -> Option<(tempfile::TempDir, Store)> {
    let server = temp_shared_database().await?;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_shared(server, &db_path(dir.path()))
        .await
        .unwrap();
    Some((dir, store))
}

/// A new, empty database on the test server, with no schema yet; none unless the PostgreSQL
/// tests are asked for.
pub(crate) async fn temp_shared_database() -> Option<sqlx::postgres::PgConnectOptions> {
    use sqlx::postgres::PgConnectOptions;
    if std::env::var_os(TEST_POSTGRES).is_none() {
        eprintln!("skipped on PostgreSQL: set {TEST_POSTGRES}=1 and PGHOST etc. (pg_virtualenv)");
        return None;
    }
    let database = format!("paydesk_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnectOptions::new().connect().await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {database}").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
    Some(PgConnectOptions::new().database(&database))
}

/// Runs `sql` on the record behind the store, as its owner, committed or rolled back.
pub(crate) async fn run_on_record(store: &Store, sql: &str, roll_back: bool) {
    match store.shared_pool() {
        Some(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query(sql).execute(&mut *tx).await.unwrap();
            if roll_back {
                tx.rollback().await.unwrap();
            } else {
                tx.commit().await.unwrap();
            }
        }
        None => {
            let mut tx = store.pool().begin().await.unwrap();
            sqlx::query(sql).execute(&mut *tx).await.unwrap();
            if roll_back {
                tx.rollback().await.unwrap();
            } else {
                tx.commit().await.unwrap();
            }
        }
    }
}

/// The server and database `store` keeps its record on, to reach it as another desk would;
/// none standalone.
pub(crate) async fn shared_server(store: &Store) -> Option<sqlx::postgres::PgConnectOptions> {
    let pool = store.shared_pool()?;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    Some(sqlx::postgres::PgConnectOptions::new().database(&database))
}

/// Another desk on the same record as `store`: the same SQLite file, or the same database on
/// the server with a desk file of its own. The guard keeps that file.
pub(crate) async fn another_desk(store: &Store) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let desk = match shared_server(store).await {
        Some(server) => Store::open_shared(server, &db_path(dir.path()))
            .await
            .unwrap(),
        None => Store::open(store.path()).await.unwrap(),
    };
    (dir, desk)
}

/// A loopback relay to the test PostgreSQL server that can be cut and restored: a desk that
/// reaches the server through it loses the server, and gets it back, while the server and
/// the other desks carry on (a real network cut, as a desk sees a server go away).
pub(crate) struct Relay {
    port: u16,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Relay {
    pub(crate) async fn start() -> Relay {
        use std::sync::atomic::Ordering;
        let host = std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into());
        let port: u16 = std::env::var("PGPORT").map_or(5432, |p| p.parse().unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay_port = listener.local_addr().unwrap().port();
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (open_for_task, links_for_task) = (open.clone(), links.clone());
        let accepting = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !open_for_task.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let host = host.clone();
                let link = tokio::spawn(async move {
                    if host.starts_with('/') {
                        let socket = format!("{host}/.s.PGSQL.{port}");
                        if let Ok(mut out) = tokio::net::UnixStream::connect(socket).await {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                        }
                    } else if let Ok(mut out) = tokio::net::TcpStream::connect((host, port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut out).await;
                    }
                });
                links_for_task.lock().unwrap().push(link);
            }
        });
        Relay {
            port: relay_port,
            open,
            links,
            accepting,
        }
    }

    /// `store`'s database, reached through this relay.
    pub(crate) async fn to_database_of(&self, store: &Store) -> sqlx::postgres::PgConnectOptions {
        shared_server(store)
            .await
            .unwrap()
            .host("127.0.0.1")
            .port(self.port)
            .ssl_mode(sqlx::postgres::PgSslMode::Disable)
    }

    /// Drops every connection through the relay and refuses new ones.
    pub(crate) fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    pub(crate) fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accepting.abort();
        self.cut();
    }
}

/// Waits (up to 20 s) until `done` holds, polling.
pub(crate) async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

/// Each test written once and run on both stores: `mod sqlite` (standalone) and `mod postgres`
/// (shared), the body with `$store` bound to a fresh empty store of each kind.
macro_rules! store_contract {
    ($( $(#[$meta:meta])* async fn $name:ident($store:ident) $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test]
                async fn $name() {
                    let (_dir, $store) = $crate::test_support::temp_store().await;
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test]
                async fn $name() {
                    let Some((_dir, $store)) = $crate::test_support::temp_shared_store().await
                    else {
                        return;
                    };
                    assert!($store.is_shared());
                    $body
                }
            )*
        }
    };
}
pub(crate) use store_contract;

/// A fresh store (as [`temp_store`]) holding one profile for each `(name, gateway)`.
pub(crate) async fn temp_store_with_profiles(
    profiles: &[(&str, &str)],
) -> (tempfile::TempDir, Store) {
    let (dir, store) = temp_store().await;
    for (name, gateway) in profiles {
        add_profile(&store, name, gateway).await;
    }
    (dir, store)
}

/// Adds a profile `name` for `gateway` at [`TEST_BASE_URL`]: no settings, not a sandbox.
pub(crate) async fn add_profile(store: &Store, name: &str, gateway: &str) {
    store
        .create_profile(&NewProfile {
            name: name.into(),
            gateway: gateway.into(),
            base_url: TEST_BASE_URL.into(),
            settings: BTreeMap::new(),
            is_sandbox: false,
        })
        .await
        .unwrap();
}

/// Adds a profile `name` for `gateway` that points at a paydesk sandbox.
pub(crate) async fn add_sandbox_profile(store: &Store, name: &str, gateway: &str) {
    store
        .create_profile(&NewProfile {
            name: name.into(),
            gateway: gateway.into(),
            base_url: TEST_BASE_URL.into(),
            settings: BTreeMap::new(),
            is_sandbox: true,
        })
        .await
        .unwrap();
}

/// An amount in yuan written as the console writes it (`"12.34"`).
pub(crate) fn cny(amount: &str) -> Money {
    Money::parse(amount, Currency::CNY).unwrap()
}

/// An order `order_no` of `amount` on `profile`, without a subject or attributes (set them
/// with struct update syntax where a test needs them).
pub(crate) fn new_order(profile: &str, order_no: &str, amount: Money) -> NewOrder {
    NewOrder {
        order_no: order_no.into(),
        profile: profile.into(),
        amount,
        subject: String::new(),
        attributes: BTreeMap::new(),
    }
}

/// Adds an order `order_no` of `amount` yuan with `subject` and no attributes on `profile`.
pub(crate) async fn add_order(
    store: &Store,
    profile: &str,
    order_no: &str,
    amount: &str,
    subject: &str,
) -> OrderView {
    store
        .add_order(&NewOrder {
            subject: subject.into(),
            ..new_order(profile, order_no, cny(amount))
        })
        .await
        .unwrap()
}

/// Adds profile `p` on sensecore and its one order `o-1` of 12.34 yuan with subject `s`.
pub(crate) async fn add_profile_and_order(store: &Store) -> OrderView {
    add_profile(store, "p", "sensecore").await;
    add_order(store, "p", "o-1", "12.34", "s").await
}

/// Begins an attempt on `channel` for the order's whole amount: no deductions, coupon or
/// credit.
pub(crate) async fn begin_attempt(
    store: &Store,
    order: &OrderView,
    channel: &str,
    idempotency_key: &str,
) -> Result<Attempt, StoreError> {
    store
        .begin_attempt(
            order,
            channel,
            idempotency_key,
            order.amount_minor,
            "[]",
            None,
            None,
            "[]",
            sending(),
        )
        .await
}

/// One sender for every fixture attempt: this process, a 30-second timeout.
pub(crate) fn sending() -> crate::store::Sending<'static> {
    static SENDER: std::sync::LazyLock<crate::sender::Sender> =
        std::sync::LazyLock::new(crate::sender::Sender::new);
    crate::store::Sending {
        sender: &SENDER,
        timeout_ms: 30_000,
    }
}

/// Moves an attempt to `state` with nothing else recorded.
pub(crate) async fn record_state(store: &Store, attempt_id: i64, state: AttemptState) -> Attempt {
    store
        .record(attempt_id, state, &AttemptUpdate::default())
        .await
        .unwrap()
}

/// Dates an attempt's start at `at` (unix ms), behind the store's back: an attempt of another
/// day, without waiting for it.
pub(crate) async fn set_started_at(store: &Store, attempt_id: i64, at: i64) {
    const SQL: &str = "UPDATE attempts SET created_at = $1 WHERE id = $2";
    let changed = match store.route() {
        crate::store::Route::Sqlite(pool) | crate::store::Route::Copy(pool) => {
            let done = sqlx::query(SQL).bind(at).bind(attempt_id).execute(pool);
            done.await.unwrap().rows_affected()
        }
        crate::store::Route::Postgres(pool) => {
            let done = sqlx::query(SQL).bind(at).bind(attempt_id).execute(pool);
            done.await.unwrap().rows_affected()
        }
    };
    assert_eq!(changed, 1, "attempt {attempt_id}");
}

/// A database in a fresh temporary directory as the migrations before `version` left it, with
/// `sql` (the rows it held) run on it: what opening a store from an older paydesk starts from.
/// Returns the directory's guard and the database's path.
pub(crate) async fn temp_database_before_migration(
    version: i64,
    sql: &str,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    let mut conn = SqliteConnectOptions::from_str("sqlite:")
        .unwrap()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    let mut before = sqlx::migrate!("./migrations/sqlite");
    before.migrations = Cow::Owned(
        before
            .migrations
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect(),
    );
    before.run(&mut conn).await.unwrap();
    conn.execute(sql).await.unwrap();
    conn.close().await.unwrap();
    (dir, path)
}

/// Every row of every table, as SQL literals: what "nothing changed" is judged by.
pub(crate) async fn dump(path: &Path) -> Vec<String> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
        let sql = format!(
            "SELECT '{table}: ' || {} FROM \"{table}\"",
            quoted.join(" || ',' || ")
        );
        rows.extend(
            sqlx::query_scalar::<_, String>(&sql)
                .fetch_all(&mut conn)
                .await
                .unwrap(),
        );
    }
    conn.close().await.unwrap();
    // Some tables have no rowid (the search index's): compare as sorted sets of rows.
    rows.sort();
    rows
}
