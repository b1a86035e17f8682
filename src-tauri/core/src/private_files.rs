//! The data directory holds every order and payment: only the user who runs paydesk may read
//! it (Unix).
//!
//! - A directory paydesk creates is created 0700 ([`create_dir`]), parents it has to create
//!   too, and a file it creates (the database, `paydesk.log`, a backup) is created 0600
//!   ([`create_file`], [`open_append`]): the mode is given at creation, so there is no moment
//!   when the file is open to others, whatever the umask (which can only take bits away).
//!   SQLite gives the `-wal` and `-shm` files it creates the database file's mode.
//! - Files left by an older paydesk (0644 under the usual umask) are tightened when the store
//!   or the log opens them ([`tighten`], [`protect_database`]): the group's and others' bits
//!   are taken away, the owner's left as they are (a read-only file stays read-only).
//! - The platform's data directory is paydesk's own: the app's start-up tightens it too. A
//!   directory the user chose (`--data-dir`, `PAYDESK_DATA_DIR`) is theirs: paydesk never
//!   changes its mode; [`readable_by_others`] lets the start-up warn about it.
//!
//! Elsewhere than on Unix these create and open as usual and change nothing.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// The mode of a directory paydesk creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of a file paydesk creates.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parent, each 0700. An existing directory is left as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir)
}

/// Creates `path` empty and 0600 unless it exists (an existing file is not touched).
pub fn create_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` for appending: created 0600 if missing, tightened if it exists. A file whose
/// mode cannot be changed (another user's, a file system without Unix modes) is opened all the
/// same: a log that is written beats one that is not.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let file = options.open(path)?;
    let _ = tighten_open(&file);
    Ok(file)
}

/// The group's and others' permission bits of a mode.
#[cfg(unix)]
const OTHERS: u32 = 0o077;

#[cfg(unix)]
fn tighten_open(file: &File) -> io::Result<()> {
    let mode = file.metadata()?.permissions().mode();
    if mode & OTHERS != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o7700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten_open(_: &File) -> io::Result<()> {
    Ok(())
}

/// Takes the group's and others' permissions off an existing file or directory, leaving the
/// owner's as they are. True when it changed something; a missing path is not an error.
pub fn tighten(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        let mode = match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if mode & OTHERS == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7700))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// The directory's mode (permission bits) when its group or other users may read it.
pub fn readable_by_others(dir: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// The database's own files beside it: `-wal`, `-shm` and the backups
/// (`paydesk.sqlite.pre-v{N}-{time}.bak`).
pub fn database_files(database: &Path) -> Vec<PathBuf> {
    let Some(name) = database
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
    else {
        return Vec::new();
    };
    let mut files = vec![
        database.with_file_name(format!("{name}-wal")),
        database.with_file_name(format!("{name}-shm")),
    ];
    let dir = match database.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.starts_with(&format!("{name}.")) && file.ends_with(".bak") {
                files.push(entry.path());
            }
        }
    }
    files
}

/// Tightens the database and its own files (see [`database_files`]). A file that cannot be
/// changed (another user's, a file system without Unix modes) is named in the log; opening
/// goes on.
pub fn protect_database(database: &Path) {
    for path in std::iter::once(database.to_path_buf()).chain(database_files(database)) {
        match tighten(&path) {
            Ok(true) => {
                tracing::info!(file = %path.display(), "made readable by its owner only")
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(
                file = %path.display(),
                error = %e,
                "could not make the file readable by its owner only"
            ),
        }
    }
}

#[cfg(all(test, unix))]
#[path = "private_files_tests.rs"]
mod tests;
