//! Orders in and out, for the window and the command line alike.
//!
//! Adding one by hand: the amount read exactly in the order's currency, the order number
//! checked before anything else and kept exactly as typed (it is matched against the
//! merchant's records, so an order number with spaces around it is refused, never trimmed),
//! the subject without spaces around it, and every attribute kept. Importing a file and
//! exporting the list's matches, with the formats and limits both shells share.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use serde::Serialize;
use ts_rs::TS;

use crate::audit::{AuditAction, Audited};
use crate::console::OrderQuery;
use crate::domain::{OrderTerms, OrderView, Profile};
use crate::export::{self, ExportError, ExportFormat};
use crate::import::{self, check_order_no, ImportError, ImportFormat, ImportReport, Progress};
use crate::store::{NewOrder, Store};
use crate::{Currency, Money};
use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::Invalid;

use super::{AppError, Problem, Result};

/// An order as a person typed it.
#[derive(Debug, Clone)]
pub struct OrderInput {
    pub profile: String,
    pub order_no: String,
    /// A decimal in the currency's main unit (`12.30`).
    pub amount: String,
    /// An ISO 4217 code (`CNY`); `None`: the one the profile's gateway takes, else CNY.
    pub currency: Option<String>,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

/// Adds the order after every rule; nothing is written when one refuses it.
pub async fn add_order(store: &Store, input: OrderInput) -> Result<OrderView> {
    check_order_no(&input.order_no)?;
    let profile = store.profile(&input.profile).await?;
    let currency = match input.currency.as_deref() {
        None => order_currency(&profile).unwrap_or(Currency::CNY),
        Some(code) => Currency::parse(code.trim())?,
    };
    let amount = Money::parse_positive(input.amount.trim(), currency)?;
    check_payable(&profile, currency, &input.attributes)?;
    Ok(store
        .add_order(&NewOrder {
            order_no: input.order_no,
            profile: input.profile,
            amount,
            subject: input.subject.trim().to_string(),
            attributes: input.attributes,
        })
        .await?)
}

/// The currency a profile's orders must be in, where its gateway fixes one.
pub fn order_currency(profile: &Profile) -> Option<Currency> {
    paydesk_gateways::connector_for(&profile.gateway)?.order_currency(&profile.settings)
}

/// Refuses an order its profile's gateway could never be paid with: another currency than
/// the one the profile's orders are in, or an attribute the gateway reads missing or
/// malformed. Said when the order is saved, not at its first payment.
fn check_payable(
    profile: &Profile,
    currency: Currency,
    attributes: &BTreeMap<String, String>,
) -> Result<()> {
    let Some(connector) = paydesk_gateways::connector_for(&profile.gateway) else {
        return Ok(());
    };
    match connector.order_refusal(&profile.settings, currency, attributes) {
        Some(why) => Err(AppError::new(
            Problem::OrderNotPayable(Box::new(super::error::NotPayable {
                profile: profile.name.clone(),
                expected_currency: why.expected_currency.map(|c| c.code().to_string()),
                currency: currency.code().to_string(),
                missing: why.missing.clone(),
                not_whole_number: why.not_whole_number.clone(),
            })),
            format!(
                "gateway profile {:?} cannot be paid for this order: {why}",
                profile.name
            ),
        )),
        None => Ok(()),
    }
}

/// A change a person asked of an unpaid order; what is not named stays as it is.
#[derive(Debug, Clone, Default)]
pub struct OrderEdit {
    pub order_no: String,
    /// The order's revision the person saw; `None` takes the one read now (the command line).
    pub revision: Option<i64>,
    /// A decimal in the order's currency.
    pub amount: Option<String>,
    pub subject: Option<String>,
    /// Every attribute the order is to have (the window's form); `None` keeps the order's.
    pub attributes: Option<BTreeMap<String, String>>,
    pub set_attributes: BTreeMap<String, String>,
    pub unset_attributes: Vec<String>,
}

/// Edits an unpaid order after the rules a new one obeys; refused (nothing changed) when the
/// order is paid, has a payment under way, is cancelled, or changed since the person read it.
pub async fn edit_order(store: &Store, edit: OrderEdit) -> Result<OrderView> {
    let order = store.order(&edit.order_no).await?;
    let currency =
        Currency::parse(&order.currency).map_err(|e| AppError::internal(e.to_string()))?;
    let amount = match &edit.amount {
        Some(text) => Money::parse_positive(text.trim(), currency)?,
        None => Money::from_minor(order.amount_minor, currency),
    };
    let mut attributes = edit.attributes.unwrap_or_else(|| order.attributes.clone());
    for name in &edit.unset_attributes {
        if attributes.remove(name).is_none() {
            let field = Field::Attribute { name: name.clone() };
            return Err(Invalid::new(field, Rule::NotSet).into());
        }
    }
    attributes.extend(edit.set_attributes);
    let terms = OrderTerms {
        amount_minor: amount.minor,
        subject: edit
            .subject
            .map_or(order.subject.clone(), |s| s.trim().to_string()),
        attributes,
    };
    crate::input_rules::check_order_fields(crate::input_rules::OrderFields {
        order_no: &order.order_no,
        amount,
        subject: &terms.subject,
        attributes: &terms.attributes,
    })?;
    let profile = store.profile(&order.profile).await?;
    check_payable(&profile, currency, &terms.attributes)?;
    let revision = edit.revision.unwrap_or(order.revision);
    Ok(store.edit_order(&order.order_no, revision, &terms).await?)
}

/// What cancelling did: the order, and whether it was cancelled now (false: it already was).
#[derive(Debug, Clone, Serialize, TS)]
pub struct Cancelled {
    pub order: OrderView,
    pub cancelled_now: bool,
}

/// Cancels an unpaid order with a person's note; a cancelled order stays as it was.
pub async fn cancel_order(store: &Store, order_no: &str, note: Option<&str>) -> Result<Cancelled> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(note) = note {
        crate::input_rules::check_note(note)?;
    }
    let (order, cancelled_now) = store.cancel_order(order_no, note).await?;
    if cancelled_now {
        tracing::info!(order_no, "order cancelled");
    }
    Ok(Cancelled {
        order,
        cancelled_now,
    })
}

/// An import's format by its name, in any case: `csv` or `json`.
pub fn import_format(name: &str) -> Result<ImportFormat> {
    match name.trim().to_ascii_lowercase().as_str() {
        "csv" => Ok(ImportFormat::Csv),
        "json" => Ok(ImportFormat::Json),
        _ => Err(AppError::refused(format!(
            "unknown import format {name:?}: csv or json"
        ))),
    }
}

/// Imports the orders a file holds, each row checked and reported; `default_profile` is the
/// profile of rows that name none. A UTF-8 byte order mark (spreadsheets write one, and so does
/// the window's CSV export) is not part of the header.
pub async fn import(
    store: &Store,
    source: &str,
    file: impl Read + Send,
    format: ImportFormat,
    default_profile: Option<&str>,
    progress: impl FnMut(Progress),
) -> Result<ImportReport> {
    let mut file = BufReader::new(file);
    let starts_with_bom = file
        .fill_buf()
        .map_err(|e| AppError::refused(e.to_string()))?
        .starts_with("\u{feff}".as_bytes());
    if starts_with_bom {
        file.consume(3);
    }
    let default_profile = default_profile.map(str::trim).filter(|p| !p.is_empty());
    let report = import::import_orders(store, file, format, default_profile, progress)
        .await
        .map_err(|e| match e {
            ImportError::Unreadable(why) => AppError::from(why),
            ImportError::Store(e) => e.into(),
            stopped @ ImportError::Stopped => AppError::internal(stopped.to_string()),
        })?;
    tracing::info!(
        rows = report.rows,
        imported = report.imported,
        rejected = report.rejected.len(),
        "orders imported"
    );
    let entry = Audited::new(AuditAction::OrdersImported, source)
        .with("rows", report.rows)
        .with("imported", report.imported)
        .with("rejected", report.rejected.len());
    store.audit(&entry).await?;
    Ok(report)
}

/// Orders in one export: beyond this, narrow the filters or use `paydesk history --csv`.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

/// A file for the person to keep.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportFile {
    pub file_name: String,
    pub media_type: &'static str,
    pub rows: u64,
    pub content: String,
}

/// The orders matching the list's filters, as CSV (`csv`) or JSON (`json`), named for the
/// time it was made.
pub async fn export(
    store: &Store,
    query: &OrderQuery,
    format: &str,
    now: chrono::DateTime<chrono::Local>,
) -> Result<ExportFile> {
    let format = ExportFormat::parse(format.trim()).ok_or_else(|| {
        AppError::refused(format!("unknown export format {format:?}: csv or json"))
    })?;
    let export = export::export_orders(store, query, format, MAX_EXPORT_ROWS)
        .await
        .map_err(|e| match e {
            ExportError::TooMany { max } => {
                AppError::new(Problem::TooManyToExport { limit: max }, e.to_string())
            }
            ExportError::Store(e) => e.into(),
        })?;
    // A byte order mark is how spreadsheets tell UTF-8 CSV (Chinese subjects) from a local
    // code page; the import takes it off again.
    let content = match format {
        ExportFormat::Csv => format!("\u{feff}{}", export.content),
        ExportFormat::Json => export.content,
    };
    let file_name = format!(
        "paydesk-orders-{}.{}",
        now.format("%Y%m%d-%H%M%S"),
        format.extension()
    );
    let entry = Audited::new(AuditAction::OrdersExported, &file_name)
        .with("rows", export.rows)
        .with("filters", query);
    store.audit(&entry).await?;
    Ok(ExportFile {
        file_name,
        media_type: format.media_type(),
        rows: export.rows,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{add_profile, db_path, dump, temp_store};

    fn typed(order_no: &str, amount: &str, currency: &str) -> OrderInput {
        OrderInput {
            profile: "p".into(),
            order_no: order_no.into(),
            amount: amount.into(),
            currency: Some(currency.into()),
            subject: " gift pack ".into(),
            attributes: BTreeMap::from([("user_id".to_string(), "u-1".to_string())]),
        }
    }

    #[tokio::test]
    async fn an_order_is_kept_as_typed_or_refused_whole() {
        let (dir, store) = temp_store().await;
        add_profile(&store, "p", "sensecore").await;
        let before = dump(&db_path(dir.path())).await;
        for (bad, why) in [
            (typed(" O-1", "12.30", "CNY"), "spaces"),
            (typed("", "12.30", "CNY"), "empty"),
            (typed("O-1", "12.345", "CNY"), "12.345"),
            (typed("O-1", "0", "CNY"), "positive"),
            (typed("O-1", "12.30", "XXX1"), "XXX1"),
        ] {
            let refused = add_order(&store, bad.clone())
                .await
                .expect_err(&format!("{bad:?}"));
            assert!(refused.to_string().contains(why), "{bad:?}: {refused}");
        }
        assert_eq!(dump(&db_path(dir.path())).await, before);

        let order = add_order(&store, typed("O/1 ?", " 12.30 ", "CNY"))
            .await
            .unwrap();
        assert_eq!(order.order_no, "O/1 ?");
        assert_eq!(order.amount_minor, 1230);
        assert_eq!(order.subject, "gift pack");
        assert_eq!(order.attributes["user_id"], "u-1", "attributes are kept");
    }

    #[tokio::test]
    async fn a_byte_order_mark_is_written_for_spreadsheets_and_skipped_on_import() {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "p", "sensecore").await;
        let csv = "\u{feff}order_no,profile,amount,currency,subject\nB-1,p,2.00,CNY,茶\n";
        let json = "\u{feff}[{\"order_no\":\"B-2\",\"profile\":\"p\",\"amount\":\"3.00\"}]";
        for (file, format) in [(csv, ImportFormat::Csv), (json, ImportFormat::Json)] {
            let report = import(&store, "test", file.as_bytes(), format, None, |_| {})
                .await
                .unwrap();
            assert_eq!(
                (report.rows, report.imported),
                (1, 1),
                "{format:?}: {report:?}"
            );
        }

        let now = chrono::Local::now();
        let file = export(&store, &OrderQuery::default(), "CSV", now)
            .await
            .unwrap();
        assert!(
            file.content.starts_with('\u{feff}'),
            "spreadsheets read it as UTF-8"
        );
        assert!(file.file_name.ends_with(".csv"), "{}", file.file_name);
        assert_eq!(file.rows, 2);
    }

    #[tokio::test]
    async fn formats_are_named_csv_or_json_and_nothing_else() {
        assert_eq!(import_format("JSON").unwrap(), ImportFormat::Json);
        let refused = import_format("xlsx").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "unknown import format \"xlsx\": csv or json"
        );
        let (_dir, store) = temp_store().await;
        let refused = export(&store, &OrderQuery::default(), "pdf", chrono::Local::now())
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), crate::app::ErrorKind::Refused);
    }
}
