//! A shared desk's link to its server as the desk knows it: whether the server answers now
//! (the change feed's listener learns it first: it loses its connection when the server
//! goes, and gets one back when it returns), whether this desk's role may write, and until
//! when the desk's copy of the history ([`super::cache`]) is complete. While the server is out
//! of reach the store reads the copy and refuses every write with [`StoreError::Offline`]:
//! exactly once across desks needs the server.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Mutex;

use sqlx::postgres::PgDatabaseError;

use super::{SchemaMismatch, StoreError};

#[derive(Debug)]
pub(crate) struct Link {
    reachable: AtomicBool,
    read_only: AtomicBool,
    /// The server's time the copy is complete to, in unix ms; 0 before the first copy.
    as_of: AtomicI64,
    /// Why the link stays down though the server answers: its schema does not fit.
    schema_mismatch: Mutex<Option<SchemaMismatch>>,
}

impl Link {
    pub(super) fn new(reachable: bool, read_only: bool) -> Link {
        Link {
            reachable: AtomicBool::new(reachable),
            read_only: AtomicBool::new(read_only),
            as_of: AtomicI64::new(0),
            schema_mismatch: Mutex::new(None),
        }
    }

    pub(super) fn schema_mismatch(&self) -> Option<SchemaMismatch> {
        *self
            .schema_mismatch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn set_schema_mismatch(&self, mismatch: Option<SchemaMismatch>) {
        *self
            .schema_mismatch
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = mismatch;
    }

    pub(super) fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::SeqCst)
    }

    pub(super) fn set_reachable(&self, reachable: bool) {
        self.reachable.store(reachable, Ordering::SeqCst);
    }

    pub(super) fn is_read_only(&self) -> bool {
        self.read_only.load(Ordering::SeqCst)
    }

    pub(super) fn set_read_only(&self, read_only: bool) {
        self.read_only.store(read_only, Ordering::SeqCst);
    }

    /// Until when the desk's copy is complete; none before its first copy.
    pub(super) fn as_of(&self) -> Option<i64> {
        Some(self.as_of.load(Ordering::SeqCst)).filter(|ms| *ms > 0)
    }

    pub(super) fn set_as_of(&self, ms: i64) {
        self.as_of.store(ms, Ordering::SeqCst);
    }

    /// The error every write meets while the server is out of reach (or its schema does not
    /// fit).
    pub(super) fn offline(&self) -> StoreError {
        StoreError::Offline {
            as_of: self.as_of(),
            schema_mismatch: self.schema_mismatch(),
        }
    }
}

/// Whether `e` says the server could not be reached (or went away), rather than that it
/// refused what was asked.
pub(super) fn is_unreachable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) if db.try_downcast_ref::<PgDatabaseError>().is_some() => {
            db.code().is_some_and(|code| {
                // Class 08: connection exceptions; 57P01–57P03: the server shutting down or
                // starting up.
                code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
            })
        }
        _ => false,
    }
}

/// Whether `e` is SQLite refusing a write to a file opened read only: the desk's copy,
/// written to while offline.
pub(super) fn is_read_only_copy(e: &sqlx::Error) -> bool {
    super::health::primary_code(e).as_deref() == Some(super::health::SQLITE_READONLY)
}

/// "HH:MM" (with the date, where it is not today) in this machine's time zone; "no copy yet"
/// before the first.
pub fn as_of_text(as_of: Option<i64>) -> String {
    use chrono::{Local, TimeZone};
    let Some(at) = as_of.and_then(|ms| Local.timestamp_millis_opt(ms).single()) else {
        return "no copy yet".to_string();
    };
    if at.date_naive() == Local::now().date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// What [`StoreError::Offline`] says: why the desk reads its copy, and that nothing was done.
pub(super) fn offline_words(
    as_of: Option<i64>,
    schema_mismatch: Option<&SchemaMismatch>,
) -> String {
    let copy = as_of_text(as_of);
    match schema_mismatch {
        None => format!("the shared store is out of reach (offline: history as of {copy}; paying is paused, and what only the server holds waits, until it is back); nothing was written or sent"),
        Some(mismatch) => format!("the shared store cannot be used: {mismatch} (offline: history as of {copy}; paying is paused until then); nothing was written or sent"),
    }
}
