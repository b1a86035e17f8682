//! Import and export through the system's file dialogs, opened from Rust so the page is granted
//! no file access of its own: the person picks the file to import and the back end reads it
//! itself, streaming (no size limit crosses IPC); export asks where to save and writes there.
//! The page never names a path: the one chosen in the dialog is kept here until it is
//! imported.

use std::path::PathBuf;
use std::sync::Mutex;

use paydesk_core::app::orders;
use paydesk_core::console::OrderQuery;
use paydesk_core::import::{ImportFormat, Progress};
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::{DialogExt, FilePath};
use ts_rs::TS;

use super::orders::{summary, ImportSummary};
use super::*;

/// The file the person chose to import, until it is imported.
#[derive(Default)]
pub(crate) struct ChosenImport(Mutex<Option<PathBuf>>);

/// What the window shows of the file chosen: never its whole path's directories' contents.
#[derive(Debug, Clone, Serialize, TS)]
pub(crate) struct ChosenFile {
    pub name: String,
    pub path: String,
    pub bytes: u64,
    /// `csv` or `json` by the file's name; none when the name does not say.
    pub format: Option<String>,
}

/// Where a page's PDF was written.
#[derive(Debug, Clone, Serialize, TS)]
pub(crate) struct SavedFile {
    pub path: String,
}

/// Where an export was written.
#[derive(Debug, Clone, Serialize, TS)]
pub(crate) struct SavedExport {
    pub path: String,
    pub rows: u64,
}

fn local_path(file: FilePath) -> Result<PathBuf, IpcError> {
    file.into_path()
        .map_err(|e| refused(format!("the file chosen is not on this computer: {e}")))
}

/// Runs a dialog that answers through a callback, and waits for its answer.
async fn answer_of<T: Send + 'static>(
    open: impl FnOnce(Box<dyn FnOnce(T) + Send>),
) -> Result<T, IpcError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    open(Box::new(move |answer| {
        let _ = tx.send(answer);
    }));
    rx.await
        .map_err(|_| refused("the file dialog closed without an answer".to_string()))
}

/// Opens the system's file picker for orders to import; none when the person cancels.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn choose_import_file(
    app: AppHandle,
    chosen: State<'_, ChosenImport>,
    title: String,
) -> Result<Option<ChosenFile>, IpcError> {
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter("CSV, JSON", &["csv", "json", "CSV", "JSON"]);
    let Some(file) = answer_of(|done| dialog.pick_file(done)).await? else {
        return Ok(None);
    };
    let path = local_path(file)?;
    let bytes = std::fs::metadata(&path)
        .map_err(|e| refused(format!("{}: {e}", path.display())))?
        .len();
    let format = ImportFormat::from_path(&path).map(|f| match f {
        ImportFormat::Csv => "csv".to_string(),
        ImportFormat::Json => "json".to_string(),
    });
    let answer = ChosenFile {
        name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        path: path.display().to_string(),
        bytes,
        format,
    };
    *chosen.0.lock().expect("chosen file lock") = Some(path);
    Ok(Some(answer))
}

/// Imports the file chosen with [`choose_import_file`], read and written in batches; emits
/// `import-progress` as it goes.
#[tauri::command]
#[tracing::instrument(skip_all, fields(format = %format), err(level = "info", Debug))]
pub(crate) async fn import_chosen_file(
    app: AppHandle,
    state: State<'_, AppState>,
    chosen: State<'_, ChosenImport>,
    format: String,
    profile: Option<String>,
) -> Result<ImportSummary, IpcError> {
    let path = chosen
        .0
        .lock()
        .expect("chosen file lock")
        .clone()
        .ok_or_else(|| refused("no file chosen to import: choose one first".to_string()))?;
    let format = orders::import_format(&format)?;
    let file =
        std::fs::File::open(&path).map_err(|e| refused(format!("{}: {e}", path.display())))?;
    let report = orders::import(
        state.engine().await?.store(),
        &path.display().to_string(),
        file,
        format,
        profile.as_deref(),
        |progress: Progress| emit(&app, progress),
    )
    .await?;
    chosen.0.lock().expect("chosen file lock").take();
    Ok(summary(report))
}

/// The orders matching the list's filters, as CSV or JSON, saved where the person chooses in
/// the system's save dialog; none when they cancel.
#[tauri::command]
#[tracing::instrument(skip_all, fields(format = %format), err(level = "info", Debug))]
pub(crate) async fn export_orders_to_file(
    app: AppHandle,
    state: State<'_, AppState>,
    query: OrderQuery,
    format: String,
    title: String,
) -> Result<Option<SavedExport>, IpcError> {
    let engine = state.engine().await?;
    let export = orders::export(engine.store(), &query, &format, chrono::Local::now()).await?;
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(&export.file_name);
    if let Some(downloads) = dirs::download_dir() {
        dialog = dialog.set_directory(downloads);
    }
    let Some(file) = answer_of(|done| dialog.save_file(done)).await? else {
        return Ok(None);
    };
    let path = local_path(file)?;
    write_whole(&path, export.content.as_bytes())?;
    tracing::info!(
        rows = export.rows,
        "orders exported to a file the person chose"
    );
    Ok(Some(SavedExport {
        path: path.display().to_string(),
        rows: export.rows,
    }))
}

/// A page the window was given (by `paper`) as PDF, saved where the person chooses in the
/// system's save dialog (named after the page's title, in Downloads at first); none when they
/// cancel. A receipt's PDF is the receipt issued, not another one.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn save_paper_pdf(
    app: AppHandle,
    paper: paydesk_paper::Paper,
    title: String,
) -> Result<Option<SavedFile>, IpcError> {
    let file_name = format!("{}.pdf", file_safe(&paper.title));
    let bytes = paydesk_core::app::papers::pdf(paper).await?;
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(&file_name)
        .add_filter("PDF", &["pdf"]);
    if let Some(downloads) = dirs::download_dir() {
        dialog = dialog.set_directory(downloads);
    }
    let Some(file) = answer_of(|done| dialog.save_file(done)).await? else {
        return Ok(None);
    };
    let path = local_path(file)?;
    write_whole(&path, &bytes)?;
    Ok(Some(SavedFile {
        path: path.display().to_string(),
    }))
}

/// A title as a file name: letters (Chinese too), digits, '-' and '_' kept, the rest '_'.
fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_alphanumeric() || c == '-' || c == '_' {
            true => c,
            false => '_',
        })
        .collect()
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, renamed over it.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> Result<(), IpcError> {
    use std::io::Write;
    let failed = |e: std::io::Error| refused(format!("could not write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    temp.write_all(bytes).map_err(failed)?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
