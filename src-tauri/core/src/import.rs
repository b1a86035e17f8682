//! Importing orders from CSV or JSON: every row is checked on its own, a bad row is reported
//! with its line and reason and changes nothing, good rows go in in large transactions.
//!
//! CSV: a header row naming the columns `order_no`, `amount` (decimal string in the main unit)
//! and optionally `profile`, `currency` (by default the one its profile's gateway fixes, else
//! CNY), `subject`, and `attr.KEY` for each order attribute. JSON: an array of objects with the same fields (`attributes` as an object;
//! `amount` a string, as money never travels as a float).
//!
//! Two halves: [`parse`] reads the file and checks each row (pure: bytes in, candidates or
//! refusals out, fuzzed on its own); this module writes the candidates, in batches, and adds
//! the refusals that need the database: the order number is already there, or the profile's
//! gateway could never be paid for the order (as `order add` refuses it).

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Serialize;

use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::{Connector, Currency, Invalid, OrderRefusal};

use crate::changes::Change;
use crate::domain::Profile;
use crate::store::{Store, StoreError};

/// The parsing layer, in paydesk-rules so the fuzz targets build it without the store.
pub use paydesk_rules::parse;

pub use parse::{check_order_no, ImportFormat, OrderCandidate, Profiles, RowError};

/// Rows per transaction: large enough to amortise the commit and the search index's flush
/// of each commit (5,000 a transaction took 1.49× sqlite3 doing the same job at 200,000 rows,
/// 50,000 took 1.29×), small enough to keep the memory bounded and another window's payment
/// from waiting long for the write lock.
pub const BATCH: usize = if cfg!(test) { 1_000 } else { 50_000 };

/// Rows read between two reports of progress (each batch written is reported too).
const PROGRESS_EVERY: u64 = 5_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    pub rejected: Vec<RowError>,
}

impl ImportReport {
    fn progress(&self) -> Progress {
        Progress {
            rows_read: self.rows,
            imported: self.imported,
            rejected: self.rejected.len() as u64,
        }
    }
}

/// How far an import has got, every few thousand rows read and after each batch written: the
/// window's `import-progress` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(rename = "ImportProgress")]
pub struct Progress {
    pub rows_read: u64,
    pub imported: u64,
    pub rejected: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (not CSV/JSON, no header, missing columns).
    #[error("{0}")]
    Unreadable(paydesk_gateways::Invalid),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runtime stopped (the program is closing) while a batch was being written: the
    /// batches before it are in, that one is in whole or not at all.
    #[error("the import stopped before it was finished: the program is closing")]
    Stopped,
}

impl From<parse::Unreadable> for ImportError {
    fn from(e: parse::Unreadable) -> Self {
        ImportError::Unreadable(e.0)
    }
}

/// Imports orders, reporting progress after every batch.
pub async fn import_orders(
    store: &Store,
    reader: impl Read + Send,
    format: ImportFormat,
    default_profile: Option<&str>,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let kept = store.profiles().await?;
    let profiles: HashMap<String, i64> = kept.iter().map(|p| (p.name.clone(), p.id)).collect();
    if let Some(name) = default_profile {
        if !profiles.contains_key(name) {
            return Err(StoreError::NoSuchProfile(name.to_string()).into());
        }
    }
    let gateways: HashMap<i64, Payable> = kept
        .iter()
        .filter_map(|p| Some((p.id, Payable::of(p)?)))
        .collect();
    let currencies: HashMap<i64, Currency> = gateways
        .iter()
        .filter_map(|(id, payable)| Some((*id, payable.currency?)))
        .collect();
    let rows = parse::rows(
        reader,
        format,
        Profiles {
            ids: &profiles,
            default: default_profile,
            currencies: &currencies,
        },
    )?;
    let mut report = ImportReport::default();
    let mut batch: Vec<OrderCandidate> = Vec::with_capacity(BATCH);
    // One batch is written while the next is read and checked, each on a core of its own.
    let mut writing: Option<Writing> = None;
    for row in rows {
        report.rows += 1;
        match row {
            // As `order add` refuses it: an order its profile's gateway could never be paid for.
            Ok(candidate) => match unpayable(&gateways, &candidate) {
                Some(why) => {
                    let order_no = Some(candidate.order_no);
                    report
                        .rejected
                        .push(RowError::new(candidate.line, order_no, why));
                }
                None => batch.push(candidate),
            },
            Err(refused) => report.rejected.push(refused),
        }
        if report.rows % PROGRESS_EVERY == 0 {
            progress(report.progress());
        }
        if batch.len() >= BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if let Some(previous) = writing.take() {
                tally(store, previous, &mut report, &mut progress).await?;
            }
            writing = Some(write(store, full));
        }
    }
    if let Some(previous) = writing.take() {
        tally(store, previous, &mut report, &mut progress).await?;
    }
    tally(store, write(store, batch), &mut report, &mut progress).await?;
    report.rejected.sort_by_key(|r| r.line);
    Ok(report)
}

/// What a profile's gateway asks of an order to be paid for it.
struct Payable<'a> {
    connector: Box<dyn Connector>,
    profile: &'a Profile,
    /// The currency its orders are in, where the gateway fixes one.
    currency: Option<Currency>,
    /// Whether an attribute can refuse an order (one is required, or must be a number): most
    /// gateways' cannot, and their rows skip asking (a million rows, a few allocations each).
    attributes_can_refuse: bool,
}

impl<'a> Payable<'a> {
    fn of(profile: &'a Profile) -> Option<Payable<'a>> {
        let connector = paydesk_gateways::connector_for(&profile.gateway)?;
        Some(Payable {
            currency: connector.order_currency(&profile.settings),
            attributes_can_refuse: (connector.order_attributes().iter())
                .any(|a| a.required || a.positive_integer),
            connector,
            profile,
        })
    }
}

/// Why the row's profile's gateway could never be paid for it, if it could not: the
/// connector's own [`Connector::order_refusal`], the rule `order add` applies.
fn unpayable(gateways: &HashMap<i64, Payable>, row: &OrderCandidate) -> Option<Invalid> {
    let payable = gateways.get(&row.profile_id)?;
    let currency = row.amount.currency;
    if !payable.attributes_can_refuse && payable.currency.is_none_or(|c| c == currency) {
        return None;
    }
    let settings = &payable.profile.settings;
    let why = (payable.connector).order_refusal(settings, currency, &row.attributes)?;
    first_reason(&why, row)
}

/// The first reason a gateway gives for never being paid for an order, as a row's refusal.
fn first_reason(why: &OrderRefusal, row: &OrderCandidate) -> Option<Invalid> {
    if let Some(expected) = why.expected_currency {
        let rule = Rule::OneOf {
            value: row.amount.currency.code().to_string(),
            allowed: vec![expected.code().to_string()],
        };
        return Some(Invalid::new(Field::Currency, rule));
    }
    if let Some(name) = why.missing.first() {
        let field = Field::Attribute { name: name.clone() };
        return Some(Invalid::new(field, Rule::Missing));
    }
    why.not_whole_number.first().map(|name| {
        let field = Field::Attribute { name: name.clone() };
        let value = paydesk_gateways::shown(row.attributes.get(name).map_or("", String::as_str));
        Invalid::new(field, Rule::NotWholeNumber { value })
    })
}

/// A batch being written in a transaction of its own: the batch, and the numbers that went in.
type Writing = tokio::task::JoinHandle<Result<(Vec<OrderCandidate>, HashSet<String>), StoreError>>;

fn write(store: &Store, batch: Vec<OrderCandidate>) -> Writing {
    let store = store.clone();
    tokio::spawn(async move {
        if batch.is_empty() {
            return Ok((batch, HashSet::new()));
        }
        let went_in = store.add_orders(&batch).await?;
        Ok((batch, went_in))
    })
}

/// Waits for a batch's transaction and counts its rows: imported, or refused as numbers the
/// store (or an earlier row) already has.
async fn tally(
    store: &Store,
    writing: Writing,
    report: &mut ImportReport,
    progress: &mut impl FnMut(Progress),
) -> Result<(), ImportError> {
    let (batch, mut went_in) = match writing.await {
        Ok(written) => written?,
        Err(stopped) if stopped.is_panic() => std::panic::resume_unwind(stopped.into_panic()),
        Err(_) => return Err(ImportError::Stopped),
    };
    let imported_before = report.imported;
    for row in &batch {
        // The first row with a number takes it; a later one in the same file is a duplicate.
        if went_in.remove(&row.order_no) {
            report.imported += 1;
        } else {
            report.rejected.push(RowError::new(
                row.line,
                Some(row.order_no.clone()),
                paydesk_gateways::Invalid::new(
                    paydesk_gateways::invalid::Field::OrderNo,
                    paydesk_gateways::invalid::Rule::Taken,
                ),
            ));
        }
    }
    if report.imported > imported_before {
        // A batch is too many orders to name; every view of orders refreshes.
        store.publish(Change::Everything);
    }
    progress(report.progress());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{add_profile, store_contract};

    store_contract! {
    async fn a_row_its_gateway_could_never_be_paid_for_is_refused_as_order_add_refuses_it(store) {
        add_profile(&store, "db", "debit").await;
        add_profile(&store, "pt", "partner").await;
        let csv = "order_no,profile,amount,currency,attr.user_id,attr.gift_pos_id,attr.address_id\n\
                   D-1,db,100,,,,\n\
                   D-2,db,100,CNY,,,\n\
                   P-1,pt,5,,,,\n\
                   P-2,pt,5,,u1,g1,x\n\
                   P-3,pt,5,,u1,g1,7\n";
        let report = import_orders(&store, csv.as_bytes(), ImportFormat::Csv, None, |_| {})
            .await
            .unwrap();
        let refused: Vec<(String, String)> = report
            .rejected
            .iter()
            .map(|r| (r.order_no.clone().unwrap_or_default(), r.problem.to_string()))
            .collect();
        assert_eq!(report.imported, 2, "{refused:?}");
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert!(refused[0].0 == "D-2" && refused[0].1.contains("INR"), "{refused:?}");
        assert!(refused[1].0 == "P-1" && refused[1].1.contains("user_id"), "{refused:?}");
        assert!(refused[2].0 == "P-2" && refused[2].1.contains("address_id"), "{refused:?}");
        // A row naming no currency is in the profile's own.
        assert_eq!(store.order("D-1").await.unwrap().currency, "INR");
    }

    async fn imports_good_rows_and_reports_each_bad_one(store) {
        add_profile(&store, "p", "sensecore").await;
        let csv = "order_no,profile,amount,currency,subject,attr.user_id\n\
                   A-1,p,12.34,CNY,first,u1\n\
                   A-2,p,1.999,CNY,too precise,\n\
                   A-3,nope,1.00,CNY,no profile,\n\
                   A-1,p,5.00,CNY,duplicate in file,\n\
                   ,p,5.00,CNY,no number,\n\
                   A-4,p,-1,CNY,negative,\n\
                   A-5,p,0.01,INR,rupees,\n\
                   \"A-6, with comma\",p,7,,\"quoted, subject\",\n";
        let mut seen = Vec::new();
        let report = import_orders(&store, csv.as_bytes(), ImportFormat::Csv, None, |p| {
            seen.push(p)
        })
        .await
        .unwrap();
        assert_eq!(report.rows, 8);
        assert_eq!(report.imported, 3);
        let reasons: Vec<(u64, &str)> = report
            .rejected
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 5, "{reasons:?}");
        assert_eq!(reasons[0].0, 3);
        assert!(reasons[0].1.contains("decimal places"));
        assert!(reasons[1].1.contains("profile \"nope\" is unknown"), "{reasons:?}");
        assert!(reasons[2].1.contains("earlier in this file"));
        assert!(reasons[3].1.contains("empty"));
        assert!(reasons[4].1.contains("positive"));
        let a1 = store.order("A-1").await.unwrap();
        assert_eq!(
            (a1.amount_minor, a1.attributes["user_id"].as_str()),
            (1234, "u1")
        );
        assert_eq!(
            store.order("A-6, with comma").await.unwrap().subject,
            "quoted, subject"
        );
        assert!(
            store.order("A-2").await.is_err(),
            "a bad row changes nothing"
        );
        assert_eq!(seen.last().unwrap().imported, 3);

        let again = import_orders(&store, csv.as_bytes(), ImportFormat::Csv, None, |_| {})
            .await
            .unwrap();
        assert_eq!(again.imported, 0, "a second import adds nothing");
        assert!(again
            .rejected
            .iter()
            .any(|r| r.reason.contains("already exists")));
    }

    async fn rows_across_statements_and_batches_are_each_reported(store) {
        add_profile(&store, "p", "sensecore").await;
        // Every 7th order is in the store before the file comes, and the file spans several
        // multi-row statements.
        let n = 2 * crate::store::IMPORT_ROWS_PER_STATEMENT + 37;
        let mut first = String::from("order_no,amount\n");
        for i in (0..n).step_by(7) {
            first.push_str(&format!("M-{i},1.00\n"));
        }
        import_orders(
            &store,
            first.as_bytes(),
            ImportFormat::Csv,
            Some("p"),
            |_| {},
        )
        .await
        .unwrap();
        let mut csv = String::from("order_no,amount\n");
        for i in 0..n {
            csv.push_str(&format!("M-{i},{}.{:02}\n", 1 + i, i % 100));
        }
        let report = import_orders(&store, csv.as_bytes(), ImportFormat::Csv, Some("p"), |_| {})
            .await
            .unwrap();
        let existing: Vec<usize> = (0..n).step_by(7).collect();
        assert_eq!(report.rows as usize, n);
        assert_eq!(report.imported as usize, n - existing.len());
        let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(
            lines,
            existing.iter().map(|i| *i as u64 + 2).collect::<Vec<_>>(),
            "each existing order is reported on its own line"
        );
        for rejected in &report.rejected {
            assert!(rejected.reason.contains("already exists"));
            assert_eq!(
                rejected.order_no.as_deref(),
                Some(format!("M-{}", rejected.line - 2).as_str())
            );
        }
        assert_eq!(store.order("M-1").await.unwrap().amount_minor, 201);
        assert_eq!(
            store.order("M-7").await.unwrap().amount_minor,
            100,
            "an existing order is left as it was"
        );
    }

    async fn json_rows_and_whole_file_errors(store) {
        add_profile(&store, "p", "sensecore").await;
        let json = r#"[{"order_no":"J-1","amount":"3.00","attributes":{"address_id":1}},
                       {"order_no":"J-2","amount":3.0},
                       {"order_no":"J-3","amount":"1","color":"red"}]"#;
        let report = import_orders(
            &store,
            json.as_bytes(),
            ImportFormat::Json,
            Some("p"),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.imported, 1);
        assert_eq!(
            store.order("J-1").await.unwrap().attributes["address_id"],
            "1"
        );
        assert!(report.rejected[0].reason.contains("not a JSON number"));
        assert!(report.rejected[1].reason.contains("unknown field"));

        for (bad, format) in [
            ("not json", ImportFormat::Json),
            ("{\"order_no\":\"x\"}", ImportFormat::Json),
            ("order_no,price\nx,1\n", ImportFormat::Csv),
            ("amount\n1\n", ImportFormat::Csv),
            ("order_no,amount,amount\nx,1,1\n", ImportFormat::Csv),
        ] {
            let result = import_orders(&store, bad.as_bytes(), format, Some("p"), |_| {}).await;
            assert!(
                matches!(result, Err(ImportError::Unreadable(_))),
                "{bad}: {result:?}"
            );
        }
        let ragged = import_orders(
            &store,
            "order_no,amount\nR-1,1,extra\nR-2,2\n".as_bytes(),
            ImportFormat::Csv,
            Some("p"),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(ragged.imported, 1);
        assert_eq!(ragged.rejected[0].line, 2);
    }
    }
}
