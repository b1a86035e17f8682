//! A value a rule refuses, as data: which value ([`Field`]) and which rule it breaks
//! ([`Rule`]). The window words the pair in the person's language; `Display` is the English the
//! command line prints. Every rule that judges what a person typed or a file holds (an order's
//! fields, a secret, a profile's base URL and settings, a note) refuses with one, so no refusal
//! reaches a 简体中文 window in English.
//!
//! Values are quoted through [`shown`], so a refusal of a megabyte of input is one short line.

use std::fmt;

use serde::Serialize;

use crate::MoneyError;

/// A refused value: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Invalid {
    pub field: Field,
    pub rule: Rule,
}

/// Which value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Field {
    OrderNo,
    Amount,
    Currency,
    Subject,
    /// An order's attributes as a whole (how many).
    Attributes,
    AttributeName,
    Attribute {
        name: String,
    },
    /// The gateway profile an order (an import row) belongs to.
    Profile,
    ProfileName,
    Gateway,
    BaseUrl,
    Proxy,
    Setting {
        key: String,
    },
    SecretName,
    Secret {
        name: String,
    },
    Note,
    SubscriptionId,
    VoucherId,
    /// A coupon's id (the partner's `coupon_id`).
    Coupon,
    DeskName,
    OperatorName,
    TimeRange,
    /// A row of an imported file as a whole.
    Row,
    /// An imported file as a whole.
    File,
    /// A column of an imported CSV file.
    Column {
        name: String,
    },
    /// The name of a CSV file's column, in its header.
    ColumnName,
    MerchantName,
    MerchantAddress,
    TimeZone,
    Date,
}

/// The rule the value breaks. Values quoted in a rule are already cut by [`shown`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    Missing,
    Blank,
    SpacesAround,
    TooLong {
        max: u32,
    },
    TooLongBytes {
        max: u32,
    },
    ControlCharacters,
    SpacesOrControlCharacters,
    TooMany {
        max: u32,
    },
    /// Only ASCII letters, digits, '_', '-' and '.', at most `max` of them.
    NameCharacters {
        max: u32,
    },
    NotWholeNumber {
        value: String,
    },
    OneOf {
        value: String,
        allowed: Vec<String>,
    },
    NotPrintableAscii,
    NotHttp,
    QueryOrFragment,
    NotUrl,
    NoHost,
    CarriesCredentials,
    /// A setting named as one of the gateway's secrets, which live in the keyring only.
    IsSecret,
    /// A base URL that would turn a sandbox profile into a real gateway's, or the reverse.
    ChangesSandbox,
    /// A base URL in the gateway's own test environment, where payments move no money.
    GatewayTestEnvironment,
    HttpsUnlessLoopback,
    GivenTwice {
        value: String,
    },
    EarlierInFile,
    /// Given more than once where once is the rule (a CSV column).
    Repeated,
    /// An order number another order already has.
    Taken,
    NotText,
    JsonNumber,
    /// Not among the values paydesk has (a profile, a gateway); `known` lists them where they
    /// are few.
    Unknown {
        value: String,
        known: Vec<String>,
    },
    /// An attribute asked to be removed that the order does not have.
    NotSet,
    EndsBeforeStart,
    NotDecimal {
        value: String,
    },
    TooPrecise {
        value: String,
        digits: u32,
        currency: String,
    },
    /// More than the most a value may be (`max`, where one is set; else more than paydesk can
    /// count).
    TooLarge {
        max: Option<String>,
    },
    NotPositive {
        value: String,
    },
    UnknownCurrency {
        value: String,
    },
    /// What a library said of a row it could not read (its own English, cut short).
    Unreadable {
        detail: String,
    },
    NotDate {
        value: String,
    },
}

impl Invalid {
    pub fn new(field: Field, rule: Rule) -> Invalid {
        Invalid { field, rule }
    }

    /// A refused amount (or currency), from what reading it found.
    pub fn amount(error: MoneyError) -> Invalid {
        let rule = match error {
            MoneyError::Empty => Rule::Missing,
            MoneyError::NotDecimal(value) => Rule::NotDecimal {
                value: shown(&value),
            },
            MoneyError::TooPrecise {
                amount,
                digits,
                currency,
            } => Rule::TooPrecise {
                value: shown(&amount),
                digits,
                currency: currency.code().to_string(),
            },
            MoneyError::Overflow(_) => Rule::TooLarge { max: None },
            MoneyError::NotPositive(value) => Rule::NotPositive { value },
            MoneyError::UnknownCurrency(value) => {
                return Invalid::new(
                    Field::Currency,
                    Rule::UnknownCurrency {
                        value: shown(&value),
                    },
                )
            }
            other @ (MoneyError::BadGoogleMoney(_) | MoneyError::CurrencyMismatch(..)) => {
                Rule::Unreadable {
                    detail: other.to_string(),
                }
            }
        };
        Invalid::new(Field::Amount, rule)
    }
}

impl std::error::Error for Invalid {}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::OrderNo => f.write_str("the order number"),
            Field::Amount => f.write_str("the amount"),
            Field::Currency => f.write_str("the currency"),
            Field::Subject => f.write_str("the subject"),
            Field::Attributes => f.write_str("the order's attributes"),
            Field::AttributeName => f.write_str("an attribute name"),
            Field::Attribute { name } => write!(f, "attribute {}", shown(name)),
            Field::Profile => f.write_str("the gateway profile"),
            Field::ProfileName => f.write_str("the profile name"),
            Field::Gateway => f.write_str("the gateway"),
            Field::BaseUrl => f.write_str("the base URL"),
            Field::Proxy => f.write_str("the proxy"),
            Field::Setting { key } => write!(f, "setting {key}"),
            Field::SecretName => f.write_str("the secret name"),
            Field::Secret { name } => write!(f, "the value of secret {name}"),
            Field::Note => f.write_str("the note"),
            Field::SubscriptionId => f.write_str("the subscription id"),
            Field::VoucherId => f.write_str("the voucher id"),
            Field::Coupon => f.write_str("the coupon"),
            Field::DeskName => f.write_str("the desk's name"),
            Field::OperatorName => f.write_str("the operator's name"),
            Field::TimeRange => f.write_str("the time range"),
            Field::Row => f.write_str("the row"),
            Field::File => f.write_str("the file"),
            Field::Column { name } => write!(f, "column {}", shown(name)),
            Field::ColumnName => f.write_str("a column's name"),
            Field::MerchantName => f.write_str("the merchant's name"),
            Field::MerchantAddress => f.write_str("the merchant's address"),
            Field::TimeZone => f.write_str("the time zone"),
            Field::Date => f.write_str("the date"),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.rule {
            Rule::Missing => write!(f, "{field} is missing"),
            Rule::Blank => write!(f, "{field} is empty"),
            Rule::SpacesAround => write!(f, "{field} starts or ends with spaces"),
            Rule::TooLong { max } => write!(f, "{field} is longer than {max} characters"),
            Rule::TooLongBytes { max } => write!(f, "{field} is longer than {max} bytes"),
            Rule::ControlCharacters => write!(f, "{field} contains control characters"),
            Rule::SpacesOrControlCharacters => {
                write!(f, "{field} contains spaces or control characters")
            }
            Rule::TooMany { max } => write!(f, "{field} are more than {max}"),
            Rule::NameCharacters { max } => write!(
                f,
                "{field} must be 1 to {max} letters, digits, '_', '-' or '.'"
            ),
            Rule::NotWholeNumber { value } => {
                write!(f, "{field} must be a whole number, not {value}")
            }
            Rule::OneOf { value, allowed } => {
                write!(f, "{field} must be {}, not {value}", allowed.join(" or "))
            }
            Rule::NotPrintableAscii => {
                write!(f, "{field} must be printable ASCII without spaces")
            }
            Rule::NotHttp => write!(f, "{field} must start with http:// or https://"),
            Rule::QueryOrFragment => write!(f, "{field} must not carry a query or fragment"),
            Rule::NotUrl => write!(f, "{field} is not a URL"),
            Rule::NoHost => write!(f, "{field} names no host"),
            Rule::CarriesCredentials => write!(
                f,
                "{field} must not carry a user name or password; secrets go in the keyring"
            ),
            Rule::ChangesSandbox => write!(
                f,
                "{field} would make a sandbox profile a real gateway's, or a real one a sandbox: add a new profile for it instead"
            ),
            Rule::GatewayTestEnvironment => write!(
                f,
                "{field} is the gateway's own test environment, where payments move no money; try payments on paydesk's built-in sandbox instead"
            ),
            Rule::IsSecret => write!(
                f,
                "{field} is one of the gateway's secrets: it goes in the keyring, never in the profile's settings"
            ),
            Rule::HttpsUnlessLoopback => write!(
                f,
                "{field} must use https unless it is on this machine (loopback)"
            ),
            Rule::GivenTwice { value } => write!(f, "{field} {value} is given twice"),
            Rule::EarlierInFile => write!(f, "{field} appears earlier in this file"),
            Rule::Repeated => write!(f, "{field} appears twice"),
            Rule::Taken => write!(f, "{field} belongs to an order that already exists"),
            Rule::NotText => write!(f, "{field} must be text"),
            Rule::JsonNumber => write!(
                f,
                "{field} must be a decimal string like \"12.34\", not a JSON number"
            ),
            Rule::Unknown { value, known } if known.is_empty() => {
                write!(f, "{field} {value} is unknown")
            }
            Rule::Unknown { value, known } => {
                write!(f, "{field} {value} is unknown; one of {}", known.join(", "))
            }
            Rule::NotSet => write!(f, "{field} is not set, so it cannot be removed"),
            Rule::EndsBeforeStart => write!(f, "{field} ends before it starts"),
            Rule::NotDecimal { value } => {
                write!(f, "{field} {value} is not a decimal number like 12.34")
            }
            Rule::TooPrecise {
                value,
                digits,
                currency,
            } => write!(
                f,
                "{field} {value} has more than {digits} decimal places for {currency}"
            ),
            Rule::TooLarge { max: None } => write!(f, "{field} is too large"),
            Rule::TooLarge { max: Some(max) } => write!(f, "{field} is more than {max}"),
            Rule::NotPositive { value } => write!(f, "{field} must be positive, got {value}"),
            Rule::UnknownCurrency { value } => {
                write!(f, "{field} {value} is not one paydesk supports")
            }
            Rule::Unreadable { detail } => write!(f, "{field} cannot be read: {detail}"),
            Rule::NotDate { value } => write!(f, "{field} {value} is not a date like 2026-12-31"),
        }
    }
}

/// A value for an error message: short values whole, long ones cut, so a 1 MB input gives a
/// one-line error.
pub fn shown(value: &str) -> String {
    const KEEP: usize = 40;
    if value.chars().count() <= KEEP {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(KEEP).collect();
        format!("{head:?}… ({} characters)", value.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn english_names_the_value_and_the_rule() {
        let table = [
            (
                Invalid::new(Field::Subject, Rule::TooLong { max: 512 }),
                "the subject is longer than 512 characters",
            ),
            (
                Invalid::new(
                    Field::Attribute { name: "k".into() },
                    Rule::ControlCharacters,
                ),
                "attribute \"k\" contains control characters",
            ),
            (
                Invalid::new(
                    Field::Setting {
                        key: "api_version".into(),
                    },
                    Rule::OneOf {
                        value: "\"v3\"".into(),
                        allowed: vec!["v1".into(), "v2".into()],
                    },
                ),
                "setting api_version must be v1 or v2, not \"v3\"",
            ),
            (
                Invalid::amount(MoneyError::UnknownCurrency("XXX".into())),
                "the currency \"XXX\" is not one paydesk supports",
            ),
            (
                Invalid::amount(MoneyError::TooPrecise {
                    amount: "1.234".into(),
                    digits: 2,
                    currency: Currency::CNY,
                }),
                "the amount \"1.234\" has more than 2 decimal places for CNY",
            ),
        ];
        for (invalid, english) in table {
            assert_eq!(invalid.to_string(), english);
        }
    }

    #[test]
    fn the_window_receives_the_field_and_the_rule_as_codes() {
        let invalid = Invalid::new(Field::Setting { key: "k".into() }, Rule::TooLong { max: 9 });
        assert_eq!(
            serde_json::to_value(&invalid).unwrap(),
            serde_json::json!({
                "field": {"kind": "setting", "key": "k"},
                "rule": {"kind": "too_long", "max": 9}
            })
        );
    }

    #[test]
    fn shown_keeps_short_values_whole_and_cuts_long_ones() {
        assert_eq!(shown("O-1"), "\"O-1\"");
        let cut = shown(&"é".repeat(1000));
        assert!(cut.ends_with("… (1000 characters)"), "{cut}");
        assert_eq!(cut.chars().filter(|c| *c == 'é').count(), 40);
    }
}
