//! What [`Store::open`](crate::store::Store::open) checks before it touches the schema, so a
//! storage fault ends in one clear message and never in lost or half-migrated data:
//!
//! - the data directory must be writable (SQLite's WAL needs its `-wal` and `-shm` files
//!   beside the database), else "read-only" rather than SQLite's "unable to open";
//! - an existing file must pass `PRAGMA quick_check`, else it is left exactly as it is. The
//!   check reads every page (seconds at a million attempts), so at start-up it runs only on
//!   small files and before a migration; a large store gets it from [`full_check`] later (the
//!   window runs it in the background, `paydesk check` on demand). A damaged page met before
//!   then still fails its query with SQLite's own "malformed" error and changes nothing;
//! - a database that a newer paydesk migrated (a schema version this binary does not know) is
//!   refused rather than opened by code that does not understand it;
//! - before any migration runs on a database that has data, a copy is written beside it with
//!   `VACUUM INTO` (`paydesk.sqlite.pre-v{N}-{UTC time}.bak`, 0600 like the database: see
//!   `private_files`); if the copy cannot be written, nothing is migrated;
//! - "database or disk is full" anywhere becomes [`StoreError::DiskFull`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use super::StoreError;

/// SQLite's primary result codes that mean a storage fault rather than a bug.
const SQLITE_FULL: &str = "13";
const SQLITE_CORRUPT: &str = "11";
const SQLITE_NOTADB: &str = "26";
pub(super) const SQLITE_READONLY: &str = "8";

pub(super) fn primary_code(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| {
            // Extended codes carry the primary code in their low byte.
            c.parse::<i32>()
                .map_or_else(|_| c.to_string(), |n| (n & 0xff).to_string())
        }),
        _ => None,
    }
}

/// PostgreSQL's SQLSTATEs that are a desk's to explain: its role may not write, the server's
/// disk is full.
const PG_INSUFFICIENT_PRIVILEGE: &str = "42501";
const PG_DISK_FULL: &str = "53100";
/// Another transaction was in the way, not a fault: a serialization failure, a deadlock, a
/// lock or a statement that timed out.
const PG_BUSY: [&str; 4] = ["40001", "40P01", "55P03", "57014"];
const SQLITE_BUSY: &str = "5";
const SQLITE_LOCKED: &str = "6";

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                return match pg.code() {
                    PG_INSUFFICIENT_PRIVILEGE => StoreError::ReadOnly,
                    PG_DISK_FULL => StoreError::DiskFull(e.to_string()),
                    busy if PG_BUSY.contains(&busy) => StoreError::Busy(e.to_string()),
                    _ => StoreError::Sql(e),
                };
            }
        }
        match primary_code(&e).as_deref() {
            Some(SQLITE_FULL) => StoreError::DiskFull(e.to_string()),
            Some(SQLITE_BUSY | SQLITE_LOCKED) => StoreError::Busy(e.to_string()),
            _ => StoreError::Sql(e),
        }
    }
}

/// Room the probe asks for: what SQLite needs to start (its `-shm` index is 32 KiB) and then
/// some, so a nearly full disk is named before SQLite fails less clearly.
const PROBE_BYTES: usize = 64 * 1024;

/// Refuses a data directory paydesk cannot write to, or that has no room left, before SQLite
/// fails less clearly.
pub fn check_writable_dir(dir: &Path, database: &Path) -> Result<(), StoreError> {
    use std::io::Write;
    let probe = dir.join(format!(".paydesk-write-check-{}", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .and_then(|mut file| {
            let written = file
                .write_all(&[0; PROBE_BYTES])
                .and_then(|_| file.sync_all());
            if written.is_err() {
                let _ = std::fs::remove_file(&probe);
            }
            written
        });
    match written {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.raw_os_error() == Some(28) => Err(StoreError::DiskFull(format!(
            "the disk holding {} is full: {e}",
            dir.display()
        ))),
        Err(e) => Err(StoreError::Unusable {
            path: database.to_path_buf(),
            why: format!(
                "the data directory {} is not writable ({e}); paydesk keeps its database and \
                 log there. Make it writable, or choose another with --data-dir or \
                 PAYDESK_DATA_DIR",
                dir.display()
            ),
        }),
    }
}

fn damaged(path: &Path, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Unusable {
        path: path.to_path_buf(),
        why: format!(
            "the database file is damaged ({detail}). It was left exactly as it is: restore a \
             backup (paydesk.sqlite.*.bak beside it) or move the file aside to start afresh"
        ),
    }
}

/// The schema versions this binary knows.
fn known_versions() -> BTreeSet<i64> {
    sqlx::migrate!("./migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .collect()
}

/// Checks an existing database before the store opens it, and backs it up if a migration is
/// about to run. A missing or empty file is a new database: nothing to check.
pub async fn before_open(path: &Path) -> Result<(), StoreError> {
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(());
    }
    // Read-only: checking must not change the file, not even by checkpointing its WAL into a
    // damaged file when this connection closes. VACUUM INTO still works on it.
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static URL")
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let mut conn = match options.connect().await {
        Ok(conn) => conn,
        Err(e) => return Err(open_error(path, e)),
    };
    let checked = check_and_back_up(&mut conn, path).await;
    let _ = conn.close().await;
    checked
}

fn open_error(path: &Path, e: sqlx::Error) -> StoreError {
    match primary_code(&e).as_deref() {
        Some(SQLITE_CORRUPT | SQLITE_NOTADB) => damaged(path, &e),
        Some(SQLITE_FULL) => StoreError::DiskFull(e.to_string()),
        Some(SQLITE_READONLY) => StoreError::Unusable {
            path: path.to_path_buf(),
            why: format!("the database file is read-only ({e})"),
        },
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Files up to this size are checked page by page at every start (a fraction of a second).
const FULL_CHECK_AT_START_UP_TO: u64 = 16 * 1024 * 1024;

async fn quick_check(conn: &mut SqliteConnection, path: &Path) -> Result<(), StoreError> {
    let problems: Vec<String> = match sqlx::query_scalar("PRAGMA quick_check")
        .fetch_all(&mut *conn)
        .await
    {
        Ok(rows) => rows,
        Err(e) => return Err(open_error(path, e)),
    };
    if problems != ["ok"] {
        let shown: Vec<_> = problems.iter().take(3).map(String::as_str).collect();
        return Err(damaged(path, format!("quick_check: {}", shown.join("; "))));
    }
    Ok(())
}

/// Reads every page of an open database and reports damage (what start-up skips on large
/// files). Read-only: it changes nothing.
pub async fn full_check(path: &Path) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static URL")
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let mut conn = options.connect().await.map_err(|e| open_error(path, e))?;
    let checked = quick_check(&mut conn, path).await;
    let _ = conn.close().await;
    checked
}

async fn check_and_back_up(conn: &mut SqliteConnection, path: &Path) -> Result<(), StoreError> {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size <= FULL_CHECK_AT_START_UP_TO {
        quick_check(conn, path).await?;
    }
    let has_history: bool = sqlx::query_scalar(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| open_error(path, e))?;
    let applied: BTreeSet<i64> = if has_history {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| open_error(path, e))?
            .into_iter()
            .collect()
    } else {
        BTreeSet::new()
    };
    let known = known_versions();
    let newest_known = known.last().copied().unwrap_or(0);
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(StoreError::Unusable {
            path: path.to_path_buf(),
            why: format!(
                "the database was written by a newer paydesk (schema version {unknown}; this \
                 paydesk knows up to {newest_known}). Nothing was changed: run the newer paydesk"
            ),
        });
    }
    let pending = known.iter().any(|v| !applied.contains(v));
    let has_tables: bool = sqlx::query_scalar(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| open_error(path, e))?;
    if pending && has_tables {
        // Never migrate (or back up) a damaged file, however large.
        if size > FULL_CHECK_AT_START_UP_TO {
            quick_check(conn, path).await?;
        }
        let current = applied.last().copied().unwrap_or(0);
        let backup = backup_path(path, current);
        // Created empty and 0600 first (VACUUM INTO writes into an empty file): SQLite would
        // create it 0644, less the umask.
        crate::private_files::create_file(&backup).map_err(|e| StoreError::Unusable {
            path: path.to_path_buf(),
            why: format!(
                "the database needs a schema upgrade and could not be backed up first ({e}); \
                 nothing was changed"
            ),
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(backup.to_string_lossy().into_owned())
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                let _ = std::fs::remove_file(&backup);
                StoreError::Unusable {
                    path: path.to_path_buf(),
                    why: format!(
                        "the database needs a schema upgrade and could not be backed up first \
                         ({e}); nothing was changed. Free some space and start paydesk again"
                    ),
                }
            })?;
        tracing::info!(backup = %backup.display(), from = current, "backed up before migrating");
    }
    Ok(())
}

/// `paydesk.sqlite.pre-v{version}-{UTC time}.bak`, beside the database.
pub fn backup_path(path: &Path, version: i64) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let name = path
        .file_name()
        .map_or_else(|| "paydesk.sqlite".into(), |n| n.to_string_lossy());
    path.with_file_name(format!("{name}.pre-v{version}-{stamp}.bak"))
}

#[cfg(test)]
#[path = "health_tests.rs"]
pub(crate) mod tests;
