//! Exporting the orders a person has narrowed the console's list to, as CSV or JSON: the same
//! filters as [`Store::query_orders`], every match (not one page), each order with its latest
//! attempt. Amounts are the exact decimal strings of the order's currency (JSON adds the minor
//! units as an integer); times are RFC 3339 in this computer's time zone.
//!
//! CSV columns: `order_no, profile, gateway, amount, currency, subject, state, channel,
//! gateway_ref, idempotency_key, error_code, error_message, desk, operator, created_at,
//! updated_at, cancelled, cancel_note, deductions, balance_amount, credit_amount,
//! charged_amount, sandbox` (desk and operator: who took the latest attempt; deductions to
//! charged_amount what it came to, as [`Charges`] says; sandbox: the order's profile is a
//! paydesk sandbox, so no real money moved). The CSV is
//! for spreadsheets: every cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, tab or carriage return) is written behind a `'`, whoever wrote its text (the
//! merchant's order numbers and subjects, the gateway's references and errors). JSON is for
//! programs and carries every value as it is, and so does `paydesk history --csv`.

use std::collections::BTreeMap;

use chrono::{DateTime, Local, SecondsFormat};
use paydesk_gateways::{Currency, Money};
use serde::Serialize;
use sqlx::{ColumnIndex, Database, Decode, Encode, Postgres, QueryBuilder, Row, Sqlite, Type};

use crate::console::{self, OrderQuery};
use crate::domain::AttemptState;
use crate::pricing::{AttemptAmounts, Charges};
use crate::store::{RecordPool, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Json => "application/json",
        }
    }
}

/// One exported order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExportRow {
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
    /// The latest attempt's state; `created` for an order never paid.
    pub state: AttemptState,
    pub channel: Option<String>,
    pub gateway_ref: Option<String>,
    pub idempotency_key: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The desk that took the latest attempt, and its operator.
    pub desk: Option<String>,
    pub operator: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub cancelled: bool,
    pub cancel_note: Option<String>,
    /// What the latest attempt came to; `None` for an order never paid.
    pub charges: Option<Charges>,
    /// The order's profile is a paydesk sandbox: its payments moved no real money.
    pub sandbox: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub rows: u64,
    pub content: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("more than {max} orders match: narrow the filters, or use `paydesk history --csv`")]
    TooMany { max: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(why.to_string())
}

fn local_time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&Local)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        })
        .unwrap_or_else(|| ms.to_string())
}

fn row_from<'r, R: Row>(row: &'r R) -> Result<ExportRow, StoreError>
where
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    bool: Decode<'r, R::Database> + Type<R::Database>,
{
    let currency_code: String = row.try_get("currency")?;
    let currency = Currency::parse(&currency_code).map_err(corrupt)?;
    let amount_minor: i64 = row.try_get("amount_minor")?;
    let state: Option<String> = row.try_get("state")?;
    let attributes: String = row.try_get("attributes")?;
    let attributes: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(&attributes).map_err(corrupt)?;
    let attempt_minor: Option<i64> = row.try_get("attempt_amount_minor")?;
    let deductions: Option<String> = row.try_get("deductions")?;
    let coupon: Option<String> = row.try_get("coupon")?;
    let credit_minor: Option<i64> = row.try_get("credit_minor")?;
    let gateway_deduction_minor: Option<i64> = row.try_get("gateway_deduction_minor")?;
    let refunds: Option<String> = row.try_get("subscription_refunds")?;
    let charges = attempt_minor.map(|amount_minor| {
        Charges::from_parts(
            &AttemptAmounts {
                amount_minor,
                deductions: deductions.as_deref().unwrap_or("[]"),
                coupon: coupon.as_deref(),
                credit_minor,
                gateway_deduction_minor,
                subscription_refunds: refunds.as_deref().unwrap_or("[]"),
            },
            &currency_code,
        )
    });
    let cancelled_at: Option<i64> = row.try_get("cancelled_at")?;
    Ok(ExportRow {
        order_no: row.try_get("order_no")?,
        profile: row.try_get("profile")?,
        gateway: row.try_get("gateway")?,
        amount: Money::from_minor(amount_minor, currency).to_decimal_string(),
        amount_minor,
        currency: currency_code,
        subject: row.try_get("subject")?,
        attributes: attributes
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect(),
        state: match state {
            None => AttemptState::Created,
            Some(s) => AttemptState::parse(&s).ok_or_else(|| corrupt(format!("state {s:?}")))?,
        },
        channel: row.try_get("channel")?,
        gateway_ref: row.try_get("gateway_ref")?,
        idempotency_key: row.try_get("idempotency_key")?,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        desk: row.try_get("desk")?,
        operator: row.try_get("operator")?,
        created_at: local_time(row.try_get("created_at")?),
        updated_at: local_time(row.try_get("updated_at")?),
        cancelled: cancelled_at.is_some(),
        cancel_note: row.try_get("cancel_note")?,
        charges,
        sandbox: row.try_get("is_sandbox")?,
    })
}

/// A cell a spreadsheet would evaluate is written as text. Every CSV cell goes through it.
fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn to_csv(rows: &[ExportRow]) -> Result<String, StoreError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "order_no",
        "profile",
        "gateway",
        "amount",
        "currency",
        "subject",
        "state",
        "channel",
        "gateway_ref",
        "idempotency_key",
        "error_code",
        "error_message",
        "desk",
        "operator",
        "created_at",
        "updated_at",
        "cancelled",
        "cancel_note",
        "deductions",
        "balance_amount",
        "credit_amount",
        "charged_amount",
        "sandbox",
    ];
    let failed = |e: csv::Error| corrupt(format!("writing CSV: {e}"));
    writer.write_record(header).map_err(failed)?;
    fn opt(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or_default()
    }
    for r in rows {
        let charges = r.charges.as_ref();
        let deductions = charges.map(Charges::deductions_text).unwrap_or_default();
        let cells = [
            r.order_no.as_str(),
            &r.profile,
            &r.gateway,
            &r.amount,
            &r.currency,
            &r.subject,
            r.state.as_str(),
            opt(&r.channel),
            opt(&r.gateway_ref),
            opt(&r.idempotency_key),
            opt(&r.error_code),
            opt(&r.error_message),
            opt(&r.desk),
            opt(&r.operator),
            &r.created_at,
            &r.updated_at,
            if r.cancelled { "true" } else { "false" },
            opt(&r.cancel_note),
            &deductions,
            charges
                .and_then(|c| c.balance_amount.as_deref())
                .unwrap_or_default(),
            charges
                .and_then(|c| c.credit_amount.as_deref())
                .unwrap_or_default(),
            charges
                .map(|c| c.charged_amount.as_str())
                .unwrap_or_default(),
            if r.sandbox { "true" } else { "false" },
        ];
        // Every cell, not a list of the risky ones: a column added later cannot be missed.
        // (The amount is positive and the state one of paydesk's words: never changed.)
        writer.write_record(cells.map(inert)).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| corrupt(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(corrupt)
}

/// The export's statement: the matches' ids in the list's order (at most `limit`), then each
/// order with its latest attempt, on either database.
fn export_query<'a, DB: Database + crate::store::Dialect>(
    query: &OrderQuery,
    text: Option<&console::TextMatch>,
    limit: i64,
) -> QueryBuilder<'a, DB>
where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let order_by = console::order_by(query);
    let mut q = QueryBuilder::<DB>::new(
        "SELECT o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
                p.name AS profile, p.gateway, p.is_sandbox, a.state, a.channel, a.gateway_ref,
                a.idempotency_key, a.error_code, a.error_message, a.desk, a.operator,
                COALESCE(a.updated_at, o.created_at) AS updated_at, o.cancelled_at, o.cancel_note,
                a.amount_minor AS attempt_amount_minor, a.deductions, a.coupon, a.credit_minor,
                a.gateway_deduction_minor, a.subscription_refunds
         FROM (SELECT o.id",
    );
    q.push(console::orders_from::<DB>());
    console::push_filters(&mut q, query, text);
    q.push(&order_by);
    q.push(" LIMIT ").push_bind(limit);
    q.push(") k JOIN orders o ON o.id = k.id");
    q.push(console::ORDER_JOINS);
    q.push(&order_by);
    q
}

/// Every order matching `query`'s filters, in its sort order (its offset and limit are
/// ignored), as CSV or JSON. More than `max_rows` matches are refused rather than cut short.
pub async fn export_orders(
    store: &Store,
    query: &OrderQuery,
    format: ExportFormat,
    max_rows: u64,
) -> Result<Export, ExportError> {
    let text = match console::typed(query) {
        Some(text) => Some(store.text_match(text).await?),
        None => None,
    };
    // One more than allowed tells "too many" apart from "exactly the limit".
    let limit = i64::try_from(max_rows.saturating_add(1)).unwrap_or(i64::MAX);
    let rows: Vec<ExportRow> = match store.record_pool() {
        RecordPool::Sqlite(pool) => export_query::<Sqlite>(query, text.as_ref(), limit)
            .build()
            .fetch_all(pool)
            .await
            .map_err(StoreError::from)?
            .iter()
            .map(row_from)
            .collect::<Result<_, _>>()?,
        RecordPool::Postgres(pool) => export_query::<Postgres>(query, text.as_ref(), limit)
            .build()
            .fetch_all(pool)
            .await
            .map_err(StoreError::from)?
            .iter()
            .map(row_from)
            .collect::<Result<_, _>>()?,
    };
    if rows.len() as u64 > max_rows {
        return Err(ExportError::TooMany { max: max_rows });
    }
    let content = match format {
        ExportFormat::Csv => to_csv(&rows)?,
        ExportFormat::Json => serde_json::to_string_pretty(&rows).map_err(corrupt)?,
    };
    Ok(Export {
        rows: rows.len() as u64,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AttemptUpdate, NewOrder};
    use crate::test_support::{add_profile, begin_attempt, cny, new_order, store_contract};

    /// Profiles `sc` (sensecore) and `ya` (yian).
    async fn profiles(store: &Store) {
        add_profile(store, "sc", "sensecore").await;
        add_profile(store, "ya", "yian").await;
    }

    /// Adds an order carrying the attribute `k` = `v`.
    async fn order(store: &Store, profile: &str, no: &str, amount: &str, subject: &str) {
        store
            .add_order(&NewOrder {
                subject: subject.into(),
                attributes: BTreeMap::from([("k".to_string(), "v".to_string())]),
                ..new_order(profile, no, cny(amount))
            })
            .await
            .unwrap();
    }

    fn filtered(profile: &str) -> OrderQuery {
        OrderQuery {
            profile: Some(profile.into()),
            descending: true,
            ..OrderQuery::default()
        }
    }

    /// A row whose every text is `{lead}` followed by the column's name, so a cell that went
    /// to the wrong column or skipped the neutraliser shows which.
    fn row_led_by(lead: char) -> ExportRow {
        let text = |column: &str| Some(format!("{lead}{column}"));
        ExportRow {
            order_no: format!("{lead}order_no"),
            profile: format!("{lead}profile"),
            gateway: format!("{lead}gateway"),
            amount: "1.00".into(),
            amount_minor: 100,
            currency: format!("{lead}currency"),
            subject: format!("{lead}subject"),
            attributes: BTreeMap::from([("k".to_string(), format!("{lead}attribute"))]),
            state: AttemptState::Failed,
            channel: text("channel"),
            gateway_ref: text("gateway_ref"),
            idempotency_key: text("idempotency_key"),
            error_code: text("error_code"),
            error_message: text("error_message"),
            desk: text("desk"),
            operator: text("operator"),
            created_at: format!("{lead}created_at"),
            updated_at: format!("{lead}updated_at"),
            cancelled: false,
            cancel_note: text("cancel_note"),
            charges: None,
            sandbox: false,
        }
    }

    #[test]
    fn no_csv_cell_starts_with_what_a_spreadsheet_would_run() {
        // Every column that carries text: the merchant's (order number, subject, profile),
        // the gateway's (reference, error code and message) and paydesk's own.
        let text_columns = [
            "order_no",
            "profile",
            "gateway",
            "currency",
            "subject",
            "channel",
            "gateway_ref",
            "idempotency_key",
            "error_code",
            "error_message",
            "desk",
            "operator",
            "created_at",
            "updated_at",
            "cancel_note",
        ];
        for lead in ['=', '+', '-', '@', '\t', '\r'] {
            let csv = to_csv(&[row_led_by(lead)]).unwrap();
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let header = reader.headers().unwrap().clone();
            let record = reader.records().next().unwrap().unwrap();
            assert_eq!(header.len(), record.len());
            for (column, cell) in header.iter().zip(record.iter()) {
                if text_columns.contains(&column) {
                    assert_eq!(
                        cell,
                        format!("'{lead}{column}"),
                        "{column} led by {lead:?}: {csv:?}"
                    );
                }
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{column} led by {lead:?} reaches a spreadsheet as {cell:?}"
                );
            }
        }
        // Nothing else is touched: text that does not start a formula is written as it is.
        let plain = to_csv(&[ExportRow {
            order_no: "A-1 = x".into(),
            subject: "x=1+2".into(),
            ..row_led_by('a')
        }])
        .unwrap();
        assert!(
            plain.contains("\nA-1 = x,aprofile,agateway,1.00,"),
            "{plain}"
        );
        assert!(plain.contains(",x=1+2,failed,"), "{plain}");
    }

    store_contract! {
    async fn exports_every_match_of_the_filters_with_exact_amounts(store) {
        profiles(&store).await;
        order(&store, "sc", "SC-1", "12.30", "GPU hours").await;
        order(&store, "sc", "SC-2", "0.01", "=HYPERLINK(\"x\")").await;
        order(&store, "ya", "YA-1", "99.00", "course").await;

        let csv = export_orders(&store, &filtered("sc"), ExportFormat::Csv, 10)
            .await
            .unwrap();
        assert_eq!(csv.rows, 2);
        let mut reader = csv::Reader::from_reader(csv.content.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(
            header[..7],
            ["order_no", "profile", "gateway", "amount", "currency", "subject", "state"]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        // Newest first, as the list shows them.
        assert_eq!(&records[0][0], "SC-2");
        assert_eq!(&records[0][3], "0.01");
        assert_eq!(&records[0][5], "'=HYPERLINK(\"x\")");
        assert_eq!(&records[0][6], "created");
        assert_eq!(&records[1][0], "SC-1");
        assert_eq!(&records[1][3], "12.30");
        assert!(records[1][14].contains('T'), "{}", &records[1][14]);

        let json = export_orders(&store, &filtered("ya"), ExportFormat::Json, 10)
            .await
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&json.content).unwrap();
        assert_eq!(value.as_array().unwrap().len(), 1);
        assert_eq!(value[0]["order_no"], "YA-1");
        assert_eq!(value[0]["amount"], "99.00");
        assert_eq!(value[0]["amount_minor"], 9900);
        assert_eq!(value[0]["attributes"]["k"], "v");
    }

    async fn carries_what_a_payment_came_to_and_a_cancellation(store) {
        profiles(&store).await;
        order(&store, "sc", "SC-1", "12.30", "GPU hours").await;
        order(&store, "sc", "SC-2", "5.00", "storage").await;
        let sc1 = store.order("SC-1").await.unwrap();
        let attempt = store
            .begin_attempt(
                &sc1,
                "balance",
                "key-1",
                1000,
                r#"[{"id":"v-1","amount_minor":230}]"#,
                None,
                Some(400),
                "[]",
                crate::test_support::sending(),
            )
            .await
            .unwrap();
        crate::test_support::record_state(&store, attempt.id, AttemptState::Succeeded).await;
        store.cancel_order("SC-2", Some("left")).await.unwrap();
        let all = OrderQuery { descending: false, ..filtered("sc") };
        let csv = export_orders(&store, &all, ExportFormat::Csv, 10).await.unwrap();
        let mut reader = csv::Reader::from_reader(csv.content.as_bytes());
        let header = reader.headers().unwrap().clone();
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let paid = &records[0];
        assert_eq!(&paid[at("deductions")], "voucher v-1 2.30");
        assert_eq!((&paid[at("balance_amount")], &paid[at("credit_amount")]), ("6.00", "4.00"));
        assert_eq!(&paid[at("charged_amount")], "10.00");
        assert_eq!(&paid[at("cancelled")], "false");
        let cancelled = &records[1];
        assert_eq!((&cancelled[at("cancelled")], &cancelled[at("cancel_note")]), ("true", "left"));
        assert_eq!(&cancelled[at("charged_amount")], "");
        // Appended, never reordered: the columns before stay where they were.
        assert_eq!(at("updated_at"), 15);

        let json = export_orders(&store, &all, ExportFormat::Json, 10).await.unwrap();
        let value: serde_json::Value = serde_json::from_str(&json.content).unwrap();
        assert_eq!(value[0]["charges"]["charged_amount_minor"], 1000);
        assert_eq!(value[0]["charges"]["deductions"][0]["amount"], "2.30");
        assert_eq!(value[1]["cancelled"], true);
        assert_eq!(value[1]["charges"], serde_json::Value::Null);
    }

    async fn a_sandbox_profile_s_orders_are_marked_as_such(store) {
        add_profile(&store, "sc", "sensecore").await;
        crate::test_support::add_sandbox_profile(&store, "sandbox-sc", "sensecore").await;
        order(&store, "sc", "SC-1", "1.00", "").await;
        order(&store, "sandbox-sc", "SB-1", "2.00", "").await;
        let all = OrderQuery { descending: false, ..OrderQuery::default() };
        let csv = export_orders(&store, &all, ExportFormat::Csv, 10).await.unwrap();
        let mut reader = csv::Reader::from_reader(csv.content.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(header.iter().next_back(), Some("sandbox"), "appended last");
        let marked: Vec<(String, String)> = reader
            .records()
            .map(|r| r.unwrap())
            .map(|r| (r[0].to_string(), r[header.len() - 1].to_string()))
            .collect();
        assert_eq!(
            marked,
            [("SC-1".to_string(), "false".to_string()), ("SB-1".to_string(), "true".to_string())]
        );
        let json = export_orders(&store, &all, ExportFormat::Json, 10).await.unwrap();
        let value: serde_json::Value = serde_json::from_str(&json.content).unwrap();
        assert_eq!((&value[0]["sandbox"], &value[1]["sandbox"]), (&false.into(), &true.into()));
    }

    async fn carries_the_latest_attempt_and_refuses_more_than_the_limit(store) {
        profiles(&store).await;
        order(&store, "sc", "SC-1", "12.30", "GPU hours").await;
        order(&store, "sc", "SC-2", "5.00", "storage").await;
        let sc1 = store.order("SC-1").await.unwrap();
        let attempt = begin_attempt(&store, &sc1, "balance", "key-1")
            .await
            .unwrap();
        store
            .record(
                attempt.id,
                AttemptState::Failed,
                &AttemptUpdate {
                    gateway_ref: Some("ref-1".into()),
                    error_code: Some("DENIED".into()),
                    error_message: Some("-1 is not a balance".into()),
                    ..AttemptUpdate::default()
                },
            )
            .await
            .unwrap();
        let failed = OrderQuery {
            state: Some(AttemptState::Failed),
            ..OrderQuery::default()
        };
        let export = export_orders(&store, &failed, ExportFormat::Json, 10)
            .await
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&export.content).unwrap();
        assert_eq!(value.as_array().unwrap().len(), 1);
        assert_eq!(value[0]["state"], "failed");
        assert_eq!(value[0]["channel"], "balance");
        assert_eq!(value[0]["gateway_ref"], "ref-1");
        assert_eq!(value[0]["idempotency_key"], "key-1");
        assert_eq!(value[0]["error_code"], "DENIED");
        let csv = export_orders(&store, &failed, ExportFormat::Csv, 10)
            .await
            .unwrap();
        assert!(
            csv.content.contains(",'-1 is not a balance,"),
            "{}",
            csv.content
        );

        let all = OrderQuery::default();
        assert_eq!(
            export_orders(&store, &all, ExportFormat::Csv, 2)
                .await
                .unwrap()
                .rows,
            2
        );
        assert!(matches!(
            export_orders(&store, &all, ExportFormat::Csv, 1).await,
            Err(ExportError::TooMany { max: 1 })
        ));
    }

    async fn an_export_names_the_desk_and_operator_that_took_each_payment(store) {
        profiles(&store).await;
        order(&store, "sc", "SC-1", "1.00", "tea").await;
        order(&store, "sc", "SC-2", "2.00", "cake").await;
        store.set_actor(crate::domain::Actor {
            desk: "前台 1".into(),
            operator: "alice".into(),
        });
        let paid = store.order("SC-1").await.unwrap();
        begin_attempt(&store, &paid, "alipay", "k-1").await.unwrap();
        let csv = export_orders(&store, &filtered("sc"), ExportFormat::Csv, 10)
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(csv.content.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let by_order = |no: &str| records.iter().find(|r| &r[0] == no).unwrap().clone();
        assert_eq!(&by_order("SC-1")[column("desk")], "前台 1");
        assert_eq!(&by_order("SC-1")[column("operator")], "alice");
        assert_eq!(&by_order("SC-2")[column("desk")], "", "never paid");
    }
    }
}
