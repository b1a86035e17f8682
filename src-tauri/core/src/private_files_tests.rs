//! The store's files on disk are its owner's only: real files in a temporary directory.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;
use crate::store::Store;
use crate::test_support::{db_path, temp_database_before_migration};

/// The permission bits, in octal as `ls -l` reads them (0o600 shows as "600").
fn mode(path: &Path) -> String {
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", mode & 0o777)
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn sibling(database: &Path, suffix: &str) -> PathBuf {
    let name = database.file_name().unwrap().to_string_lossy();
    database.with_file_name(format!("{name}{suffix}"))
}

#[tokio::test]
async fn a_new_store_and_the_directories_it_creates_are_the_owners_only() {
    let outer = tempfile::tempdir().unwrap();
    set_mode(outer.path(), 0o755);
    let dir = outer.path().join("new").join("data");
    let path = db_path(&dir);

    let store = Store::open(&path).await.unwrap();
    assert_eq!(mode(&outer.path().join("new")), "700");
    assert_eq!(mode(&dir), "700");
    assert_eq!(mode(&path), "600");
    // SQLite made these while the schema was written: they take the database file's mode.
    for suffix in ["-wal", "-shm"] {
        assert_eq!(mode(&sibling(&path, suffix)), "600", "{suffix}");
    }
    store.close().await;
    // A directory that was there already is not paydesk's to change.
    assert_eq!(mode(outer.path()), "755");
}

#[tokio::test]
async fn files_an_older_paydesk_left_open_are_tightened_at_open_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o755);
    let path = db_path(dir.path());
    // Another process has the store open: its WAL and shared-memory files exist.
    let first = Store::open(&path).await.unwrap();
    let wal = sibling(&path, "-wal");
    let shm = sibling(&path, "-shm");
    let backup = sibling(&path, ".pre-v3-20250101T000000.000Z.bak");
    let read_only_backup = sibling(&path, ".pre-v2-20240101T000000.000Z.bak");
    let unrelated = dir.path().join("notes.txt");
    for file in [&backup, &read_only_backup, &unrelated] {
        std::fs::write(file, b"x").unwrap();
    }
    for file in [&path, &wal, &shm, &backup, &unrelated] {
        set_mode(file, 0o644);
    }
    set_mode(&read_only_backup, 0o444);

    let second = Store::open(&path).await.unwrap();
    for file in [&path, &wal, &shm, &backup] {
        assert_eq!(mode(file), "600", "{}", file.display());
    }
    // The owner's bits are kept: a read-only backup stays read-only.
    assert_eq!(mode(&read_only_backup), "400");
    // What is not paydesk's is left alone, and so is a directory it did not create.
    assert_eq!(mode(&unrelated), "644");
    assert_eq!(mode(dir.path()), "755");
    second.close().await;
    first.close().await;
}

#[tokio::test]
async fn the_backup_before_a_migration_is_the_owners_only() {
    let (dir, path) = temp_database_before_migration(
        2,
        "INSERT INTO profiles (name, gateway, base_url, vault_id, created_at)
         VALUES ('old', 'sensecore', 'https://gw.example', 'v-1', 1)",
    )
    .await;
    set_mode(&path, 0o644);

    let store = Store::open(&path).await.unwrap();
    store.close().await;
    let backups: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".bak"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(mode(&backups[0]), "600");
    assert_eq!(mode(&path), "600");
}

#[test]
fn tightening_takes_only_the_group_and_others_bits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    for (before, after, changed) in [
        (0o644, 0o600, true),
        (0o666, 0o600, true),
        (0o444, 0o400, true),
        (0o755, 0o700, true),
        (0o600, 0o600, false),
        (0o400, 0o400, false),
    ] {
        set_mode(&file, before);
        assert_eq!(tighten(&file).unwrap(), changed, "{before:o}");
        assert_eq!(mode(&file), format!("{after:o}"), "{before:o}");
    }
    assert!(!tighten(&dir.path().join("missing")).unwrap());
}

#[test]
fn a_directory_is_named_when_others_can_read_it() {
    let dir = tempfile::tempdir().unwrap();
    for (mode, named) in [
        (0o755, true),
        (0o750, true),
        (0o705, true),
        (0o711, false),
        (0o700, false),
    ] {
        set_mode(dir.path(), mode);
        assert_eq!(
            readable_by_others(dir.path()),
            named.then_some(mode),
            "{mode:o}"
        );
    }
    set_mode(dir.path(), 0o700);
}

#[test]
fn the_log_is_created_private_and_an_open_one_tightened_without_losing_a_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("paydesk.log");
    open_append(&log).unwrap().write_all(b"one\n").unwrap();
    assert_eq!(mode(&log), "600");
    set_mode(&log, 0o644);
    open_append(&log).unwrap().write_all(b"two\n").unwrap();
    assert_eq!(mode(&log), "600");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "one\ntwo\n");
}
