//! The pure half of an import: a file's bytes → one result per row, either an order the store
//! would accept or why the row cannot be one. No store and no I/O beyond the reader it is
//! given, so it is fuzzed on its own (`fuzz/fuzz_targets/import_orders.rs`); the writer
//! (paydesk-core's `import::import_orders`) takes the candidates as they come and adds only
//! what needs the database (an order number the store already has).
//!
//! Every candidate has passed [`check_order_fields`], the rule paydesk-core's
//! `Store::add_order` applies to every other door: a file is no way around it. Refusals quote at
//! most a short head of a long value.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::Read;

use paydesk_gateways::{Currency, Money};
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use paydesk_gateways::invalid::{Field, Rule};

use crate::input_rules::{check_attribute_name, check_order_fields, shown, Invalid, OrderFields};

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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    pub line: u64,
    /// The row's order number, when it is one the store could hold.
    pub order_no: Option<String>,
    /// The refusal in English, as the command line prints it.
    pub reason: String,
    /// The refusal as data, for the window to word.
    pub problem: Invalid,
}

impl RowError {
    pub fn new(line: u64, order_no: Option<String>, problem: Invalid) -> RowError {
        RowError {
            line,
            order_no,
            reason: problem.to_string(),
            problem,
        }
    }
}

/// The file as a whole cannot be read (not CSV/JSON, no header, missing or unknown columns).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub Invalid);

impl Unreadable {
    fn file(detail: String) -> Unreadable {
        Unreadable(Invalid::new(Field::File, Rule::Unreadable { detail }))
    }

    fn column(name: &str, rule: Rule) -> Unreadable {
        let name = name.into();
        Unreadable(Invalid::new(Field::Column { name }, rule))
    }
}

/// The columns a CSV import reads, besides `attr.KEY` for each order attribute.
pub const COLUMNS: [&str; 5] = ["order_no", "profile", "amount", "currency", "subject"];

/// A row that passed every check: what the store is asked to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCandidate {
    pub line: u64,
    pub order_no: String,
    pub profile_id: i64,
    pub amount: Money,
    pub subject: String,
    pub attributes: BTreeMap<String, String>,
}

/// Where a row's profile is looked up: names to ids, and the profile of rows that name none.
#[derive(Debug, Clone, Copy)]
pub struct Profiles<'a> {
    pub ids: &'a HashMap<String, i64>,
    pub default: Option<&'a str>,
    /// By profile id, the currency its orders are in where its gateway fixes one: a row that
    /// names no currency takes it (else CNY).
    pub currencies: &'a HashMap<i64, Currency>,
}

pub fn check_order_no(order_no: &str) -> Result<(), Invalid> {
    let rule = if order_no.trim().is_empty() {
        Rule::Blank
    } else if order_no.chars().count() > MAX_ORDER_NO_CHARS {
        Rule::TooLong {
            max: MAX_ORDER_NO_CHARS as u32,
        }
    } else if order_no.chars().any(char::is_control) {
        Rule::ControlCharacters
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::OrderNo, rule))
}

/// The longest order number paydesk keeps.
pub const MAX_ORDER_NO_CHARS: usize = 128;

/// One row as read, before checking.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    order_no: Option<String>,
    profile: Option<String>,
    amount: Option<serde_json::Value>,
    currency: Option<String>,
    subject: Option<String>,
    #[serde(default, deserialize_with = "attributes_once_each")]
    attributes: BTreeMap<String, serde_json::Value>,
}

/// An attributes object in which no name appears twice (a JSON object that repeats a name
/// means one of the two values silently, so it is refused rather than guessed at).
fn attributes_once_each<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, serde_json::Value>, D::Error> {
    struct Once;
    impl<'de> Visitor<'de> for Once {
        type Value = BTreeMap<String, serde_json::Value>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of attributes")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut attributes = BTreeMap::new();
            while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                if attributes.contains_key(&name) {
                    return Err(A::Error::custom(format!(
                        "attribute {} appears twice",
                        shown(&name)
                    )));
                }
                attributes.insert(name, value);
            }
            Ok(attributes)
        }
    }
    deserializer.deserialize_map(Once)
}

/// A row as read with its line: the row, or why it could not be read.
type ReadRow = (u64, Result<RawRow, Invalid>);

/// The rows of one file, each checked as it is read. Yields one item per row of the file.
pub struct Rows<'a> {
    read: Box<dyn Iterator<Item = ReadRow> + Send + 'a>,
    checker: Checker<'a>,
}

impl Iterator for Rows<'_> {
    type Item = Result<OrderCandidate, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (line, raw) = self.read.next()?;
        // Named in the refusal only when it is a number the store could hold: an over-long
        // or control-laden one is described by the reason, never echoed whole.
        let order_no = raw
            .as_ref()
            .ok()
            .and_then(|r| r.order_no.clone())
            .filter(|n| check_order_no(n).is_ok());
        Some(
            raw.and_then(|r| self.checker.check(line, r))
                .map_err(|problem| RowError::new(line, order_no, problem)),
        )
    }
}

/// Reads `reader` as `format`. A file that cannot be read at all is [`Unreadable`]; otherwise
/// every row comes out as a candidate or a [`RowError`], in the file's order. CSV is read as
/// the rows are taken; JSON is parsed whole first.
pub fn rows<'a>(
    reader: impl Read + Send + 'a,
    format: ImportFormat,
    profiles: Profiles<'a>,
) -> Result<Rows<'a>, Unreadable> {
    let read: Box<dyn Iterator<Item = ReadRow> + Send + 'a> = match format {
        ImportFormat::Csv => Box::new(csv_rows(reader)?),
        ImportFormat::Json => Box::new(json_rows(reader)?.into_iter()),
    };
    Ok(Rows {
        read,
        checker: Checker {
            profiles,
            seen: HashSet::new(),
        },
    })
}

struct Checker<'a> {
    profiles: Profiles<'a>,
    /// Order numbers of the rows accepted so far: a later row with one of them is refused.
    seen: HashSet<String>,
}

impl Checker<'_> {
    fn check(&mut self, line: u64, raw: RawRow) -> Result<OrderCandidate, Invalid> {
        let order_no = raw.order_no.unwrap_or_default();
        check_order_no(&order_no)?;
        let profile_name = raw
            .profile
            .filter(|p| !p.trim().is_empty())
            .or_else(|| self.profiles.default.map(str::to_string))
            .ok_or(Invalid::new(Field::Profile, Rule::Missing))?;
        let profile_id = *self.profiles.ids.get(profile_name.trim()).ok_or_else(|| {
            Invalid::new(
                Field::Profile,
                Rule::Unknown {
                    value: shown(&profile_name),
                    known: Vec::new(),
                },
            )
        })?;
        let currency = match raw.currency.as_deref().filter(|c| !c.is_empty()) {
            Some(code) => Currency::parse(code).map_err(Invalid::amount)?,
            None => (self.profiles.currencies.get(&profile_id).copied()).unwrap_or(Currency::CNY),
        };
        let amount_text = match raw.amount {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(_)) => {
                return Err(Invalid::new(Field::Amount, Rule::JsonNumber))
            }
            Some(_) | None => return Err(Invalid::new(Field::Amount, Rule::Missing)),
        };
        let amount = Money::parse_positive(&amount_text, currency).map_err(Invalid::amount)?;
        let subject = raw.subject.unwrap_or_default();
        let mut attributes = BTreeMap::new();
        for (key, value) in raw.attributes {
            check_attribute_name(&key)?;
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(Invalid::new(Field::Attribute { name: key }, Rule::NotText)),
            };
            attributes.insert(key, text);
        }
        // What the store demands of an order from any other door (spaces around the number,
        // control characters in the subject, how many and how long the attributes are).
        check_order_fields(OrderFields {
            order_no: &order_no,
            amount,
            subject: &subject,
            attributes: &attributes,
        })?;
        if self.seen.contains(&order_no) {
            return Err(Invalid::new(Field::OrderNo, Rule::EarlierInFile));
        }
        self.seen.insert(order_no.clone());
        Ok(OrderCandidate {
            line,
            order_no,
            profile_id,
            amount,
            subject,
            attributes,
        })
    }
}

/// Reads rows from CSV into the same shape as JSON rows.
fn csv_rows<'a>(
    reader: impl Read + Send + 'a,
) -> Result<impl Iterator<Item = ReadRow> + Send + 'a, Unreadable> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| Unreadable::file(cut(&e.to_string())))?
        .clone();
    let mut columns: Vec<String> = Vec::new();
    for name in headers.iter() {
        let name = name.trim();
        if !COLUMNS.contains(&name) && !name.starts_with("attr.") {
            let allowed = COLUMNS.iter().chain(&["attr.KEY"]).map(|c| c.to_string());
            let rule = Rule::OneOf {
                value: shown(name),
                allowed: allowed.collect(),
            };
            return Err(Unreadable(Invalid::new(Field::ColumnName, rule)));
        }
        if columns.iter().any(|c| c == name) {
            return Err(Unreadable::column(name, Rule::Repeated));
        }
        columns.push(name.to_string());
    }
    for required in ["order_no", "amount"] {
        if !columns.iter().any(|c| c == required) {
            return Err(Unreadable::column(required, Rule::Missing));
        }
    }
    Ok(csv.into_records().map(move |record| match record {
        Err(e) => {
            let line = e.position().map_or(0, |p| p.line());
            (line, Err(unreadable(cut(&e.to_string()))))
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

/// A row a library could not read, in its words.
fn unreadable(detail: String) -> Invalid {
    Invalid::new(Field::Row, Rule::Unreadable { detail })
}

/// The longest message taken from a library (csv, serde): they quote what they could not read
/// whole (`invalid type: string "…"`), and a row's reason must stay one short line.
pub const MAX_LIBRARY_MESSAGE_CHARS: usize = 200;

/// A library's message as one short line: cut to [`MAX_LIBRARY_MESSAGE_CHARS`], and control
/// characters shown escaped, because serde quotes a field name raw (`unknown field `a\rb``) and a
/// JSON key may hold any character.
fn cut(text: &str) -> String {
    let mut shown = String::new();
    let mut count = 0;
    for c in text.chars() {
        let piece: String = if c.is_control() {
            c.escape_debug().collect()
        } else {
            c.into()
        };
        count += piece.chars().count();
        if count > MAX_LIBRARY_MESSAGE_CHARS {
            shown.push('…');
            break;
        }
        shown.push_str(&piece);
    }
    shown
}

/// serde_json's message, cut, without its " at line L column C": positions inside one element
/// would be misread as the file's.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) if e.line() > 0 => cut(&text[..at]),
        _ => cut(&text),
    }
}

fn json_rows(mut reader: impl Read) -> Result<Vec<ReadRow>, Unreadable> {
    let mut text = String::new();
    reader
        .read_to_string(&mut text)
        .map_err(|e| Unreadable::file(cut(&e.to_string())))?;
    // Each element is kept as its text and read on its own, so one bad order is one bad row
    // and a field given twice in an order is seen (a parsed object keeps only one of them).
    let elements: Vec<&RawValue> =
        serde_json::from_str(&text).map_err(|e| Unreadable::file(cut(&e.to_string())))?;
    Ok(elements
        .into_iter()
        .enumerate()
        .map(|(i, element)| {
            let row = serde_json::from_str::<RawRow>(element.get())
                .map_err(|e| unreadable(without_position(&e)));
            (i as u64 + 1, row)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> HashMap<String, i64> {
        HashMap::from([("p".to_string(), 1), ("q".to_string(), 2)])
    }

    fn read(text: &str, format: ImportFormat) -> Vec<Result<OrderCandidate, RowError>> {
        let ids = profiles();
        rows(
            text.as_bytes(),
            format,
            Profiles {
                ids: &ids,
                default: Some("p"),
                currencies: &HashMap::from([(2, Currency::INR)]),
            },
        )
        .unwrap()
        .collect()
    }

    fn reasons(rows: &[Result<OrderCandidate, RowError>]) -> Vec<(u64, String)> {
        rows.iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| (e.line, e.reason.clone()))
            .collect()
    }

    #[test]
    fn candidates_carry_their_line_profile_and_exact_amount() {
        let rows = read(
            "order_no,profile,amount,currency,subject,attr.user_id\n\
             A-1,q,12.34,CNY,first,u1\n\
             A-2,,0.01,INR,,\n",
            ImportFormat::Csv,
        );
        let a1 = rows[0].as_ref().unwrap();
        assert_eq!(
            (a1.line, a1.profile_id, a1.amount.minor, a1.subject.as_str()),
            (2, 2, 1234, "first")
        );
        assert_eq!(a1.attributes["user_id"], "u1");
        let a2 = rows[1].as_ref().unwrap();
        assert_eq!((a2.profile_id, a2.amount.currency), (1, Currency::INR));
        assert!(
            a2.attributes.is_empty(),
            "an empty attr cell is no attribute"
        );
    }

    #[test]
    fn a_row_naming_no_currency_takes_its_profiles() {
        let rows = read(
            "order_no,profile,amount,currency
B-1,q,5.00,
B-2,p,5.00,
B-3,q,5.00,CNY
",
            ImportFormat::Csv,
        );
        let currencies: Vec<Currency> = rows
            .iter()
            .map(|r| r.as_ref().unwrap().amount.currency)
            .collect();
        assert_eq!(currencies, [Currency::INR, Currency::CNY, Currency::CNY]);
    }

    #[test]
    fn a_file_is_no_way_around_the_store_rules() {
        let long_value = "v".repeat(2000);
        let rows = read(
            &format!(
                "order_no,amount,subject,attr.k\n\
                 \" padded \",1.00,,\n\
                 C-1,1.00,\"bell\u{7}\",\n\
                 C-2,1.00,,{long_value}\n\
                 C-3,1.00,\"two\nlines\",\n\
                 C-4,1.00,fine,\n"
            ),
            ImportFormat::Csv,
        );
        let refused = reasons(&rows);
        assert_eq!(refused.len(), 4, "{refused:?}");
        assert!(refused[0].1.contains("spaces"));
        assert!(refused[1].1.contains("control characters"));
        assert!(refused[2].1.contains("longer than 1024"), "{refused:?}");
        assert!(refused[3].1.contains("control characters"));
        assert_eq!(rows.last().unwrap().as_ref().unwrap().order_no, "C-4");
    }

    #[test]
    fn refusals_quote_only_the_head_of_a_long_value() {
        let huge = "x".repeat(1 << 20);
        let rows = read(
            &format!("order_no,profile,amount\nH-1,{huge},1.00\n"),
            ImportFormat::Csv,
        );
        let reason = &rows[0].as_ref().unwrap_err().reason;
        assert!(reason.contains("is unknown"), "{reason}");
        assert!(reason.len() < 200, "{} bytes", reason.len());
        let rows = read(
            &format!(r#"[{{"order_no":"H-2","amount":"1","attributes":{{"{huge}":[]}}}}]"#),
            ImportFormat::Json,
        );
        assert!(rows[0].as_ref().unwrap_err().reason.len() < 200);
        let rows = read(
            &format!(r#"[{{"order_no":"H-3","amount":"1","attributes":"{huge}"}}]"#),
            ImportFormat::Json,
        );
        let reason = &rows[0].as_ref().unwrap_err().reason;
        assert!(reason.contains("invalid type: string"), "{reason:.80}");
        assert!(reason.len() < 400, "{} bytes", reason.len());
        let rows = read(
            &format!("order_no,amount\n{huge},1.00\n"),
            ImportFormat::Csv,
        );
        let refused = rows[0].as_ref().unwrap_err();
        assert!(refused.reason.contains("longer than 128"), "{refused:.80?}");
        assert_eq!(
            refused.order_no, None,
            "a refusal never echoes a long value"
        );
        let ids = profiles();
        let unreadable = rows_error(&format!("order_no,amount,{huge}\n"), &ids);
        assert!(unreadable.to_string().len() < 200, "{unreadable}");
    }

    #[test]
    fn a_library_message_quoting_a_control_character_stays_one_line() {
        let rows = read(
            r#"[{"order_no":"K-1","amount":"1.00","att\r\nributes":null},
                {"order_no":"K-2","amount":"1.00","\u0007":"x"}]"#,
            ImportFormat::Json,
        );
        let refused = reasons(&rows);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(refused[0].1.contains(r"att\r\nributes"), "{refused:?}");
        assert!(refused[1].1.contains(r"\u{7}"), "{refused:?}");
        assert!(
            !refused.iter().any(|(_, r)| r.chars().any(char::is_control)),
            "{refused:?}"
        );
        let bells = format!(
            r#"[{{"order_no":"K-3","amount":"1","{}":1}}]"#,
            "\\u0007".repeat(500)
        );
        let rows = read(&bells, ImportFormat::Json);
        let reason = &rows[0].as_ref().unwrap_err().reason;
        assert!(
            reason.chars().count()
                <= "the row cannot be read: ".len() + MAX_LIBRARY_MESSAGE_CHARS + 1,
            "{reason}"
        );
    }

    fn rows_error(text: &str, ids: &HashMap<String, i64>) -> Unreadable {
        match rows(
            text.as_bytes(),
            ImportFormat::Csv,
            Profiles {
                ids,
                default: None,
                currencies: &HashMap::new(),
            },
        ) {
            Err(e) => e,
            Ok(_) => panic!("{text:.40} was read"),
        }
    }

    #[test]
    fn a_json_field_or_attribute_given_twice_is_refused_and_the_row_alone() {
        let rows = read(
            r#"[{"order_no":"D-1","amount":"1.00","order_no":"D-9"},
                {"order_no":"D-2","amount":"1.00","attributes":{"a":"1","a":"2"}},
                {"order_no":"D-3","amount":"1.00","attributes":null},
                {"order_no":"D-4","amount":"1.00"}]"#,
            ImportFormat::Json,
        );
        let refused = reasons(&rows);
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert!(
            refused[0].1.contains("duplicate field `order_no`"),
            "{refused:?}"
        );
        assert!(refused[1].1.contains("appears twice"), "{refused:?}");
        assert!(
            !refused.iter().any(|(_, r)| r.contains("at line")),
            "no position inside an element: {refused:?}"
        );
        assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(rows[3].as_ref().unwrap().order_no, "D-4");
    }

    #[test]
    fn a_duplicate_is_judged_against_accepted_rows_only() {
        // The first E-1 is refused (bad amount), so the second is the file's first E-1.
        let rows = read(
            "order_no,amount\nE-1,abc\nE-1,1.00\nE-1,2.00\n",
            ImportFormat::Csv,
        );
        assert!(rows[0].is_err());
        assert_eq!(rows[1].as_ref().unwrap().amount.minor, 100);
        assert!(rows[2]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("earlier in this file"));
    }
}
