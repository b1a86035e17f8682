//! Storage faults at start-up and while writing: each gives a clear message and loses nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::*;
use crate::store::{NewOrder, Store};
use crate::test_support::{add_profile, db_path, dump, new_order, temp_database_before_migration};
use crate::{Currency, Money};

/// The store at `path` with profile `shop` (sensecore) and orders `O-0` up to `O-{orders - 1}`.
async fn store_with_orders(path: &Path, orders: usize) -> Store {
    let store = Store::open(path).await.unwrap();
    add_profile(&store, "shop", "sensecore").await;
    for n in 0..orders {
        add_order(&store, n, "").await.unwrap();
    }
    store
}

/// Adds order `O-{n}` of (100 + `n`) fen on `shop`, returning the store's refusal for the test
/// to judge.
async fn add_order(store: &Store, n: usize, subject: &str) -> Result<(), StoreError> {
    let amount = Money::from_minor(100 + n as i64, Currency::CNY);
    store
        .add_order(&NewOrder {
            subject: subject.into(),
            ..new_order("shop", &format!("O-{n}"), amount)
        })
        .await
        .map(|_| ())
}

/// Closes the store and waits until SQLite has checkpointed and removed its WAL, which it does
/// when the last connection closes (the pool closes its connections in the background).
async fn close_fully(store: Store, path: &Path) {
    store.close().await;
    drop(store);
    let wal = path.with_extension("sqlite-wal");
    // Generous: under a loaded machine (the scale test beside this one) closing takes a while.
    for round in 0..6000 {
        if !wal.exists() {
            return;
        }
        if round % 500 == 499 {
            // A connection that closed without checkpointing (it lost a race for the lock
            // with its siblings) leaves the WAL behind: the last connection to close
            // checkpoints and deletes it, so be that connection.
            let mut conn = SqliteConnectOptions::new()
                .filename(path)
                .connect()
                .await
                .unwrap();
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} is still there", wal.display());
}

fn unusable_why(e: StoreError) -> String {
    match e {
        StoreError::Unusable { why, .. } => why,
        other => panic!("expected Unusable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_corrupted_file_is_refused_and_left_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    close_fully(store_with_orders(&path, 200).await, &path).await;
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 4 * 4096, "{} bytes", bytes.len());
    // Scribble over the second and third pages: b-tree pages the schema points at.
    for b in &mut bytes[4096..3 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let refused = Store::open(&path).await.err().expect("refused");
    let shown = refused.to_string();
    assert!(shown.contains("damaged"), "{shown}");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was touched");

    // Not a database at all.
    std::fs::write(
        &path,
        b"these are not the bytes of a database, just text\n".repeat(200),
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let why = unusable_why(Store::open(&path).await.err().expect("refused"));
    assert!(why.contains("damaged"), "{why}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn a_database_from_a_newer_paydesk_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    close_fully(store_with_orders(&path, 3).await, &path).await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let before = dump(&path).await;
    let why = unusable_why(Store::open(&path).await.err().expect("refused"));
    assert!(why.contains("newer paydesk"), "{why}");
    assert!(why.contains("schema version 99999"), "{why}");
    assert!(why.contains("Nothing was changed"), "{why}");
    assert_eq!(dump(&path).await, before);
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".bak")
        })
        .count();
    assert_eq!(
        backups, 0,
        "a refused database is not backed up or migrated"
    );
}

#[tokio::test]
async fn a_migration_runs_only_after_a_backup_beside_the_file() {
    // A database as the first release left it: only the first migration applied, with data.
    let (dir, path) = temp_database_before_migration(
        2,
        "INSERT INTO profiles (name, gateway, base_url, vault_id, created_at)
         VALUES ('old', 'sensecore', 'https://gw.example', 'v-1', 1)",
    )
    .await;
    let before = dump(&path).await;

    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.profile("old").await.unwrap().base_url,
        "https://gw.example"
    );
    store.close().await;
    let backups: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = backups[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("paydesk.sqlite.pre-v1-"), "{name}");
    // The backup is the database exactly as it was before the migration.
    assert_eq!(dump(&backups[0]).await, before);

    // Up to date: opening again migrates nothing and backs nothing up.
    close_fully(Store::open(&path).await.unwrap(), &path).await;
    let count = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".bak")
        })
        .count();
    assert_eq!(count, 1);
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A tmpfs mounted for one test, unmounted when dropped. Only root can mount.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        if !is_root() {
            return None;
        }
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        mounted.then(|| Mount(dir.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let done = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(done.success(), "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_read_only_data_directory_is_named_and_nothing_is_lost() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let mount = Mount::tmpfs(&dir, "16m");
    let path = db_path(&dir);
    close_fully(store_with_orders(&path, 5).await, &path).await;
    let before = dump(&path).await;
    // Root ignores permission bits, so as root the directory is made read-only by the mount.
    match &mount {
        Some(m) => m.remount("ro"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
    }
    let why = unusable_why(Store::open(&path).await.err().expect("refused"));
    assert!(why.contains("not writable"), "{why}");
    assert!(why.contains(&dir.display().to_string()), "{why}");
    match &mount {
        Some(m) => m.remount("rw"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    assert_eq!(dump(&path).await, before);
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.order("O-4").await.unwrap().order_no, "O-4");
    store.close().await;
}

#[tokio::test]
async fn a_full_disk_is_named_and_every_committed_order_survives() {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let Some(mount) = Mount::tmpfs(&dir, "2m") else {
        eprintln!("not root: a full disk cannot be simulated with a small tmpfs here");
        return;
    };
    let path = db_path(&dir);
    let store = store_with_orders(&path, 0).await;
    let subject = "x".repeat(400);
    let mut added = 0;
    let failure = loop {
        match add_order(&store, added, &subject).await {
            Ok(()) => added += 1,
            Err(e) => break e,
        }
        assert!(added < 100_000, "the disk never filled");
    };
    assert!(matches!(failure, StoreError::DiskFull(_)), "{failure:?}");
    let shown = failure.to_string();
    assert!(
        shown.contains("disk holding the database is full"),
        "{shown}"
    );
    assert!(shown.contains("nothing was written"), "{shown}");
    assert!(added > 10, "only {added} orders fit");
    // The WAL stays: checkpointing it needs room the disk does not have.
    store.close().await;

    // Opening on the full disk is refused with the same clear words (SQLite needs room for its
    // WAL), and once there is room every committed order is there and the file is sound.
    let mut filler = 0;
    while std::fs::write(dir.join(format!("filler-{filler}")), vec![0_u8; 4096]).is_ok() {
        filler += 1;
    }
    if let Err(e) = Store::open(&path).await {
        assert!(matches!(e, StoreError::DiskFull(_)), "{e:?}");
    }
    mount.remount("size=32m");
    let store = Store::open(&path).await.unwrap();
    for n in 0..added {
        store.order(&format!("O-{n}")).await.unwrap();
    }
    assert!(store.order(&format!("O-{added}")).await.is_err());
    store.close().await;
}

#[tokio::test]
async fn a_large_store_opens_without_reading_every_page_and_the_full_check_finds_damage() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(dir.path());
    let store = store_with_orders(&path, 1).await;
    // Grow the file past the start-up check's limit with one big statement.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
         INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         SELECT 'BIG-' || i, 1, 100, 'CNY', printf('%.200c', 'x'), '{}', i FROM n",
    )
    .execute(store.pool())
    .await
    .unwrap();
    close_fully(store, &path).await;
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.len() as u64 > FULL_CHECK_AT_START_UP_TO,
        "{} bytes",
        bytes.len()
    );
    // Damage a page deep in the file, far from anything opening the store reads.
    let page = bytes.len() / 4096 / 2 * 4096;
    for b in &mut bytes[page..page + 4096] {
        *b = 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();

    let started = std::time::Instant::now();
    let store = Store::open(&path)
        .await
        .expect("a large store opens without a full read");
    let opened_in = started.elapsed();
    store.close().await;
    let found = full_check(&path)
        .await
        .expect_err("the full check finds the damaged page");
    assert!(found.to_string().contains("damaged"), "{found}");
    eprintln!(
        "opened a {} MB store in {opened_in:?}",
        bytes.len() / 1_000_000
    );
}
