//! Receipts, the day's report and the merchant's settings as the window works them: a page (a
//! receipt issued, a shift or day report) to show and print through the system's dialog (saved
//! as PDF by desktop/files.rs), and the settings in Settings.

use paydesk_core::app::merchant::{self, MerchantView};
use paydesk_core::app::papers::{self, Receipt};
use paydesk_core::day_report::DayReport;
use paydesk_core::merchant::Merchant;
use paydesk_core::words::Lang;
use paydesk_paper::Paper;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::*;

/// Which report: a shift's (this desk's current or last without an id) or a day's (today
/// without a date).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum PaperOf {
    Shift { shift_id: Option<i64> },
    Day { date: Option<String> },
}

async fn paper_of(
    store: &paydesk_core::store::Store,
    of: &PaperOf,
    lang: Lang,
) -> Result<Paper, IpcError> {
    Ok(match of {
        PaperOf::Shift { shift_id } => papers::shift_report_paper(store, *shift_id, lang).await?,
        PaperOf::Day { date } => papers::day_report_paper(store, date.as_deref(), lang).await?,
    })
}

/// Issues a receipt of the order's payment, to show and print: the store records it, so a
/// second one of the same payment is a copy; the answer says whether it is one, and whether
/// it is a sandbox payment's specimen.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn issue_receipt(
    state: State<'_, AppState>,
    order_no: String,
    lang: Lang,
) -> Result<Receipt, IpcError> {
    Ok(papers::receipt(state.engine().await?.store(), &order_no, lang).await?)
}

/// A report's page to show and print.
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn paper(
    state: State<'_, AppState>,
    of: PaperOf,
    lang: Lang,
) -> Result<Paper, IpcError> {
    paper_of(state.engine().await?.store(), &of, lang).await
}

/// What every desk took on a day of the merchant's calendar (today without a date).
#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn day_report(
    state: State<'_, AppState>,
    date: Option<String>,
) -> Result<DayReport, IpcError> {
    Ok(papers::day_report(state.engine().await?.store(), date.as_deref()).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn merchant_settings(
    state: State<'_, AppState>,
) -> Result<MerchantView, IpcError> {
    Ok(merchant::show(state.engine().await?.store()).await?)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(level = "info", Debug))]
pub(crate) async fn set_merchant_settings(
    state: State<'_, AppState>,
    settings: Merchant,
) -> Result<MerchantView, IpcError> {
    Ok(merchant::set(state.engine().await?.store(), settings).await?)
}
