//! Receipts and the printed reports for both shells: a paid order's receipt (recorded as
//! issued, so a reprint is a copy), the day's report across desks, and any of them as a page
//! the window shows and prints, or as PDF.

use paydesk_paper::{Paper, PaperError};
use serde::Serialize;
use ts_rs::TS;

use crate::day_report::{self, DayReport};
use crate::receipt::{self, Issue};
use crate::report_papers;
use crate::store::Store;
use crate::words::{Lang, Words};

use super::{AppError, Problem, Result};

/// A receipt just issued: its page, and what it says of itself.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Receipt {
    pub paper: Paper,
    /// A reprint: it says COPY / 副本.
    pub copy: bool,
    /// A sandbox payment's: it says SPECIMEN / 样张.
    pub specimen: bool,
}

/// Issues a receipt of the order's payment in `lang` for the window to show and print:
/// refused when the order is not paid.
pub async fn receipt(store: &Store, order_no: &str, lang: Lang) -> Result<Receipt> {
    let paid = store.paid_order(order_no.trim()).await?;
    let merchant = store.merchant().await?;
    let (earlier, printed_at) = store.issue_receipt(&paid).await?;
    tracing::info!(
        attempt = paid.attempt.id,
        copy = earlier > 0,
        "receipt issued"
    );
    Ok(receipt_of(
        store, &paid, &merchant, earlier, printed_at, lang,
    ))
}

/// Issues a receipt of the order's payment as PDF. The PDF is written before the receipt is
/// recorded, so one that cannot be written (no font has the merchant's name) leaves no
/// receipt behind to make the next one a copy.
pub async fn receipt_pdf(store: &Store, order_no: &str, lang: Lang) -> Result<(Receipt, Vec<u8>)> {
    let paid = store.paid_order(order_no.trim()).await?;
    let merchant = store.merchant().await?;
    let expected = store.receipts_issued(paid.attempt.id).await?;
    let now = store.now().await?;
    let draft = receipt_of(store, &paid, &merchant, expected, now, lang);
    let bytes = pdf(draft.paper.clone()).await?;
    let (earlier, printed_at) = store.issue_receipt(&paid).await?;
    tracing::info!(
        attempt = paid.attempt.id,
        copy = earlier > 0,
        "receipt issued"
    );
    let issued = receipt_of(store, &paid, &merchant, earlier, printed_at, lang);
    if earlier == expected {
        return Ok((issued, bytes));
    }
    // Another desk printed one meanwhile: this one is a copy after all.
    let bytes = pdf(issued.paper.clone()).await?;
    Ok((issued, bytes))
}

fn receipt_of(
    store: &Store,
    paid: &crate::receipt::PaidOrder,
    merchant: &crate::merchant::Merchant,
    earlier: i64,
    printed_at: i64,
    lang: Lang,
) -> Receipt {
    let issue = Issue {
        earlier,
        printed_at,
        desk: store.actor().desk,
    };
    Receipt {
        paper: receipt::paper(paid, merchant, &issue, merchant.zone(), Words::of(lang)),
        copy: earlier > 0,
        specimen: paid.sandbox,
    }
}

/// The report of the merchant's day `date` (today where none), across every desk.
pub async fn day_report(store: &Store, date: Option<&str>) -> Result<DayReport> {
    let day = super::merchant::day(store, date).await?;
    let zone = super::merchant::zone(store).await?;
    let (shifts, attempts) = (
        store.shifts_between(day.since_ms, day.until_ms).await?,
        store.attempts_between(day.since_ms, day.until_ms).await?,
    );
    Ok(day_report::report(
        day,
        zone.name(),
        shifts,
        &attempts,
        store.counts_sandbox(),
    ))
}

pub async fn day_report_paper(store: &Store, date: Option<&str>, lang: Lang) -> Result<Paper> {
    let report = day_report(store, date).await?;
    let merchant = store.merchant().await?;
    Ok(report_papers::day_paper(
        &report,
        &merchant,
        Words::of(lang),
    ))
}

/// The report of shift `id` (this desk's current or last where none) on paper.
pub async fn shift_report_paper(store: &Store, id: Option<i64>, lang: Lang) -> Result<Paper> {
    let report = super::shifts::report(store, id).await?;
    let merchant = store.merchant().await?;
    Ok(report_papers::shift_paper(
        &report,
        &merchant,
        Words::of(lang),
    ))
}

/// The page as a PDF file's bytes, written off the async threads (fonts are read and subset).
pub async fn pdf(paper: Paper) -> Result<Vec<u8>> {
    crate::off_thread::run("writing the PDF", move || {
        paydesk_paper::pdf::render(&paper)
    })
    .await
    .map_err(|stopped| {
        AppError::new(
            Problem::Internal {
                reason: stopped.to_string(),
            },
            stopped.to_string(),
        )
    })?
    .map_err(AppError::from)
}

impl From<PaperError> for AppError {
    fn from(e: PaperError) -> Self {
        let message = e.to_string();
        match e {
            PaperError::NoFont { missing } => AppError::new(Problem::NoFont { missing }, message),
            PaperError::Pdf(_) | PaperError::Qr(_) => AppError::new(
                Problem::Internal {
                    reason: message.clone(),
                },
                message,
            ),
        }
    }
}
