//! The data directory as the real binary leaves it: what paydesk creates is its user's only
//! (directories 0700, the database, its WAL and the log 0600), what an older paydesk left open
//! is tightened at start-up, and a directory the user chose is never changed, only named on
//! stderr when other users can read it. Unix only; needs the OS keyring (every command opens
//! it), as the other command-line tests do.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use common::{ok, BIN};

/// The permission bits in octal, as `ls -l` reads them.
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

/// The binary on a data directory given as the user's choice, its mode as the test set it
/// (`common::command` would make it private).
fn command(data: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.env("PAYDESK_DATA_DIR", data);
    command
}

/// `paydesk profile list`, which opens the store and the log, under `command`'s environment.
fn run(mut command: Command) -> Output {
    let output = command
        .env_remove("PAYDESK_LOG")
        .args(["profile", "list"])
        .output()
        .unwrap();
    ok(&output);
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const WARNING: &str = "can be read by other users";

/// The database, its WAL and shared memory while they exist, the log and the backups.
fn assert_files_private(data: &Path) {
    let mut seen = 0;
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("paydesk.") {
            assert_eq!(mode(&path), "600", "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 2, "the database and the log are there");
}

#[test]
fn a_data_directory_paydesk_creates_is_private_and_so_is_every_file_in_it() {
    let outer = tempfile::tempdir().unwrap();
    set_mode(outer.path(), 0o755);
    let data = outer.path().join("new").join("data");

    let output = run(command(&data));
    assert_eq!(mode(&outer.path().join("new")), "700");
    assert_eq!(mode(&data), "700");
    assert_eq!(mode(&data.join("paydesk.sqlite")), "600");
    assert_eq!(mode(&data.join("paydesk.log")), "600");
    assert_files_private(&data);
    assert!(!stderr(&output).contains(WARNING), "{}", stderr(&output));
    // What was there before is not paydesk's.
    assert_eq!(mode(outer.path()), "755");
}

#[test]
fn files_left_open_to_others_are_tightened_and_a_chosen_directory_is_only_named() {
    let data = tempfile::tempdir().unwrap();
    run(command(data.path()));
    // As an older paydesk left them, under the usual umask.
    set_mode(data.path(), 0o755);
    let backup = data
        .path()
        .join("paydesk.sqlite.pre-v8-20250101T000000.000Z.bak");
    std::fs::write(&backup, b"a copy of every order").unwrap();
    for file in ["paydesk.sqlite", "paydesk.log"] {
        set_mode(&data.path().join(file), 0o644);
    }
    set_mode(&backup, 0o644);

    let output = run(command(data.path()));
    assert_files_private(data.path());
    assert_eq!(mode(&backup), "600");
    // The user chose this directory: it is named, not changed.
    assert_eq!(mode(data.path()), "755");
    let stderr = stderr(&output);
    let line = stderr
        .lines()
        .find(|l| l.contains(WARNING))
        .unwrap_or_else(|| panic!("no warning on stderr: {stderr}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains(&data.path().display().to_string()), "{line}");
    assert!(line.contains("755"), "{line}");
    // And in the log.
    let log = std::fs::read_to_string(data.path().join("paydesk.log")).unwrap();
    assert!(log.contains(WARNING), "{log}");

    // Made private by its user: no warning.
    set_mode(data.path(), 0o700);
    let output = run(command(data.path()));
    assert!(!self::stderr(&output).contains(WARNING));
}

#[test]
fn the_platform_data_directory_is_paydesks_own_and_made_private() {
    let home = tempfile::tempdir().unwrap();
    let xdg = home.path().join("share");
    std::fs::create_dir(&xdg).unwrap();
    set_mode(&xdg, 0o755);
    let data = xdg.join("paydesk");
    let platform = || {
        let mut command = command(&data);
        command
            .env_remove("PAYDESK_DATA_DIR")
            .env("XDG_DATA_HOME", &xdg);
        command
    };

    let output = run(platform());
    assert_eq!(mode(&data), "700");
    assert_files_private(&data);
    assert!(!stderr(&output).contains(WARNING));

    // One an older paydesk made readable by everyone is tightened, not warned about.
    set_mode(&data, 0o755);
    let output = run(platform());
    assert_eq!(mode(&data), "700");
    assert!(!stderr(&output).contains(WARNING), "{}", stderr(&output));
    assert_eq!(mode(&xdg), "755");
}
