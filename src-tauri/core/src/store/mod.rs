//! The store: profiles, orders, attempts and their events, reviews, the payment history and the
//! storage's health. Its record is kept in one of two databases: this desk's SQLite file
//! (standalone: WAL, `synchronous=FULL`, so a committed journal row survives a power cut) or a
//! PostgreSQL server the merchant's desks share. The journal's SQL is written once
//! ([`journal`], compiled for each), the differences are [`dialect`]'s, and each database has
//! its own migrations embedded in the binary. Each committed change is published on the
//! store's [`ChangeFeed`] right after its transaction commits.
//!
//! One file per concern; the console's screens read through [`crate::console`].

// First: the journal's SQL (below) is built with these macros.
#[macro_use]
mod latest_attempt;
pub(crate) use latest_attempt::{holding_states, latest_attempt_of};

/// Runs `$body` against the store of record, with `$pool` its pool and `$sql` the journal's
/// SQL compiled for its database; on a shared store whose server is out of reach, against
/// the desk's read-only copy, every write refused as [`StoreError::Offline`].
macro_rules! on_record {
    ($store:expr, |$pool:ident, $sql:ident| $body:expr) => {
        match $store.route() {
            $crate::store::Route::Sqlite($pool) => {
                use $crate::store::on_sqlite::journal as $sql;
                $body
            }
            $crate::store::Route::Copy($pool) => {
                use $crate::store::on_sqlite::journal as $sql;
                $store.offline_said($body)
            }
            $crate::store::Route::Postgres($pool) => {
                use $crate::store::on_postgres::journal as $sql;
                $store.offline_said($body)
            }
        }
    };
}

mod attempts;
mod audit;
#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod bad_rows_tests;
mod cache;
mod claims;
mod desk;
mod dialect;
mod file_feed;
pub mod health;
mod history;
mod link;
mod merchant;
#[cfg(test)]
mod merchant_tests;
pub mod moving_in;
mod orders;
mod profiles;
mod reads;
mod reviews;
mod rows;
#[cfg(test)]
mod server_busy_tests;
pub mod server_url;
mod shared_feed;
mod shared_journal;
mod shared_schema;
#[cfg(test)]
mod shift_tests;
mod shifts;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::changes::{Change, ChangeFeed, Changes};
use crate::data_set::DataSet;
use crate::domain::{Actor, AttemptState};
use cache::Cache;
pub use cache::DEFAULT_WINDOW_DAYS;
pub use link::as_of_text;
use link::{is_read_only_copy, is_unreachable, Link};

pub use crate::clock::now_ms;
pub use crate::domain::{NewOrder, NewProfile};
pub use crate::settling::{AttemptUpdate, CheckVerdict};
use attempts::NewAttempt;
pub use attempts::{Checked, Sending};
pub use claims::{Claim, Claimant, OpenClaimed};
pub(crate) use dialect::Dialect;
use history::HistoryColumns;
pub use history::{HistoryFilter, HistoryRow};
pub(crate) use rows::{OrderViewRow, ORDER_VIEW_COLUMNS};
use shared_schema::bring_schema_up_to_date;
pub use shared_schema::{SchemaMismatch, SchemaUpdate};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the database at {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    /// Never the options' Debug form: it would show the password.
    #[error("could not reach the database server {server}: {source}")]
    Connect { server: String, source: sqlx::Error },
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// (`From<sqlx::Error>` lives in `health`: a full disk gets its own variant.)
    #[error("database error: {0}")]
    Sql(sqlx::Error),
    #[error("the disk holding the database is full, so nothing was written ({0}); free some space and try again")]
    DiskFull(String),
    /// Another desk's or window's work held what this needed until the database gave up
    /// waiting (a lock or statement timeout, a deadlock, a serialization failure, SQLite's
    /// busy timeout): nothing was written.
    #[error("the database was busy with other desks' or windows' work and gave up waiting, so nothing was written ({0}); try again")]
    Busy(String),
    #[error("cannot use the database at {path}: {why}")]
    Unusable { path: PathBuf, why: String },
    /// The shared store's database role may only read: nothing was written (or sent).
    #[error("this desk may only read the shared history (its database role cannot write); nothing was changed")]
    ReadOnly,
    /// The shared store's server is out of reach, or answers with a schema this paydesk does
    /// not fit (`schema_mismatch`): the desk reads its copy of the history (complete to
    /// `as_of`, unix ms), and writes nothing, so it sends nothing.
    #[error("{}", link::offline_words(*.as_of, .schema_mismatch.as_ref()))]
    Offline {
        as_of: Option<i64>,
        schema_mismatch: Option<SchemaMismatch>,
    },
    /// The shared store's schema and this paydesk do not fit: one of them must be updated first.
    #[error("{0}")]
    SharedSchema(SchemaMismatch),
    /// Moving this desk's history in found profiles or orders the shared store holds
    /// otherwise; nothing was written.
    #[error("this desk's history and the shared store's disagree, so nothing was moved: {}", .0.join("; "))]
    HistoriesDisagree(Vec<String>),
    /// A value the store refuses to keep (see `input_rules`, `base_url`); nothing was written.
    #[error("{0}")]
    Invalid(paydesk_gateways::Invalid),
    #[error("no shift {0}")]
    NoSuchShift(i64),
    #[error("desk {0} has no open shift")]
    NoOpenShift(String),
    /// The desk's shift is open already: one at a time.
    #[error("desk {} has a shift open since {} (opened by {}): close it first", .0.desk, link::as_of_text(Some(.0.opened_at)), .0.opened_by)]
    ShiftOpen(Box<crate::shifts::Shift>),
    /// Attempts of the shift still open and not acknowledged.
    #[error("the shift has payments still open: {}; settle them, or acknowledge each to close the shift", .0.iter().map(|a| format!("attempt {} of order {} ({}{})", a.attempt_id, a.order_no, a.state, if a.sandbox { ", sandbox" } else { "" })).collect::<Vec<_>>().join(", "))]
    ShiftHasOpenAttempts(Vec<crate::shifts::OpenAttemptRef>),
    /// A person's "paid" on an attempt whose order another payment has paid or is paying.
    #[error("attempt {attempt_id} cannot be marked {decision}: another payment of its order is paid or in progress")]
    OtherPaymentOfOrder {
        attempt_id: i64,
        decision: crate::domain::AttemptState,
    },
    #[error("a gateway profile named {0:?} already exists")]
    DuplicateProfile(String),
    #[error("no gateway profile named {}", crate::input_rules::shown(.0))]
    NoSuchProfile(String),
    #[error("order {0:?} already exists")]
    DuplicateOrder(String),
    #[error("no order {}", crate::input_rules::shown(.0))]
    NoSuchOrder(String),
    /// The order has no settled, uncontested payment to print a receipt of.
    #[error("order {0:?} is not paid, so it has no receipt")]
    NotPaid(String),
    #[error("no payment attempt {0}")]
    NoSuchAttempt(i64),
    /// Another attempt of the order is live; who started it, where the journal says.
    #[error("a payment for order {order_no:?} is already in progress{}", at_desk(.desk, .operator))]
    AttemptInProgress {
        order_no: String,
        desk: Option<String>,
        operator: Option<String>,
    },
    /// Another reconciler (a window, the command line, a desk) is asking about the attempt or
    /// resending it right now.
    #[error("attempt {attempt_id} is being settled{} right now; its result follows", at_desk(.desk, &None))]
    BeingSettled {
        attempt_id: i64,
        desk: Option<String>,
    },
    #[error("order {0:?} is already paid")]
    AlreadyPaid(String),
    #[error("order {0:?} is cancelled: it cannot be paid or changed")]
    OrderCancelled(String),
    /// The order was edited after it was read: what was checked against it is out of date.
    #[error("order {0:?} was changed meanwhile (at another desk or window); nothing was written or sent: look at it again")]
    OrderChanged(String),
    #[error("attempt {id} cannot go from {from} to {to}")]
    BadTransition {
        id: i64,
        from: AttemptState,
        to: AttemptState,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Offline, the copy's age and the reason filled in by the store that says it (through
    /// its link).
    pub(crate) fn offline() -> StoreError {
        StoreError::Offline {
            as_of: None,
            schema_mismatch: None,
        }
    }

    /// The order is being paid by `live`, another attempt whose fate is not yet known.
    pub fn in_progress(order_no: &str, live: &crate::domain::Attempt) -> StoreError {
        let named = |name: &str| (!name.is_empty()).then(|| name.to_string());
        StoreError::AttemptInProgress {
            order_no: order_no.to_string(),
            desk: named(&live.desk),
            operator: named(&live.operator),
        }
    }
}

/// " at DESK (OPERATOR)", or nothing where the journal does not say.
fn at_desk(desk: &Option<String>, operator: &Option<String>) -> String {
    match (desk, operator) {
        (Some(desk), Some(operator)) => format!(" at {desk} ({operator})"),
        (Some(desk), None) => format!(" at {desk}"),
        _ => String::new(),
    }
}

/// Rows per INSERT statement of an import: the driver's round trip is paid once per statement,
/// so many rows share one (7 values a row, far below either database's limit).
pub(crate) const IMPORT_ROWS_PER_STATEMENT: usize = 500;
/// Orders an import writes per statement where they travel as one JSON text (SQLite).
/// (Fewer in tests, so that their files span several statements and batches.)
pub(crate) const IMPORT_ROWS_PER_JSON: usize = if cfg!(test) { 300 } else { 5_000 };

/// The journal's SQL for a store of record in SQLite.
#[path = "journal"]
mod on_sqlite {
    pub(super) type Db = sqlx::Sqlite;
    // Loaded once per database on purpose: the same SQL, compiled for each.
    #[allow(clippy::duplicate_mod)]
    #[path = "mod.rs"]
    pub(super) mod journal;
}

/// The journal's SQL for a store of record in PostgreSQL.
#[path = "journal"]
mod on_postgres {
    pub(super) type Db = sqlx::Postgres;
    // Loaded once per database on purpose: the same SQL, compiled for each.
    #[allow(clippy::duplicate_mod)]
    #[path = "mod.rs"]
    pub(super) mod journal;
}

/// Where the store keeps its record.
#[derive(Clone)]
enum Backend {
    /// This desk's own file: standalone.
    Sqlite(SqlitePool),
    /// The merchant's server, shared by its desks.
    Postgres(PgPool, Arc<SharedFeed>),
}

/// The store of record's pool, by its database.
pub(crate) enum RecordPool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// Where a read or write goes now: the record, or the desk's copy while its server is out of
/// reach.
pub(crate) enum Route<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
    Copy(&'a SqlitePool),
}

/// `text` as an ILIKE pattern that finds it anywhere, its own `%`, `_` and `\` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// This store's part in sharing a server: its name on the change notices it sends, the task
/// listening for the others' (and learning whether the server answers), the link's state,
/// and the desk's copy of the history where the app keeps one.
struct SharedFeed {
    origin: String,
    listener: tokio::task::JoinHandle<()>,
    link: Arc<Link>,
    cache: Option<Cache>,
}

impl Drop for SharedFeed {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

#[derive(Clone)]
pub struct Store {
    record: Backend,
    /// This desk's SQLite file: its own settings, and the record itself when standalone.
    local: SqlitePool,
    path: PathBuf,
    changes: ChangeFeed,
    /// Who writes through this store (and its clones): set by the shell once it knows.
    actor: Arc<RwLock<Actor>>,
    /// The desk's data set this store holds: the demo's payments are all sandbox ones.
    data_set: DataSet,
}

fn json_map(text: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).expect("string map serializes")
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// How long a desk waits for a connection to the shared store before it takes the server
/// for out of reach.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a pooled connection to the shared store may have sat unused before it is pinged
/// when next taken: a server restarted or a link cut meanwhile then costs a new connection,
/// not a failed statement. A connection used more recently is taken as it is: the ping would
/// be one more round trip on every statement of a payment.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Where a shared desk keeps its copy of the history, which server it copies, and how many
/// days back.
pub struct KeptCopy<'a> {
    pub path: &'a Path,
    pub server: &'a str,
    pub window_days: i64,
}

/// A pool on the server, or why it cannot be reached. One connection is tried first: the
/// pool would try again and again until its timeout, where a refused connection already says
/// the server is not there.
async fn reach(server: &PgConnectOptions, options: PgPoolOptions) -> sqlx::Result<PgPool> {
    use sqlx::{ConnectOptions, Connection};
    let first = tokio::time::timeout(ACQUIRE_TIMEOUT, server.connect())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    first.close().await?;
    options.connect_with(server.clone()).await
}

/// Whether this connection's role may not write the history (a support agent's).
async fn may_only_read(pool: &PgPool) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT NOT has_table_privilege('attempts', 'INSERT')")
            .fetch_one(pool)
            .await?,
    )
}

/// What a desk checks each time it reaches its server again: that the schema fits this
/// paydesk (never migrating it) and whether its role may write.
async fn check_link(pool: &PgPool) -> Result<bool> {
    bring_schema_up_to_date(pool, SchemaUpdate::Never).await?;
    may_only_read(pool).await
}

/// A server as an error names it: user, host, port and database, never the password.
fn describe_server(server: &PgConnectOptions) -> String {
    format!(
        "{}@{}:{}/{}",
        server.get_username(),
        server.get_host(),
        server.get_port(),
        server.get_database().unwrap_or("")
    )
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date. The
    /// files are the owner's only (`private_files`): a directory or database it creates is
    /// 0700 or 0600 from the start, and existing ones are tightened before they are read.
    pub async fn open(path: &Path) -> Result<Store> {
        let io_error = |e| StoreError::Open {
            path: path.to_path_buf(),
            source: sqlx::Error::Io(e),
        };
        if let Some(dir) = path.parent() {
            crate::private_files::create_dir(dir).map_err(io_error)?;
            health::check_writable_dir(dir, path)?;
        }
        crate::private_files::protect_database(path);
        health::before_open(path).await?;
        // Created here rather than by SQLite, which would make it 0644 (less the umask); its
        // -wal and -shm files take the database file's mode.
        crate::private_files::create_file(path).map_err(io_error)?;
        let options = SqliteConnectOptions::from_str("sqlite:")
            .expect("static URL")
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection is a thread in this process, not a socket that may have died: pinging
            // it before every statement only costs a round trip to that thread.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // SQLite makes its -wal and -shm files with the database's mode; ones another process
        // left open to others are tightened now that they exist.
        crate::private_files::protect_database(path);
        Ok(Store {
            record: Backend::Sqlite(pool.clone()),
            local: pool,
            path: path.to_path_buf(),
            changes: ChangeFeed::default(),
            actor: Arc::default(),
            data_set: DataSet::Live,
        })
    }

    /// This store as the desk's demo: its payments are sandbox ones, shown as the demo's
    /// money, and it takes no real gateway profile.
    pub fn for_demo(mut self) -> Store {
        self.data_set = DataSet::Demo;
        self
    }

    pub fn data_set(&self) -> DataSet {
        self.data_set
    }

    /// Whether a sandbox profile's payments count in totals: only in the demo, which holds
    /// nothing else; in live data they are never money.
    pub fn counts_sandbox(&self) -> bool {
        self.data_set == DataSet::Demo
    }

    /// Keeps the record on a PostgreSQL server (migrating its schema first), with this desk's
    /// own settings in the SQLite file at `local`.
    pub async fn open_shared(server: PgConnectOptions, local: &Path) -> Result<Store> {
        Store::open(local)
            .await?
            .with_shared_record(server, SchemaUpdate::IfOwner)
            .await
    }

    /// This desk's store (opened on its own file) with its record kept on a PostgreSQL
    /// server from now on: its settings, who it writes as and its change feed stay.
    pub async fn with_shared_record(
        self,
        server: PgConnectOptions,
        update: SchemaUpdate,
    ) -> Result<Store> {
        self.sharing(server, update, None).await
    }

    /// As [`Store::with_shared_record`] (never migrating), keeping the desk's copy of the
    /// history up to date in the file at `copy`. A server out of reach opens the store
    /// offline on that copy; it comes online when the server answers.
    pub async fn with_shared_record_and_copy(
        self,
        server: PgConnectOptions,
        copy: KeptCopy<'_>,
    ) -> Result<Store> {
        self.sharing(server, SchemaUpdate::Never, Some(copy)).await
    }

    async fn sharing(
        self,
        server: PgConnectOptions,
        update: SchemaUpdate,
        copy: Option<KeptCopy<'_>>,
    ) -> Result<Store> {
        let described = describe_server(&server);
        let connect_error = |source| StoreError::Connect {
            server: described.clone(),
            source,
        };
        let options = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            // The guards are written for READ COMMITTED (`Dialect::begin_write`): a server
            // whose default a DBA set higher would fail their waits as serialization errors.
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::Executor::execute(
                        conn,
                        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
                    )
                    .await
                    .map(drop)
                })
            })
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            });
        let mut unfit = None;
        let (pool, listening, read_only) = match reach(&server, options.clone()).await {
            Ok(pool) => match bring_schema_up_to_date(&pool, update).await {
                // As when a newer paydesk brings the schema forward while this desk runs:
                // the desk reads its copy and says why, until the schema fits.
                Err(StoreError::SharedSchema(mismatch))
                    if copy.is_some() && update == SchemaUpdate::Never =>
                {
                    tracing::info!(server = %described, error = %mismatch, "the shared store does not fit this paydesk; reading this desk's copy");
                    unfit = Some(mismatch);
                    (pool, None, false)
                }
                checked => {
                    checked?;
                    let read_only = may_only_read(&pool).await?;
                    let listening = shared_feed::connect(&pool).await.map_err(connect_error)?;
                    (pool, Some(listening), read_only)
                }
            },
            Err(source) if copy.is_some() && is_unreachable(&source) => {
                tracing::debug!(server = %described, error = %source, "the shared store is out of reach; reading this desk's copy");
                (options.connect_lazy_with(server), None, false)
            }
            Err(source) => return Err(connect_error(source)),
        };
        let link = Arc::new(Link::new(listening.is_some(), read_only));
        link.set_schema_mismatch(unfit);
        let cache = match &copy {
            Some(copy) => {
                let cache = Cache::open(copy.path, copy.server, &link).await?;
                cache.keep(
                    pool.clone(),
                    link.clone(),
                    self.changes.subscribe(),
                    copy.window_days,
                );
                Some(cache)
            }
            None => None,
        };
        let origin = uuid::Uuid::new_v4().simple().to_string();
        let listener = shared_feed::start(
            pool.clone(),
            listening,
            origin.clone(),
            self.changes.clone(),
            link.clone(),
        );
        let feed = Arc::new(SharedFeed {
            origin,
            listener,
            link,
            cache,
        });
        Ok(Store {
            record: Backend::Postgres(pool, feed),
            ..self
        })
    }

    /// Now, in unix ms, by the clock that decides: the server's when the record is shared
    /// (desks' clocks may disagree), this machine's (or a simulation's) otherwise. Offline,
    /// no clock decides anything: [`StoreError::Offline`].
    pub async fn now(&self) -> Result<i64> {
        match self.route() {
            Route::Sqlite(pool) => Ok(<sqlx::Sqlite as dialect::Dialect>::now(pool).await?),
            Route::Copy(_) => self.offline_said(Err(StoreError::offline())),
            Route::Postgres(pool) => {
                self.offline_said(Ok(<sqlx::Postgres as dialect::Dialect>::now(pool).await?))
            }
        }
    }

    /// Where reads and writes go now.
    pub(crate) fn route(&self) -> Route<'_> {
        match &self.record {
            Backend::Sqlite(pool) => Route::Sqlite(pool),
            Backend::Postgres(pool, shared) => match &shared.cache {
                Some(cache) if !shared.link.is_reachable() => Route::Copy(&cache.reader),
                _ => Route::Postgres(pool),
            },
        }
    }

    /// `result`, with a server out of reach (or a write meeting the desk's read-only copy)
    /// said as [`StoreError::Offline`].
    pub(crate) fn offline_said<T>(&self, result: Result<T>) -> Result<T> {
        let Backend::Postgres(_, shared) = &self.record else {
            return result;
        };
        match result {
            Err(StoreError::Sql(e)) if is_unreachable(&e) || is_read_only_copy(&e) => {
                Err(shared.link.offline())
            }
            Err(StoreError::Offline { .. }) => Err(shared.link.offline()),
            other => other,
        }
    }

    /// Copies these orders into the desk's copy of the shared history now, where it keeps one
    /// and the server answers (the keeper copies what the change feed names too, but a
    /// command that ends at once may not wait for it). A copy that fails is only logged: the
    /// record has what was committed.
    pub async fn keep_copy(&self, order_nos: &[String]) {
        let Backend::Postgres(pool, shared) = &self.record else {
            return;
        };
        if let (Some(cache), true) = (&shared.cache, shared.link.is_reachable()) {
            if let Err(e) = cache.copy_now(pool, order_nos).await {
                tracing::warn!(error = %e, "could not copy orders to this desk's copy");
            }
        }
    }

    /// Whether the store of record answers as far as this desk knows: always standalone; on
    /// a shared store, while its link is up.
    pub fn is_reachable(&self) -> bool {
        match &self.record {
            Backend::Sqlite(_) => true,
            Backend::Postgres(_, shared) => shared.link.is_reachable(),
        }
    }

    /// Why the shared store is out of reach when its schema and this paydesk's differ (the
    /// server answers, but this desk may not use it); none otherwise.
    pub fn schema_mismatch(&self) -> Option<SchemaMismatch> {
        match &self.record {
            Backend::Postgres(_, shared) => shared.link.schema_mismatch(),
            Backend::Sqlite(_) => None,
        }
    }

    /// Until when this desk's copy of the shared history is complete (unix ms, the server's
    /// clock); none standalone or before its first copy.
    pub fn copy_as_of(&self) -> Option<i64> {
        match &self.record {
            Backend::Postgres(_, shared) if shared.cache.is_some() => shared.link.as_of(),
            _ => None,
        }
    }

    /// Whether this desk may only read the history: a shared store reached through a role that
    /// cannot write (a support agent's).
    pub fn is_read_only(&self) -> bool {
        matches!(&self.record, Backend::Postgres(_, shared) if shared.link.is_read_only())
    }

    /// The version of the record's schema: its latest migration.
    pub async fn schema_version(&self) -> Result<i64> {
        let sql = "SELECT COALESCE(max(version), 0) FROM _sqlx_migrations WHERE success";
        match self.route() {
            Route::Sqlite(pool) => Ok(sqlx::query_scalar(sql).fetch_one(pool).await?),
            Route::Copy(_) => self.offline_said(Err(StoreError::offline())),
            Route::Postgres(pool) => {
                self.offline_said(Ok(sqlx::query_scalar(sql).fetch_one(pool).await?))
            }
        }
    }

    /// Whether the record is kept on a shared server.
    pub fn is_shared(&self) -> bool {
        matches!(self.record, Backend::Postgres(..))
    }

    /// The store of record's pool, for the reads whose SQL is each database's own (the orders
    /// list's search).
    pub(crate) fn record_pool(&self) -> RecordPool<'_> {
        match self.route() {
            Route::Sqlite(pool) | Route::Copy(pool) => RecordPool::Sqlite(pool),
            Route::Postgres(pool) => RecordPool::Postgres(pool),
        }
    }

    /// The shared server's pool, for tests that reach behind the store.
    #[cfg(test)]
    pub(crate) fn shared_pool(&self) -> Option<&PgPool> {
        match &self.record {
            Backend::Postgres(pool, _) => Some(pool),
            Backend::Sqlite(_) => None,
        }
    }

    /// This desk's SQLite file, for tests that reach behind the store.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.local
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who the writes from now on are recorded as.
    pub fn set_actor(&self, actor: Actor) {
        *self.actor.write().unwrap_or_else(|e| e.into_inner()) = actor;
    }

    pub fn actor(&self) -> Actor {
        self.actor.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub async fn close(&self) {
        if let Backend::Postgres(pool, feed) = &self.record {
            feed.listener.abort();
            if let Some(cache) = &feed.cache {
                cache.close().await;
            }
            pool.close().await;
        }
        self.local.close().await;
    }

    /// Every change committed through this store (and its clones) from now on.
    pub fn subscribe(&self) -> Changes {
        self.changes.subscribe()
    }

    /// Publishes what a committed transaction changed, here and (sharing a server) to the
    /// other desks.
    pub(crate) fn publish(&self, change: Change) {
        if let Backend::Postgres(pool, feed) = &self.record {
            let (pool, origin, change) = (pool.clone(), feed.origin.clone(), change.clone());
            tokio::spawn(async move { shared_feed::notify(&pool, &origin, &change).await });
        }
        self.changes.publish(change);
    }

    /// This store's name on the change notices it sends to the other desks sharing its server.
    pub(crate) fn origin(&self) -> &str {
        match &self.record {
            Backend::Postgres(_, feed) => &feed.origin,
            Backend::Sqlite(_) => "",
        }
    }

    /// Publishes a change on this desk's feed only: the statement that committed it told the
    /// other desks itself.
    pub(crate) fn publish_here(&self, change: Change) {
        self.changes.publish(change);
    }

    /// Publishes that these attempts changed, naming their orders when anyone listens.
    async fn publish_attempts(&self, attempt_ids: Vec<i64>) {
        // Other desks may listen where the store is shared.
        if attempt_ids.is_empty() || !(self.changes.is_heard() || self.is_shared()) {
            return;
        }
        match self.order_nos_of(&attempt_ids).await {
            Ok(order_nos) => self.publish(Change::Attempts {
                order_nos,
                attempt_ids,
            }),
            Err(e) => {
                // The change is committed all the same: listeners refresh all they show.
                tracing::warn!(error = %e, "could not name the orders of changed attempts");
                self.publish(Change::Everything);
            }
        }
    }
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod claims_tests;

#[cfg(test)]
#[path = "cache_tests.rs"]
mod cache_tests;

#[cfg(test)]
#[path = "roles_tests.rs"]
mod roles_tests;

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tls_tests;

#[cfg(test)]
#[path = "feed_tests.rs"]
mod feed_tests;

#[cfg(test)]
#[path = "file_feed_tests.rs"]
mod file_feed_tests;

#[cfg(test)]
#[path = "scale_tests.rs"]
mod scale_tests;

#[cfg(test)]
#[path = "latest_attempt_tests.rs"]
mod latest_attempt_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AttemptState;
    use crate::test_support::{
        add_profile_and_order, another_desk, begin_attempt, new_order, record_state, store_contract,
    };
    use paydesk_gateways::{Currency, Money};

    store_contract! {

        async fn one_live_attempt_per_order_is_enforced_by_the_database(store) {
            let order = add_profile_and_order(&store).await;
            assert_eq!(order.amount, "12.34");
            let first = begin_attempt(&store, &order, "balance", "k1")
                .await
                .unwrap();
            assert_eq!(first.state, AttemptState::Submitting);
            let second = begin_attempt(&store, &order, "balance", "k2").await;
            assert!(
                matches!(second, Err(StoreError::AttemptInProgress { .. })),
                "{second:?}"
            );

            record_state(&store, first.id, AttemptState::Failed).await;
            let retry = begin_attempt(&store, &order, "balance", "k3")
                .await
                .unwrap();
            record_state(&store, retry.id, AttemptState::Succeeded).await;
            let after_paid = begin_attempt(&store, &order, "balance", "k4").await;
            assert!(
                matches!(after_paid, Err(StoreError::AlreadyPaid(_))),
                "{after_paid:?}"
            );

            let states: Vec<_> = store
                .events(retry.id)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.state)
                .collect();
            assert_eq!(
                states,
                [
                    AttemptState::Created,
                    AttemptState::Submitting,
                    AttemptState::Succeeded
                ]
            );
            assert_eq!(
                store.order("o-1").await.unwrap().state,
                Some(AttemptState::Succeeded)
            );
        }

        async fn desks_racing_to_pay_one_order_start_exactly_one_attempt(store) {
            let order = add_profile_and_order(&store).await;
            let mut desks = Vec::new();
            for n in 0..4 {
                let (dir, desk) = another_desk(&store).await;
                desk.set_actor(Actor {
                    desk: format!("desk-{n}"),
                    operator: format!("operator-{n}"),
                });
                desks.push((dir, desk));
            }
            let mut race = tokio::task::JoinSet::new();
            for (n, (_, desk)) in desks.iter().enumerate() {
                let (desk, order) = (desk.clone(), order.clone());
                race.spawn(async move {
                    begin_attempt(&desk, &order, "balance", &format!("key-{n}")).await
                });
            }
            let results = race.join_all().await;
            let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(won.len(), 1, "{results:?}");
            let winner = &won[0].desk;
            for lost in results.iter().filter_map(|r| r.as_ref().err()) {
                match lost {
                    StoreError::AttemptInProgress { desk, operator, .. } => {
                        assert_eq!(desk.as_ref(), Some(winner));
                        assert_eq!(operator.as_deref(), Some(&*winner.replace("desk", "operator")));
                    }
                    other => panic!("{other}"),
                }
            }
            assert_eq!(store.attempts("o-1").await.unwrap().len(), 1);
            let message = results.iter().find_map(|r| r.as_ref().err()).unwrap().to_string();
            assert!(message.ends_with(&format!("in progress at {winner} ({})", winner.replace("desk", "operator"))), "{message}");
        }

        async fn the_database_role_is_recorded_by_a_shared_store_and_absent_standalone(store) {
            let order = add_profile_and_order(&store).await;
            let a = begin_attempt(&store, &order, "balance", "k1").await.unwrap();
            let events = store.events(a.id).await.unwrap();
            match store.shared_pool() {
                Some(pool) => {
                    let role: String = sqlx::query_scalar("SELECT current_user::text")
                        .fetch_one(pool)
                        .await
                        .unwrap();
                    assert_eq!(a.db_role.as_deref(), Some(role.as_str()));
                    assert!(events.iter().all(|e| e.db_role.as_deref() == Some(role.as_str())));
                }
                None => {
                    assert_eq!(a.db_role, None);
                    assert!(events.iter().all(|e| e.db_role.is_none()));
                }
            }
        }

        async fn refuses_transitions_outside_the_state_machine(store) {
            let order = add_profile_and_order(&store).await;
            let a = begin_attempt(&store, &order, "balance", "k1")
                .await
                .unwrap();
            record_state(&store, a.id, AttemptState::Succeeded).await;
            let again = store
                .record(a.id, AttemptState::Failed, &AttemptUpdate::default())
                .await;
            assert!(matches!(again, Err(StoreError::BadTransition { .. })));
            assert_eq!(
                store.attempt(a.id).await.unwrap().state,
                AttemptState::Succeeded
            );
        }

        async fn duplicates_are_clear_errors(store) {
            add_profile_and_order(&store).await;
            let dup = store
                .add_order(&new_order("p", "o-1", Money::from_minor(1, Currency::CNY)))
                .await;
            assert!(matches!(dup, Err(StoreError::DuplicateOrder(_))));
            assert!(matches!(
                store.profile("nope").await,
                Err(StoreError::NoSuchProfile(_))
            ));
        }
    }
}
