//! The SQLite store: profiles, orders, attempts and their events. WAL, `synchronous=FULL`
//! (a committed journal row survives a power cut), migrations embedded in the binary.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use paydesk_gateways::{Currency, Money};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::Row;

use crate::domain::{Attempt, AttemptEvent, AttemptState, OrderView, Profile};
use crate::sender::Sender;
pub use crate::settling::{AttemptUpdate, CheckVerdict};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the database at {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// (`From<sqlx::Error>` lives in `storage_health`: a full disk gets its own variant.)
    #[error("database error: {0}")]
    Sql(sqlx::Error),
    #[error("the disk holding the database is full, so nothing was written ({0}); free some space and try again")]
    DiskFull(String),
    #[error("cannot use the database at {path}: {why}")]
    Unusable { path: PathBuf, why: String },
    #[error("{0}")]
    BadBaseUrl(String),
    /// A value the store refuses to keep (see `input_rules`); nothing was written.
    #[error("{0}")]
    BadInput(String),
    #[error("a gateway profile named {0:?} already exists")]
    DuplicateProfile(String),
    #[error("no gateway profile named {0:?}")]
    NoSuchProfile(String),
    #[error("order {0:?} already exists")]
    DuplicateOrder(String),
    #[error("no order {0:?}")]
    NoSuchOrder(String),
    #[error("no payment attempt {0}")]
    NoSuchAttempt(i64),
    #[error("a payment for order {0:?} is already in progress")]
    AttemptInProgress(String),
    #[error("order {0:?} is already paid")]
    AlreadyPaid(String),
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

/// Who sends a request and how long it waits for the answer, journaled with the attempt
/// each time its request leaves ([`crate::sender`]).
#[derive(Debug, Clone, Copy)]
pub struct Sending<'a> {
    pub sender: &'a Sender,
    pub timeout_ms: i64,
}

/// When the reconciler asks about a pending or unknown attempt again: quickly at first, then
/// backing off to once every ten minutes.
pub fn next_check_delay_ms(checks: i64) -> i64 {
    let seconds = 2_i64.saturating_pow(checks.clamp(0, 20) as u32).min(600);
    seconds * 1000
}

#[derive(Debug, Clone)]
pub struct NewProfile {
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub settings: BTreeMap<String, String>,
    pub is_sandbox: bool,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub order_no: String,
    pub profile: String,
    pub amount: Money,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

/// Rows per multi-row statement: well under SQLite's limit on bound values.
const CHUNK_ROWS: usize = 256;

/// One status check as it is recorded by [`Store::record_checks`]: the attempt as it was
/// read, what the answer concluded, and whether asking sent the payment again (a status query
/// that is a resend, as TOP's is), which counts against the bound on resends.
#[derive(Debug, Clone)]
pub struct Checked {
    pub seen: Attempt,
    pub verdict: CheckVerdict,
    pub resent: bool,
}

impl Sending<'_> {
    /// When anyone else may take over a request sent `now` this way.
    fn deadline(&self, now: i64) -> i64 {
        crate::sender::deadline(&crate::sender::SendRecord {
            sender: None,
            process: None,
            sent_at: now,
            timeout_ms: Some(self.timeout_ms),
        })
    }
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

pub use crate::clock::now_ms;

fn json_map(text: &str) -> Result<BTreeMap<String, String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn to_json(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map).expect("string map serializes")
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
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
            crate::storage_health::check_writable_dir(dir, path)?;
        }
        crate::private_files::protect_database(path);
        crate::storage_health::before_open(path).await?;
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
        sqlx::migrate!("./migrations").run(&pool).await?;
        // SQLite makes its -wal and -shm files with the database's mode; ones another process
        // left open to others are tightened now that they exist.
        crate::private_files::protect_database(path);
        Ok(Store {
            pool,
            path: path.to_path_buf(),
        })
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- profiles ----

    pub async fn create_profile(&self, new: &NewProfile) -> Result<Profile> {
        crate::base_url::check(&new.base_url).map_err(StoreError::BadBaseUrl)?;
        crate::base_url::proxy(&new.settings).map_err(StoreError::BadBaseUrl)?;
        let vault_id = uuid::Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO profiles (name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.name)
        .bind(&new.gateway)
        .bind(&new.base_url)
        .bind(to_json(&new.settings))
        .bind(new.is_sandbox)
        .bind(&vault_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::DuplicateProfile(new.name.clone()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => self.profile(&new.name).await,
        }
    }

    fn profile_from_row(row: &SqliteRow) -> Result<Profile> {
        Ok(Profile {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            gateway: row.try_get("gateway")?,
            base_url: row.try_get("base_url")?,
            settings: json_map(row.try_get("settings")?)?,
            is_sandbox: row.try_get("is_sandbox")?,
            vault_id: row.try_get("vault_id")?,
        })
    }

    pub async fn profile(&self, name: &str) -> Result<Profile> {
        let row = sqlx::query("SELECT * FROM profiles WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchProfile(name.to_string()))?;
        Self::profile_from_row(&row)
    }

    pub async fn profiles(&self) -> Result<Vec<Profile>> {
        sqlx::query("SELECT * FROM profiles ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::profile_from_row)
            .collect()
    }

    pub async fn set_profile_base_url(&self, name: &str, base_url: &str) -> Result<()> {
        crate::base_url::check(base_url).map_err(StoreError::BadBaseUrl)?;
        let done = sqlx::query("UPDATE profiles SET base_url = ? WHERE name = ?")
            .bind(base_url)
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchProfile(name.to_string()));
        }
        Ok(())
    }

    // ---- orders ----

    pub async fn add_order(&self, new: &NewOrder) -> Result<OrderView> {
        crate::input_rules::check_new_order(new).map_err(StoreError::BadInput)?;
        let profile = self.profile(&new.profile).await?;
        let inserted = sqlx::query(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.order_no)
        .bind(profile.id)
        .bind(new.amount.minor)
        .bind(new.amount.currency.code())
        .bind(&new.subject)
        .bind(to_json(&new.attributes))
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::DuplicateOrder(new.order_no.clone()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => self.order(&new.order_no).await,
        }
    }

    const ORDER_VIEW: &'static str = "
        SELECT o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
               p.name AS profile, p.gateway, p.is_sandbox,
               a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at
        FROM orders o
        JOIN profiles p ON p.id = o.profile_id
        LEFT JOIN attempts a ON a.id = (SELECT max(id) FROM attempts WHERE order_id = o.id)";

    fn order_from_row(row: &SqliteRow) -> Result<OrderView> {
        let currency_code: String = row.try_get("currency")?;
        let currency =
            Currency::parse(&currency_code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let amount_minor: i64 = row.try_get("amount_minor")?;
        let state: Option<String> = row.try_get("state")?;
        Ok(OrderView {
            id: row.try_get("id")?,
            order_no: row.try_get("order_no")?,
            profile: row.try_get("profile")?,
            gateway: row.try_get("gateway")?,
            is_sandbox: row.try_get("is_sandbox")?,
            amount_minor,
            currency: currency_code,
            amount: Money::from_minor(amount_minor, currency).to_decimal_string(),
            subject: row.try_get("subject")?,
            attributes: json_map(row.try_get("attributes")?)?,
            state: state
                .map(|s| {
                    AttemptState::parse(&s)
                        .ok_or_else(|| StoreError::Corrupt(format!("state {s:?}")))
                })
                .transpose()?,
            channel: row.try_get("channel")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub async fn order(&self, order_no: &str) -> Result<OrderView> {
        let row = sqlx::query(&format!("{} WHERE o.order_no = ?", Self::ORDER_VIEW))
            .bind(order_no)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
        Self::order_from_row(&row)
    }

    /// The newest orders first, at most `limit`.
    pub async fn orders(&self, limit: i64) -> Result<Vec<OrderView>> {
        sqlx::query(&format!("{} ORDER BY o.id DESC LIMIT ?", Self::ORDER_VIEW))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::order_from_row)
            .collect()
    }

    // ---- attempts ----

    fn attempt_from_row(row: &SqliteRow) -> Result<Attempt> {
        let state: String = row.try_get("state")?;
        Ok(Attempt {
            id: row.try_get("id")?,
            order_id: row.try_get("order_id")?,
            channel: row.try_get("channel")?,
            state: AttemptState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("state {state:?}")))?,
            idempotency_key: row.try_get("idempotency_key")?,
            amount_minor: row.try_get("amount_minor")?,
            gateway_ref: row.try_get("gateway_ref")?,
            pay_url: row.try_get("pay_url")?,
            error_code: row.try_get("error_code")?,
            error_message: row.try_get("error_message")?,
            deductions: row.try_get("deductions")?,
            coupon: row.try_get("coupon")?,
            credit_minor: row.try_get("credit_minor")?,
            checks: row.try_get("checks")?,
            resends: row.try_get("resends")?,
            contested: row.try_get("contested")?,
            gateway_deduction_minor: row.try_get("gateway_deduction_minor")?,
            sent_at: row.try_get("sent_at")?,
            sender_timeout_ms: row.try_get("sender_timeout_ms")?,
            sender: row.try_get("sender")?,
            sender_process: row.try_get("sender_process")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    pub async fn attempt(&self, id: i64) -> Result<Attempt> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoSuchAttempt(id))?;
        Self::attempt_from_row(&row)
    }

    /// Every attempt of an order, oldest first.
    pub async fn attempts(&self, order_no: &str) -> Result<Vec<Attempt>> {
        let order = self.order(order_no).await?;
        sqlx::query("SELECT * FROM attempts WHERE order_id = ? ORDER BY id")
            .bind(order.id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::attempt_from_row)
            .collect()
    }

    pub async fn events(&self, attempt_id: i64) -> Result<Vec<AttemptEvent>> {
        let rows = sqlx::query("SELECT * FROM attempt_events WHERE attempt_id = ? ORDER BY id")
            .bind(attempt_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let state: String = row.try_get("state")?;
                Ok(AttemptEvent {
                    attempt_id: row.try_get("attempt_id")?,
                    state: AttemptState::parse(&state)
                        .ok_or_else(|| StoreError::Corrupt(format!("state {state:?}")))?,
                    detail: row.try_get("detail")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    /// Journals a new attempt as `submitting` (with its `created` and `submitting` events) in
    /// one durable transaction. Only after this returns may the request be sent. The database
    /// refuses a second live attempt for the same order.
    // One argument per journaled column: a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn begin_attempt(
        &self,
        order_id: i64,
        order_no: &str,
        channel: &str,
        idempotency_key: &str,
        amount_minor: i64,
        deductions_json: &str,
        coupon: Option<&str>,
        credit_minor: Option<i64>,
        sending: Sending<'_>,
    ) -> Result<Attempt> {
        let now = now_ms();
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY (no waiting) when another writer got in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let inserted = sqlx::query(
            "INSERT INTO attempts (order_id, channel, state, idempotency_key, amount_minor, deductions,
                                   coupon, credit_minor, created_at, updated_at, next_check_at,
                                   sender, sender_process, sender_timeout_ms, sent_at)
             VALUES (?, ?, 'submitting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING *",
        )
        .bind(order_id)
        .bind(channel)
        .bind(idempotency_key)
        .bind(amount_minor)
        .bind(deductions_json)
        .bind(coupon)
        .bind(credit_minor)
        .bind(now)
        .bind(now)
        // Should its sender never record the answer, the reconciler finds the attempt due
        // once the sender's own time is up, and settles it.
        .bind(sending.deadline(now))
        .bind(&sending.sender.id)
        .bind(&sending.sender.process)
        .bind(sending.timeout_ms)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let attempt = match inserted {
            Ok(row) => Self::attempt_from_row(&row)?,
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let paid: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM attempts WHERE order_id = ? AND state = 'succeeded'",
                )
                .bind(order_id)
                .fetch_optional(&self.pool)
                .await?;
                return Err(match paid {
                    Some(_) => StoreError::AlreadyPaid(order_no.to_string()),
                    None => StoreError::AttemptInProgress(order_no.to_string()),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let events =
            [AttemptState::Created, AttemptState::Submitting].map(|s| (attempt.id, s, None));
        Self::add_events(&mut tx, &events, now).await?;
        tx.commit().await?;
        Ok(attempt)
    }

    /// Moves an attempt to `next` with its event, refusing transitions the state machine
    /// does not allow (checked inside the transaction, so two writers cannot both move it).
    pub async fn record(
        &self,
        attempt_id: i64,
        next: AttemptState,
        update: &AttemptUpdate,
    ) -> Result<Attempt> {
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY (no waiting) when another writer got in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let Some(attempt) = Self::move_attempt(&mut tx, attempt_id, next, update, now).await?
        else {
            let from = Self::current_state(&mut tx, attempt_id).await?.0;
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from,
                to: next,
            });
        };
        Self::add_events(&mut tx, &[(attempt_id, next, update.detail.clone())], now).await?;
        tx.commit().await?;
        Ok(attempt)
    }

    /// Moves an unknown attempt back to `submitting` to send its request again under its own
    /// idempotency key, counting the resend, in one durable transaction: only after this
    /// returns may the request leave.
    pub async fn record_resend(
        &self,
        attempt_id: i64,
        detail: &str,
        sending: Sending<'_>,
    ) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let update = AttemptUpdate {
            detail: Some(detail.to_string()),
            ..AttemptUpdate::default()
        };
        let moved =
            Self::move_attempt(&mut tx, attempt_id, AttemptState::Submitting, &update, now).await?;
        if moved.is_none() {
            let from = Self::current_state(&mut tx, attempt_id).await?.0;
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from,
                to: AttemptState::Submitting,
            });
        }
        let row = sqlx::query(
            "UPDATE attempts SET resends = resends + 1, next_check_at = ?, sender = ?,
                sender_process = ?, sender_timeout_ms = ?, sent_at = ?
             WHERE id = ? RETURNING *",
        )
        .bind(sending.deadline(now))
        .bind(&sending.sender.id)
        .bind(&sending.sender.process)
        .bind(sending.timeout_ms)
        .bind(now)
        .bind(attempt_id)
        .fetch_one(&mut *tx)
        .await?;
        Self::add_events(
            &mut tx,
            &[(attempt_id, AttemptState::Submitting, update.detail)],
            now,
        )
        .await?;
        tx.commit().await?;
        Self::attempt_from_row(&row)
    }

    /// Records what many status checks concluded, in one durable transaction. A check whose
    /// attempt has moved on since it was read (a callback, a person, another reconciler)
    /// changes nothing: the newer fact stands. Returns the attempts whose state changed.
    pub async fn record_checks(&self, checks: &[Checked]) -> Result<Vec<Attempt>> {
        let now = now_ms();
        let mut settles = Vec::new();
        let mut inconclusive = Vec::new();
        for Checked {
            seen,
            verdict,
            resent,
        } in checks
        {
            let resent = i64::from(*resent);
            match verdict {
                // A status answer never sends anything, so never moves an attempt to submitting.
                CheckVerdict::Settle(next, update)
                    if seen.state.can_become(*next) && *next != AttemptState::Submitting =>
                {
                    settles.push((seen, *next, update, resent))
                }
                CheckVerdict::Settle(next, _) => {
                    tracing::warn!(attempt = seen.id, from = %seen.state, to = %next, "a status answer contradicts the attempt's state; set aside");
                }
                CheckVerdict::Inconclusive => inconclusive.push((seen, resent)),
            }
        }
        let mut changed = Vec::new();
        let mut noted = 0;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // A statement per kind of verdict and chunk, each row guarded by the state and number
        // of checks it was read with: the driver's round trip is paid per chunk, not per row.
        for chunk in settles.chunks(CHUNK_ROWS) {
            let mut sql = sqlx::QueryBuilder::new(
                "WITH v(id, seen_state, seen_checks, next, next_check_at, gateway_ref, pay_url,
                        gateway_deduction_minor, error_code, error_message, resent) AS (",
            );
            sql.push_values(chunk, |mut row, (seen, next, update, resent)| {
                let next_check_at = matches!(next, AttemptState::Pending | AttemptState::Unknown)
                    .then(|| now + next_check_delay_ms(0));
                row.push_bind(seen.id)
                    .push_bind(seen.state.as_str())
                    .push_bind(seen.checks)
                    .push_bind(next.as_str())
                    .push_bind(next_check_at)
                    .push_bind(&update.gateway_ref)
                    .push_bind(&update.pay_url)
                    .push_bind(update.gateway_deduction_minor)
                    .push_bind(&update.error_code)
                    .push_bind(&update.error_message)
                    .push_bind(*resent);
            });
            sql.push(") UPDATE attempts SET state = v.next, updated_at = ")
                .push_bind(now)
                .push(
                    ", next_check_at = v.next_check_at,
                   gateway_ref = COALESCE(v.gateway_ref, attempts.gateway_ref),
                   pay_url = COALESCE(v.pay_url, attempts.pay_url),
                   gateway_deduction_minor =
                     COALESCE(v.gateway_deduction_minor, attempts.gateway_deduction_minor),
                   error_code = v.error_code, error_message = v.error_message,
                   resends = attempts.resends + v.resent
                 FROM v
                 WHERE attempts.id = v.id AND attempts.state = v.seen_state
                   AND attempts.checks = v.seen_checks
                 RETURNING *",
                );
            for row in sql.build().fetch_all(&mut *tx).await? {
                changed.push(Self::attempt_from_row(&row)?);
            }
        }
        for chunk in inconclusive.chunks(CHUNK_ROWS) {
            let mut sql = sqlx::QueryBuilder::new(
                "WITH v(id, seen_state, seen_checks, next_check_at, resent) AS (",
            );
            sql.push_values(chunk, |mut row, (seen, resent)| {
                row.push_bind(seen.id)
                    .push_bind(seen.state.as_str())
                    .push_bind(seen.checks)
                    .push_bind(now + next_check_delay_ms(seen.checks + 1))
                    .push_bind(*resent);
            });
            sql.push(
                ") UPDATE attempts SET checks = v.seen_checks + 1, next_check_at = v.next_check_at,
                   resends = attempts.resends + v.resent
                 FROM v
                 WHERE attempts.id = v.id AND attempts.state = v.seen_state
                   AND attempts.checks = v.seen_checks",
            );
            noted += sql.build().execute(&mut *tx).await?.rows_affected();
        }
        let details: HashMap<i64, &Option<String>> = settles
            .iter()
            .map(|(seen, _, update, _)| (seen.id, &update.detail))
            .collect();
        let events: Vec<_> = changed
            .iter()
            .map(|a| (a.id, a.state, details[&a.id].clone()))
            .collect();
        Self::add_events(&mut tx, &events, now).await?;
        tx.commit().await?;
        let set_aside = settles.len() + inconclusive.len() - changed.len() - noted as usize;
        if set_aside > 0 {
            tracing::info!(
                set_aside,
                "attempts moved on while their status was asked; their answers were set aside"
            );
        }
        changed.sort_by_key(|a| a.id);
        Ok(changed)
    }

    async fn current_state(
        tx: &mut sqlx::SqliteConnection,
        attempt_id: i64,
    ) -> Result<(AttemptState, i64)> {
        let (state, checks): (String, i64) =
            sqlx::query_as("SELECT state, checks FROM attempts WHERE id = ?")
                .bind(attempt_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        let state =
            AttemptState::parse(&state).ok_or_else(|| StoreError::Corrupt(state.clone()))?;
        Ok((state, checks))
    }

    /// The attempt's move to `next` inside the caller's transaction, if the state machine
    /// allows it from the state the attempt is in; `None` when it does not (or there is no
    /// such attempt).
    async fn move_attempt(
        tx: &mut sqlx::SqliteConnection,
        attempt_id: i64,
        next: AttemptState,
        update: &AttemptUpdate,
        now: i64,
    ) -> Result<Option<Attempt>> {
        let next_check_at = match next {
            AttemptState::Pending | AttemptState::Unknown => Some(now + next_check_delay_ms(0)),
            // Only record_resend and begin_attempt send; they set the sender's own deadline.
            AttemptState::Submitting => {
                Some(now + crate::sender::UNRECORDED_TIMEOUT_MS + crate::sender::TAKEOVER_GRACE_MS)
            }
            _ => None,
        };
        let row = sqlx::query(
            "UPDATE attempts SET state = ?, updated_at = ?, next_check_at = ?,
                gateway_ref = COALESCE(?, gateway_ref), pay_url = COALESCE(?, pay_url),
                gateway_deduction_minor = COALESCE(?, gateway_deduction_minor),
                error_code = ?, error_message = ?
             WHERE id = ? AND state IN (SELECT value FROM json_each(?))
             RETURNING *",
        )
        .bind(next.as_str())
        .bind(now)
        .bind(next_check_at)
        .bind(&update.gateway_ref)
        .bind(&update.pay_url)
        .bind(update.gateway_deduction_minor)
        .bind(&update.error_code)
        .bind(&update.error_message)
        .bind(attempt_id)
        .bind(Self::states_that_may_become(next))
        .fetch_optional(&mut *tx)
        .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// The states the state machine allows to move to `next`, as a JSON array for SQL.
    fn states_that_may_become(next: AttemptState) -> String {
        let from: Vec<&str> = AttemptState::ALL
            .iter()
            .filter(|from| from.can_become(next))
            .map(AttemptState::as_str)
            .collect();
        serde_json::to_string(&from).expect("strings serialize")
    }

    /// The events of attempts that moved, in as few statements as SQLite's limits allow.
    async fn add_events(
        tx: &mut sqlx::SqliteConnection,
        events: &[(i64, AttemptState, Option<String>)],
        now: i64,
    ) -> Result<()> {
        for chunk in events.chunks(CHUNK_ROWS) {
            sqlx::QueryBuilder::new("INSERT INTO attempt_events (attempt_id, state, detail, at) ")
                .push_values(chunk, |mut row, (id, state, detail)| {
                    row.push_bind(id)
                        .push_bind(state.as_str())
                        .push_bind(detail)
                        .push_bind(now);
                })
                .build()
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The order an attempt belongs to.
    pub async fn order_of(&self, attempt: &Attempt) -> Result<OrderView> {
        let order_no: String = sqlx::query_scalar("SELECT order_no FROM orders WHERE id = ?")
            .bind(attempt.order_id)
            .fetch_one(&self.pool)
            .await?;
        self.order(&order_no).await
    }

    /// The latest attempt of an order, if any.
    pub async fn latest_attempt(&self, order_id: i64) -> Result<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE order_id = ? ORDER BY id DESC LIMIT 1")
            .bind(order_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// Attempts the reconciler should ask about now: pending or unknown ones that are due, and
    /// `submitting` ones whose sender has been gone too long.
    pub async fn due_for_check(&self, now: i64, limit: i64) -> Result<Vec<Attempt>> {
        sqlx::query(
            // Without statistics the planner prefers the state index and sorts every open
            // attempt (35 ms at 20,000 open); the partial index walks the first `limit` alone.
            "SELECT * FROM attempts INDEXED BY attempts_due_for_check
             WHERE state IN ('pending', 'unknown', 'submitting') AND next_check_at <= ?
             ORDER BY next_check_at LIMIT ?",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(Self::attempt_from_row)
        .collect()
    }

    /// These orders by id, in one query.
    pub async fn orders_by_id(&self, order_ids: &[i64]) -> Result<HashMap<i64, OrderView>> {
        sqlx::query(&format!(
            "{} WHERE o.id IN (SELECT value FROM json_each(?))",
            Self::ORDER_VIEW
        ))
        .bind(serde_json::to_string(order_ids).expect("ids serialize"))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Self::order_from_row(row).map(|order| (order.id, order)))
        .collect()
    }

    /// The attempt that sent this idempotency key.
    pub async fn attempt_by_key(&self, idempotency_key: &str) -> Result<Option<Attempt>> {
        let row = sqlx::query("SELECT * FROM attempts WHERE idempotency_key = ?")
            .bind(idempotency_key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::attempt_from_row).transpose()
    }

    /// Every attempt whose request is being sent, as far as the journal knows: whether anyone
    /// else may take one over is [`crate::sender`]'s to say.
    pub async fn submitting_attempts(&self) -> Result<Vec<Attempt>> {
        sqlx::query("SELECT * FROM attempts WHERE state = 'submitting'")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(Self::attempt_from_row)
            .collect()
    }

    /// Notes that the gateway was asked and its answer settled nothing; asks again later.
    pub async fn note_inconclusive_check(&self, attempt_id: i64) -> Result<()> {
        let now = now_ms();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let checks: i64 = sqlx::query_scalar(
            "UPDATE attempts SET checks = checks + 1 WHERE id = ? RETURNING checks",
        )
        .bind(attempt_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE attempts SET next_check_at = ? WHERE id = ?")
            .bind(now + next_check_delay_ms(checks))
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a person's decision on an attempt that needs review, or on a settled one a
    /// gateway's report contradicts, with the note, for good: the review row and the state
    /// change it makes commit together or not at all.
    pub async fn resolve_review(
        &self,
        attempt_id: i64,
        decision: AttemptState,
        note: &str,
    ) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let current = Self::attempt_in(&mut tx, attempt_id).await?;
        if !current
            .state
            .can_be_decided(current.contested.is_some(), decision)
        {
            return Err(StoreError::BadTransition {
                id: attempt_id,
                from: current.state,
                to: decision,
            });
        }
        sqlx::query("INSERT INTO reviews (attempt_id, decision, note, at) VALUES (?, ?, ?, ?)")
            .bind(attempt_id)
            .bind(decision.as_str())
            .bind(note)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let detail = format!("resolved by a person: {note}");
        // Guarded by the state it was read in, the contradiction it answers cleared with it.
        let moved = sqlx::query(
            "UPDATE attempts SET state = ?, updated_at = ?, next_check_at = NULL, contested = NULL
             WHERE id = ? AND state = ? RETURNING *",
        )
        .bind(decision.as_str())
        .bind(now)
        .bind(attempt_id)
        .bind(current.state.as_str())
        .fetch_one(&mut *tx)
        .await;
        let row = match moved {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::BadInput(format!(
                    "attempt {attempt_id} cannot be marked {decision}: another payment of its order is paid or in progress"
                )))
            }
            Err(e) => return Err(e.into()),
        };
        Self::add_events(&mut tx, &[(attempt_id, decision, Some(detail))], now).await?;
        tx.commit().await?;
        Self::attempt_from_row(&row)
    }

    /// Keeps a gateway's report about an attempt as evidence in its timeline, its state as it
    /// is: what a person weighs on an attempt that needs review.
    pub async fn add_evidence(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let attempt = Self::attempt_in(&mut tx, attempt_id).await?;
        Self::add_events(
            &mut tx,
            &[(attempt_id, attempt.state, Some(evidence.to_string()))],
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(attempt)
    }

    /// Marks a settled attempt as contradicted by a gateway's report, with the evidence, for a
    /// person to decide; its state stays as it is until then.
    pub async fn contest(&self, attempt_id: i64, evidence: &str) -> Result<Attempt> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE attempts SET contested = ?, updated_at = ?
             WHERE id = ? AND state IN ('succeeded', 'failed') RETURNING *",
        )
        .bind(evidence)
        .bind(now)
        .bind(attempt_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        let attempt = Self::attempt_from_row(&row)?;
        Self::add_events(
            &mut tx,
            &[(attempt_id, attempt.state, Some(evidence.to_string()))],
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(attempt)
    }

    async fn attempt_in(tx: &mut sqlx::SqliteConnection, attempt_id: i64) -> Result<Attempt> {
        let row = sqlx::query("SELECT * FROM attempts WHERE id = ?")
            .bind(attempt_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NoSuchAttempt(attempt_id))?;
        Self::attempt_from_row(&row)
    }
}

/// Filters for the payment history (every one optional).
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub state: Option<AttemptState>,
    pub channel: Option<String>,
    pub profile: Option<String>,
    /// Attempts created at or after this time (unix ms).
    pub since_ms: Option<i64>,
    pub limit: Option<i64>,
}

/// One attempt as the history lists it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct HistoryRow {
    pub attempt_id: i64,
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    pub channel: String,
    pub state: AttemptState,
    pub amount: String,
    pub currency: String,
    pub idempotency_key: String,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// The history query for a filter (also what the scale test EXPLAINs).
    pub(crate) fn history_query(
        filter: &HistoryFilter,
    ) -> sqlx::QueryBuilder<'static, sqlx::Sqlite> {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new("");
        Self::push_history_query(&mut query, filter);
        query
    }

    fn push_history_query(
        query: &mut sqlx::QueryBuilder<'static, sqlx::Sqlite>,
        filter: &HistoryFilter,
    ) {
        query.push(
            "SELECT a.id, o.order_no, p.name AS profile, p.gateway, a.channel, a.state, a.amount_minor,
                    o.currency, a.idempotency_key, a.gateway_ref, a.pay_url, a.error_code, a.error_message,
                    a.created_at, a.updated_at
             FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
             WHERE 1 = 1",
        );
        if let Some(state) = filter.state {
            query.push(" AND a.state = ").push_bind(state.as_str());
        }
        if let Some(channel) = &filter.channel {
            query.push(" AND a.channel = ").push_bind(channel.clone());
        }
        if let Some(profile) = &filter.profile {
            query.push(" AND p.name = ").push_bind(profile.clone());
        }
        if let Some(since) = filter.since_ms {
            query.push(" AND a.created_at >= ").push_bind(since);
        }
        query
            .push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
            .push_bind(filter.limit.unwrap_or(i64::MAX));
    }

    /// A page of the history as one row of JSON, its arrays in [`HistoryColumns`]' order: sqlx
    /// hands each row over from its database thread on its own (about 8 µs a row), which made
    /// a 50-row page cost four times its SQL.
    pub(crate) fn history_json_query(
        filter: &HistoryFilter,
    ) -> sqlx::QueryBuilder<'static, sqlx::Sqlite> {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT json_group_array(json_array(id, order_no, profile, gateway, channel, state, \
             amount_minor, currency, idempotency_key, gateway_ref, pay_url, error_code, \
             error_message, created_at, updated_at)) FROM (",
        );
        Self::push_history_query(&mut query, filter);
        query.push(")");
        query
    }

    /// Attempts, newest first, narrowed by the filter.
    pub async fn history(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>> {
        let rows: Vec<HistoryColumns> = match filter.limit {
            Some(limit) if limit <= HISTORY_PAGE_AS_JSON => {
                let rows: String = Self::history_json_query(filter)
                    .build_query_scalar()
                    .fetch_one(&self.pool)
                    .await?;
                serde_json::from_str(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            // Every attempt (the command line's history): row by row, as one string of them
            // all could outgrow the longest value SQLite makes.
            _ => Self::history_query(filter)
                .build()
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(HistoryColumns::from_row)
                .collect::<Result<_>>()?,
        };
        rows.into_iter()
            .map(|row| {
                let currency = Currency::parse(&row.currency)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(HistoryRow {
                    attempt_id: row.id,
                    order_no: row.order_no,
                    profile: row.profile,
                    gateway: row.gateway,
                    channel: row.channel,
                    state: AttemptState::parse(&row.state)
                        .ok_or_else(|| StoreError::Corrupt(row.state.clone()))?,
                    amount: Money::from_minor(row.amount_minor, currency).to_decimal_string(),
                    currency: row.currency,
                    idempotency_key: row.idempotency_key,
                    gateway_ref: row.gateway_ref,
                    pay_url: row.pay_url,
                    error_code: row.error_code,
                    error_message: row.error_message,
                    created_at: row.created_at,
                    updated_at: row.updated_at,
                })
            })
            .collect()
    }
}

/// The largest history page read as one row of JSON.
const HISTORY_PAGE_AS_JSON: i64 = 1000;

/// The columns of [`Store::history_query`], in order (a JSON array is read in field order).
#[derive(serde::Deserialize)]
struct HistoryColumns {
    id: i64,
    order_no: String,
    profile: String,
    gateway: String,
    channel: String,
    state: String,
    amount_minor: i64,
    currency: String,
    idempotency_key: String,
    gateway_ref: Option<String>,
    pay_url: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl HistoryColumns {
    fn from_row(row: &SqliteRow) -> Result<HistoryColumns> {
        Ok(HistoryColumns {
            id: row.try_get("id")?,
            order_no: row.try_get("order_no")?,
            profile: row.try_get("profile")?,
            gateway: row.try_get("gateway")?,
            channel: row.try_get("channel")?,
            state: row.try_get("state")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
            idempotency_key: row.try_get("idempotency_key")?,
            gateway_ref: row.try_get("gateway_ref")?,
            pay_url: row.try_get("pay_url")?,
            error_code: row.try_get("error_code")?,
            error_message: row.try_get("error_message")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

#[cfg(test)]
#[path = "scale_tests.rs"]
mod scale_tests;

#[cfg(test)]
#[path = "latest_attempt_tests.rs"]
mod latest_attempt_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{
        add_profile_and_order, begin_attempt, new_order, record_state, temp_store,
    };

    #[tokio::test]
    async fn one_live_attempt_per_order_is_enforced_by_the_database() {
        let (_dir, store) = temp_store().await;
        let order = add_profile_and_order(&store).await;
        assert_eq!(order.amount, "12.34");
        let first = begin_attempt(&store, &order, "balance", "k1")
            .await
            .unwrap();
        assert_eq!(first.state, AttemptState::Submitting);
        let second = begin_attempt(&store, &order, "balance", "k2").await;
        assert!(
            matches!(second, Err(StoreError::AttemptInProgress(_))),
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

    #[tokio::test]
    async fn refuses_transitions_outside_the_state_machine() {
        let (_dir, store) = temp_store().await;
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

    #[tokio::test]
    async fn duplicates_are_clear_errors() {
        let (_dir, store) = temp_store().await;
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
