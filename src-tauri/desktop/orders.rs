//! The orders the window lists, finds, adds, imports and exports, and the dashboard's sums.

use std::collections::BTreeMap;

use paydesk_core::app::orders::{self, OrderInput};
use paydesk_core::console::{Activity, LookupHit, OrderPage, OrderQuery, TakingsRow};
use paydesk_core::domain::OrderView;
use paydesk_core::export::{self, ExportError, ExportFormat};
use paydesk_core::import::{self, ImportError, ImportFormat, Progress, RowError};
use paydesk_core::report::OrderDetail;
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

use super::*;

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn list_orders(state: State<'_, AppState>) -> Result<Vec<OrderView>, IpcError> {
    Ok(state.engine().await?.store().orders(1000).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn order_detail(
    state: State<'_, AppState>,
    order_no: String,
) -> Result<OrderDetail, IpcError> {
    Ok(state
        .engine()
        .await?
        .store()
        .order_detail(&order_no)
        .await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn query_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
) -> Result<OrderPage, IpcError> {
    Ok(state.engine().await?.store().query_orders(&query).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn lookup(
    state: State<'_, AppState>,
    reference: String,
) -> Result<Vec<LookupHit>, IpcError> {
    Ok(state.engine().await?.store().lookup(&reference, 50).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, fields(profile = %profile, order_no = %order_no), err(level = "info", Debug))]
pub(crate) async fn add_order(
    state: State<'_, AppState>,
    profile: String,
    order_no: String,
    amount: String,
    currency: String,
    subject: String,
    attributes: Option<BTreeMap<String, String>>,
) -> Result<OrderView, IpcError> {
    let input = OrderInput {
        profile,
        order_no,
        amount,
        currency,
        subject,
        attributes: attributes.unwrap_or_default(),
    };
    Ok(orders::add_order(state.engine().await?.store(), input).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn takings(
    state: State<'_, AppState>,
    since_ms: i64,
) -> Result<Vec<TakingsRow>, IpcError> {
    Ok(state.engine().await?.store().takings(since_ms).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn activity(state: State<'_, AppState>) -> Result<Activity, IpcError> {
    Ok(state.engine().await?.store().activity().await?)
}

/// The file's text crosses IPC in one message: 64 MiB is some 500,000 orders of CSV.
pub(crate) const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Rejected rows sent back with the report; the counts are always complete.
pub(crate) const MAX_REPORTED_ROWS: usize = 1000;

/// Orders in one export: beyond this, narrow the filters or use `paydesk history --csv`.
pub(crate) const MAX_EXPORT_ROWS: u64 = 200_000;

/// An import's outcome: `rejected` holds the first rows refused, with their line and reason.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportSummary {
    rows: u64,
    imported: u64,
    rejected_count: u64,
    rejected: Vec<RowError>,
}

/// Imports orders from a file's text, which the person chose in the page. Emits
/// `import-progress` (rows read, imported, rejected) as batches are written.
#[tauri::command]
#[tracing::instrument(skip_all, fields(format = %format, bytes = content.len()), err(level = "info", Debug))]
pub(crate) async fn import_orders(
    app: AppHandle,
    state: State<'_, AppState>,
    content: String,
    format: String,
    profile: Option<String>,
) -> Result<ImportSummary, IpcError> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(refused(format!(
            "the file has {} bytes; an import takes at most {MAX_IMPORT_BYTES}",
            content.len()
        )));
    }
    let format = match format.to_ascii_lowercase().as_str() {
        "csv" => ImportFormat::Csv,
        "json" => ImportFormat::Json,
        other => {
            return Err(refused(format!(
                "unknown import format {other:?}: csv or json"
            )))
        }
    };
    let profile = profile
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty());
    // Spreadsheets save UTF-8 CSV behind a byte order mark; it is not part of the header.
    let content = match content.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => content,
    };
    let report = import::import_orders(
        state.engine().await?.store(),
        content.as_bytes(),
        format,
        profile.as_deref(),
        |progress: Progress| {
            if let Err(e) = app.emit("import-progress", progress) {
                tracing::warn!(error = %e, "could not report import progress");
            }
        },
    )
    .await
    .map_err(|e| match e {
        ImportError::Unreadable(why) => refused(why),
        ImportError::Store(s) => s.into(),
    })?;
    tracing::info!(
        rows = report.rows,
        imported = report.imported,
        rejected = report.rejected.len(),
        "orders imported"
    );
    let rejected_count = report.rejected.len() as u64;
    let mut rejected = report.rejected;
    rejected.truncate(MAX_REPORTED_ROWS);
    Ok(ImportSummary {
        rows: report.rows,
        imported: report.imported,
        rejected_count,
        rejected,
    })
}

/// A file for the page to hand to the person as a download.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportFile {
    file_name: String,
    media_type: &'static str,
    rows: u64,
    content: String,
}

/// The orders matching the list's filters, as CSV or JSON.
#[tauri::command]
#[tracing::instrument(skip_all, fields(format = %format), err(level = "info", Debug))]
pub(crate) async fn export_orders(
    state: State<'_, AppState>,
    query: OrderQuery,
    format: String,
) -> Result<ExportFile, IpcError> {
    let format = ExportFormat::parse(&format)
        .ok_or_else(|| refused(format!("unknown export format {format:?}: csv or json")))?;
    let export = export::export_orders(
        state.engine().await?.store(),
        &query,
        format,
        MAX_EXPORT_ROWS,
    )
    .await
    .map_err(|e| match e {
        ExportError::TooMany { .. } => refused(e.to_string()),
        ExportError::Store(s) => s.into(),
    })?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    // A byte order mark is how spreadsheets tell UTF-8 CSV (Chinese subjects) from a local
    // code page; the import takes it off again.
    let content = match format {
        ExportFormat::Csv => format!("\u{feff}{}", export.content),
        ExportFormat::Json => export.content,
    };
    Ok(ExportFile {
        file_name: format!("paydesk-orders-{stamp}.{}", format.extension()),
        media_type: format.media_type(),
        rows: export.rows,
        content,
    })
}
