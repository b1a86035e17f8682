//! The floor of a durable write: SQLite itself (the library sqlx links), no driver, one row
//! inserted and committed in WAL mode with `synchronous=FULL`, as paydesk's store commits.

use std::ffi::{CStr, CString};
use std::path::Path;
use std::ptr;

use libsqlite3_sys as ffi;

pub struct BareDb {
    db: *mut ffi::sqlite3,
}

impl BareDb {
    pub fn open(path: &Path) -> Result<BareDb, String> {
        let c_path = CString::new(path.to_string_lossy().as_bytes()).map_err(|e| e.to_string())?;
        let mut db = ptr::null_mut();
        // SAFETY: a valid NUL-terminated path and an out-pointer; the handle is closed on drop
        // even when opening fails, as SQLite asks.
        let rc = unsafe {
            ffi::sqlite3_open_v2(
                c_path.as_ptr(),
                &mut db,
                ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
                ptr::null(),
            )
        };
        let bare = BareDb { db };
        if rc != ffi::SQLITE_OK {
            return Err(bare.error());
        }
        bare.exec(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
        )?;
        Ok(bare)
    }

    fn error(&self) -> String {
        // SAFETY: sqlite3_errmsg accepts any handle SQLite returned, and returns a string it
        // owns, copied here at once.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
            .to_string_lossy()
            .into_owned()
    }

    fn exec(&self, sql: &str) -> Result<(), String> {
        let c_sql = CString::new(sql).map_err(|e| e.to_string())?;
        // SAFETY: an open handle and a NUL-terminated statement; no callback.
        let rc = unsafe {
            ffi::sqlite3_exec(
                self.db,
                c_sql.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// One durable commit of one small row.
    pub fn commit_one(&self) -> Result<(), String> {
        self.exec("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('a journaled attempt'); COMMIT;")
    }
}

impl Drop for BareDb {
    fn drop(&mut self) {
        // SAFETY: the handle came from sqlite3_open_v2 and is closed once.
        unsafe {
            ffi::sqlite3_close(self.db);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_rows_durably_in_wal_mode() {
        let dir = std::env::temp_dir().join(format!("paydesk-bench-commit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = BareDb::open(&dir.join("bare.sqlite")).unwrap();
        for _ in 0..3 {
            db.commit_one().unwrap();
        }
        assert!(dir.join("bare.sqlite-wal").exists(), "WAL mode");
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
