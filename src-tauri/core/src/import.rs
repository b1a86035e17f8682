//! Importing orders from CSV or JSON: every row is checked on its own, a bad row is reported
//! with its line and reason and changes nothing, good rows go in in large transactions.
//!
//! CSV: a header row naming the columns `order_no`, `amount` (decimal string in the main unit)
//! and optionally `profile`, `currency` (default CNY), `subject`, and `attr.KEY` for each order
//! attribute. JSON: an array of objects with the same fields (`attributes` as an object;
//! `amount` a string, as money never travels as a float).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use paydesk_gateways::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::store::{now_ms, Store, StoreError};

/// Rows per transaction: large enough to amortise the commit, small enough to report
/// progress often.
const BATCH: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    Json,
}

impl ImportFormat {
    /// From a file name's extension.
    pub fn from_path(path: &std::path::Path) -> Option<ImportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(ImportFormat::Csv),
            "json" => Some(ImportFormat::Json),
            _ => None,
        }
    }
}

/// Why one row was not imported. `line` is the file's line for CSV, the 1-based element for
/// JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub order_no: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    pub rejected: Vec<RowError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub rows_read: u64,
    pub imported: u64,
    pub rejected: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (not CSV/JSON, no header, missing columns).
    #[error("{0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One row as read, before checking.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    order_no: Option<String>,
    profile: Option<String>,
    amount: Option<serde_json::Value>,
    currency: Option<String>,
    subject: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, serde_json::Value>,
}

/// A row as read with its line: the row, or why it could not be read.
type ReadRow = (u64, Result<RawRow, String>);

struct CheckedRow {
    order_no: String,
    profile_id: i64,
    amount: Money,
    subject: String,
    attributes: String,
}

pub fn check_order_no(order_no: &str) -> Result<(), String> {
    if order_no.trim().is_empty() {
        return Err("the order number is empty".into());
    }
    if order_no.chars().count() > 128 {
        return Err("the order number is longer than 128 characters".into());
    }
    if order_no.chars().any(char::is_control) {
        return Err("the order number contains control characters".into());
    }
    Ok(())
}

struct Checker<'a> {
    profiles: &'a HashMap<String, i64>,
    default_profile: Option<&'a str>,
    seen: HashSet<String>,
}

impl Checker<'_> {
    fn check(&mut self, raw: RawRow) -> Result<CheckedRow, String> {
        let order_no = raw.order_no.unwrap_or_default();
        check_order_no(&order_no)?;
        let profile_name = raw
            .profile
            .filter(|p| !p.trim().is_empty())
            .or_else(|| self.default_profile.map(str::to_string))
            .ok_or("no profile: add a profile column or pass a default profile")?;
        let profile_id = *self
            .profiles
            .get(profile_name.trim())
            .ok_or_else(|| format!("no gateway profile named {profile_name:?}"))?;
        let currency = Currency::parse(
            raw.currency
                .as_deref()
                .filter(|c| !c.is_empty())
                .unwrap_or("CNY"),
        )
        .map_err(|e| e.to_string())?;
        let amount_text = match raw.amount {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(_)) => {
                return Err(
                    "amount must be a decimal string like \"12.34\", not a JSON number".into(),
                )
            }
            Some(_) | None => return Err("amount is missing".into()),
        };
        let amount = Money::parse_positive(&amount_text, currency).map_err(|e| e.to_string())?;
        let subject = raw.subject.unwrap_or_default();
        if subject.chars().count() > 512 {
            return Err("the subject is longer than 512 characters".into());
        }
        let mut attributes = BTreeMap::new();
        for (key, value) in raw.attributes {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(format!("attribute {key:?} must be a string")),
            };
            if key.is_empty() || key.chars().any(char::is_control) {
                return Err(format!("attribute name {key:?} is not valid"));
            }
            attributes.insert(key, text);
        }
        if !self.seen.insert(order_no.clone()) {
            return Err("the order number appears earlier in this file".into());
        }
        Ok(CheckedRow {
            order_no,
            profile_id,
            amount,
            subject,
            attributes: serde_json::to_string(&attributes).expect("string map"),
        })
    }
}

/// Reads rows from CSV into the same shape as JSON rows.
fn csv_rows(reader: impl Read + Send) -> Result<impl Iterator<Item = ReadRow> + Send, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| ImportError::Unreadable(format!("the CSV header cannot be read: {e}")))?
        .clone();
    let mut columns = Vec::new();
    for name in headers.iter() {
        let name = name.trim();
        let known = matches!(
            name,
            "order_no" | "profile" | "amount" | "currency" | "subject"
        );
        if !known && !name.starts_with("attr.") {
            return Err(ImportError::Unreadable(format!(
                "unknown column {name:?}: use order_no, profile, amount, currency, subject or attr.KEY"
            )));
        }
        if columns.contains(&name.to_string()) {
            return Err(ImportError::Unreadable(format!(
                "column {name:?} appears twice"
            )));
        }
        columns.push(name.to_string());
    }
    for required in ["order_no", "amount"] {
        if !columns.iter().any(|c| c == required) {
            return Err(ImportError::Unreadable(format!(
                "the CSV has no {required:?} column"
            )));
        }
    }
    Ok(csv.into_records().map(move |record| match record {
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            (line, Err(format!("unreadable row: {e}")))
        }
        Ok(record) => {
            let line = record.position().map_or(0, |p| p.line());
            let mut row = RawRow::default();
            for (name, value) in columns.iter().zip(record.iter()) {
                let value = value.to_string();
                match name.as_str() {
                    "order_no" => row.order_no = Some(value),
                    "profile" => row.profile = Some(value),
                    "amount" => row.amount = Some(serde_json::Value::String(value)),
                    "currency" => row.currency = Some(value),
                    "subject" => row.subject = Some(value),
                    attr => {
                        if !value.is_empty() {
                            row.attributes
                                .insert(attr["attr.".len()..].to_string(), value.into());
                        }
                    }
                }
            }
            (line, Ok(row))
        }
    }))
}

fn json_rows(mut reader: impl Read) -> Result<Vec<ReadRow>, ImportError> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| ImportError::Unreadable(format!("the file is not UTF-8 text: {e}")))?;
    let values: Vec<serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
        ImportError::Unreadable(format!("the file is not a JSON array of orders: {e}"))
    })?;
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let row = serde_json::from_value::<RawRow>(value)
                .map_err(|e| format!("unreadable order: {e}"));
            (i as u64 + 1, row)
        })
        .collect())
}

/// Imports orders, reporting progress after every batch.
pub async fn import_orders(
    store: &Store,
    reader: impl Read + Send,
    format: ImportFormat,
    default_profile: Option<&str>,
    mut progress: impl FnMut(Progress),
) -> Result<ImportReport, ImportError> {
    let profiles: HashMap<String, i64> = store
        .profiles()
        .await?
        .into_iter()
        .map(|p| (p.name, p.id))
        .collect();
    if let Some(name) = default_profile {
        if !profiles.contains_key(name) {
            return Err(StoreError::NoSuchProfile(name.to_string()).into());
        }
    }
    let rows: Box<dyn Iterator<Item = ReadRow> + Send> = match format {
        ImportFormat::Csv => Box::new(csv_rows(reader)?),
        ImportFormat::Json => Box::new(json_rows(reader)?.into_iter()),
    };
    let mut checker = Checker {
        profiles: &profiles,
        default_profile,
        seen: HashSet::new(),
    };
    let mut report = ImportReport::default();
    let mut batch: Vec<(u64, CheckedRow)> = Vec::with_capacity(BATCH);
    for (line, raw) in rows {
        report.rows += 1;
        let order_hint = raw.as_ref().ok().and_then(|r| r.order_no.clone());
        match raw.and_then(|r| checker.check(r)) {
            Ok(row) => batch.push((line, row)),
            Err(reason) => report.rejected.push(RowError {
                line,
                order_no: order_hint,
                reason,
            }),
        }
        if batch.len() >= BATCH {
            insert_batch(store, &mut batch, &mut report).await?;
            progress(Progress {
                rows_read: report.rows,
                imported: report.imported,
                rejected: report.rejected.len() as u64,
            });
        }
    }
    insert_batch(store, &mut batch, &mut report).await?;
    progress(Progress {
        rows_read: report.rows,
        imported: report.imported,
        rejected: report.rejected.len() as u64,
    });
    report.rejected.sort_by_key(|r| r.line);
    Ok(report)
}

/// Rows per INSERT statement: the driver's round trip to its database thread is paid once per
/// statement, so many rows share one (7 values a row, far below SQLite's 32,766).
const ROWS_PER_STATEMENT: usize = 200;

async fn insert_batch(
    store: &Store,
    batch: &mut Vec<(u64, CheckedRow)>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let mut tx = store
        .pool()
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(StoreError::from)?;
    for chunk in batch.chunks(ROWS_PER_STATEMENT) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at) ",
        );
        insert.push_values(chunk, |mut values, (_, row)| {
            values
                .push_bind(&row.order_no)
                .push_bind(row.profile_id)
                .push_bind(row.amount.minor)
                .push_bind(row.amount.currency.code())
                .push_bind(&row.subject)
                .push_bind(&row.attributes)
                .push_bind(now);
        });
        // The rows that went in; an order number the store already has is left as it was.
        insert.push(" ON CONFLICT(order_no) DO NOTHING RETURNING order_no");
        let inserted: HashSet<String> = insert
            .build_query_scalar::<String>()
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?
            .into_iter()
            .collect();
        for (line, row) in chunk {
            if inserted.contains(&row.order_no) {
                report.imported += 1;
            } else {
                report.rejected.push(RowError {
                    line: *line,
                    order_no: Some(row.order_no.clone()),
                    reason: "an order with this number already exists".into(),
                });
            }
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewProfile;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("paydesk.sqlite"))
            .await
            .unwrap();
        store
            .create_profile(&NewProfile {
                name: "p".into(),
                gateway: "sensecore".into(),
                base_url: "https://x".into(),
                settings: BTreeMap::new(),
                is_sandbox: false,
            })
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn imports_good_rows_and_reports_each_bad_one() {
        let (_dir, store) = store().await;
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
        assert!(reasons[1].1.contains("no gateway profile"));
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

    #[tokio::test]
    async fn rows_across_statements_and_batches_are_each_reported() {
        let (_dir, store) = store().await;
        // Every 7th order is in the store before the file comes, and the file spans several
        // multi-row statements.
        let n = 2 * ROWS_PER_STATEMENT + 37;
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

    #[tokio::test]
    async fn json_rows_and_whole_file_errors() {
        let (_dir, store) = store().await;
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
