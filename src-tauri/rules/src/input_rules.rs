//! What the store accepts as an order, whichever door it came through (the window's IPC, the
//! command line, an imported file): checked in paydesk-core's `Store::add_order` (through
//! `paydesk_core::input_rules::check_new_order`) and in the import's row check
//! ([`crate::parse`]) before anything is written, so a hostile value gets one clear refusal and
//! changes nothing. The vaults check every secret with [`check_secret`].
//!
//! Order numbers are the merchant's opaque text: path-like (`../../etc/passwd`) or URL-like
//! (`http://x/y?z#w`) numbers, other scripts and emoji are kept byte for byte and travel
//! percent-encoded as one path segment or form value; only what cannot be shown or sent
//! faithfully is refused. Refusals never echo a long value back.

use std::collections::BTreeMap;

pub use paydesk_gateways::invalid::{shown, Invalid};
use paydesk_gateways::invalid::{Field, Rule};
use paydesk_gateways::Money;

use crate::parse::check_order_no;

pub const MAX_SUBJECT_CHARS: usize = 512;
/// The most an order may be, in minor units (10,000,000,000.00 yuan): far above any desk's
/// order, and low enough that the sums of millions of them (a shift, a day, the takings) stay
/// exact in 64 bits.
pub const MAX_ORDER_AMOUNT_MINOR: i64 = 1_000_000_000_000;
pub const MAX_ATTRIBUTES: usize = 64;
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 64;
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 1024;

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// A limit as the refusal states it.
fn max(limit: usize) -> u32 {
    u32::try_from(limit).unwrap_or(u32::MAX)
}

/// The parts of a new order the rules judge, borrowed from whatever carries them (the store's
/// `NewOrder`, an import row). The profile is not among them: the store looks it up.
#[derive(Debug, Clone, Copy)]
pub struct OrderFields<'a> {
    pub order_no: &'a str,
    pub amount: Money,
    pub subject: &'a str,
    pub attributes: &'a BTreeMap<String, String>,
}

/// The one rule for a new order's fields, from any door.
pub fn check_order_fields(order: OrderFields<'_>) -> Result<(), Invalid> {
    check_order_no(order.order_no)?;
    if order.order_no.trim() != order.order_no {
        return Err(Invalid::new(Field::OrderNo, Rule::SpacesAround));
    }
    if order.amount.minor <= 0 {
        return Err(Invalid::new(
            Field::Amount,
            Rule::NotPositive {
                value: order.amount.to_decimal_string(),
            },
        ));
    }
    if order.amount.minor > MAX_ORDER_AMOUNT_MINOR {
        let max = Money::from_minor(MAX_ORDER_AMOUNT_MINOR, order.amount.currency);
        return Err(Invalid::new(
            Field::Amount,
            Rule::TooLarge {
                max: Some(max.to_string()),
            },
        ));
    }
    if order.subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(Invalid::new(
            Field::Subject,
            Rule::TooLong {
                max: max(MAX_SUBJECT_CHARS),
            },
        ));
    }
    if has_control(order.subject) {
        return Err(Invalid::new(Field::Subject, Rule::ControlCharacters));
    }
    if order.attributes.len() > MAX_ATTRIBUTES {
        return Err(Invalid::new(
            Field::Attributes,
            Rule::TooMany {
                max: max(MAX_ATTRIBUTES),
            },
        ));
    }
    for (key, value) in order.attributes {
        check_attribute_name(key)?;
        let field = || Field::Attribute { name: key.clone() };
        if value.chars().count() > MAX_ATTRIBUTE_VALUE_CHARS {
            return Err(Invalid::new(
                field(),
                Rule::TooLong {
                    max: max(MAX_ATTRIBUTE_VALUE_CHARS),
                },
            ));
        }
        if has_control(value) {
            return Err(Invalid::new(field(), Rule::ControlCharacters));
        }
    }
    Ok(())
}

/// An attribute's name: 1 to [`MAX_ATTRIBUTE_KEY_CHARS`] characters, none of them control
/// characters.
pub fn check_attribute_name(key: &str) -> Result<(), Invalid> {
    let rule = if key.is_empty() {
        Rule::Blank
    } else if key.chars().count() > MAX_ATTRIBUTE_KEY_CHARS {
        Rule::TooLong {
            max: max(MAX_ATTRIBUTE_KEY_CHARS),
        }
    } else if has_control(key) {
        Rule::ControlCharacters
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::AttributeName, rule))
}

/// The longest reference paydesk passes to a gateway as typed (a subscription's id).
pub const MAX_REFERENCE_CHARS: usize = 128;

/// A subscription's id as a person types it for a gateway (TOP): not blank, no spaces around
/// it, no control characters, at most [`MAX_REFERENCE_CHARS`].
pub fn check_reference(reference: &str) -> Result<(), Invalid> {
    check_reference_as(Field::SubscriptionId, reference)
}

/// [`check_reference`] for a reference of another kind (a voucher's id, a coupon), named as
/// `field` in its refusal.
pub fn check_reference_as(field: Field, reference: &str) -> Result<(), Invalid> {
    let rule = if reference.trim().is_empty() {
        Rule::Blank
    } else if reference.trim() != reference {
        Rule::SpacesAround
    } else if reference.chars().count() > MAX_REFERENCE_CHARS {
        Rule::TooLong {
            max: max(MAX_REFERENCE_CHARS),
        }
    } else if has_control(reference) {
        Rule::ControlCharacters
    } else {
        return Ok(());
    };
    Err(Invalid::new(field, rule))
}

/// The longest note a person may leave on an order (why it was cancelled).
pub const MAX_NOTE_CHARS: usize = 2000;

/// A person's note: at most [`MAX_NOTE_CHARS`], lines and tabs but no other control characters.
pub fn check_note(note: &str) -> Result<(), Invalid> {
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Invalid::new(
            Field::Note,
            Rule::TooLong {
                max: max(MAX_NOTE_CHARS),
            },
        ));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::new(Field::Note, Rule::ControlCharacters));
    }
    Ok(())
}

/// The longest secret the keyring is asked to keep: far above any gateway's key or token.
pub const MAX_SECRET_BYTES: usize = 4096;

/// A secret's name and value before they reach the keyring. The refusal never quotes the value.
pub fn check_secret(key: &str, value: &str) -> Result<(), Invalid> {
    let key_ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !key_ok {
        return Err(Invalid::new(
            Field::SecretName,
            Rule::NameCharacters { max: 64 },
        ));
    }
    let rule = if value.is_empty() {
        Rule::Blank
    } else if value.len() > MAX_SECRET_BYTES {
        Rule::TooLongBytes {
            max: max(MAX_SECRET_BYTES),
        }
    } else if value.chars().any(char::is_control) {
        // A pasted line break, most often.
        Rule::ControlCharacters
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::Secret { name: key.into() }, rule))
}

/// The rules on their own. paydesk-core's `input_rules` tests apply them through the store and
/// the vault (refused, and the database unchanged).
#[cfg(test)]
mod tests {
    use paydesk_gateways::Currency;

    use super::*;

    struct Order {
        order_no: String,
        amount: Money,
        subject: String,
        attributes: BTreeMap<String, String>,
    }

    impl Order {
        fn new(order_no: &str) -> Order {
            Order {
                order_no: order_no.into(),
                amount: Money::from_minor(100, Currency::CNY),
                subject: "s".into(),
                attributes: BTreeMap::new(),
            }
        }

        fn check(&self) -> Result<(), Invalid> {
            check_order_fields(OrderFields {
                order_no: &self.order_no,
                amount: self.amount,
                subject: &self.subject,
                attributes: &self.attributes,
            })
        }
    }

    #[test]
    fn hostile_orders_are_refused_in_one_short_line() {
        let huge = "x".repeat(1 << 20);
        let mut cases: Vec<Order> = [
            "", " ", " O-2", "O-2 ", "O\u{0}2", "O\n2", "O\u{1b}2", &huge,
        ]
        .into_iter()
        .map(Order::new)
        .collect();
        for subject in [huge.as_str(), "a\u{0}b", "a\rb"] {
            let mut o = Order::new("O-2");
            o.subject = subject.into();
            cases.push(o);
        }
        for (key, value) in [
            ("", "v"),
            ("k\u{7}", "v"),
            (huge.as_str(), "v"),
            ("k", huge.as_str()),
            ("k", "v\u{0}"),
        ] {
            let mut o = Order::new("O-2");
            o.attributes.insert(key.into(), value.into());
            cases.push(o);
        }
        let mut many = Order::new("O-2");
        for n in 0..=MAX_ATTRIBUTES {
            many.attributes.insert(format!("k{n}"), "v".into());
        }
        cases.push(many);
        for minor in [0, -1, i64::MIN, MAX_ORDER_AMOUNT_MINOR + 1, i64::MAX] {
            let mut o = Order::new("O-2");
            o.amount = Money::from_minor(minor, Currency::CNY);
            cases.push(o);
        }
        for case in &cases {
            let refused = case.check().unwrap_err().to_string();
            assert!(
                refused.len() < 200 && !refused.contains('\n'),
                "{refused:.300}"
            );
        }
    }

    #[test]
    fn odd_looking_but_faithful_orders_are_accepted() {
        for weird in ["../../etc/passwd", "http://x/y?z#w", "订单-Ωμέγα-🙂"] {
            Order::new(weird).check().unwrap();
        }
        let mut full = Order::new("O-3");
        full.subject = "s".repeat(MAX_SUBJECT_CHARS);
        for n in 0..MAX_ATTRIBUTES {
            let key = format!("{n:0>width$}", width = MAX_ATTRIBUTE_KEY_CHARS);
            full.attributes
                .insert(key, "v".repeat(MAX_ATTRIBUTE_VALUE_CHARS));
        }
        full.amount = Money::from_minor(MAX_ORDER_AMOUNT_MINOR, Currency::CNY);
        full.check().unwrap();
        // One more is refused, with the most an order may be in its currency.
        for (currency, most) in [
            (Currency::CNY, "¥10000000000.00"),
            (Currency::parse("JPY").unwrap(), "JP¥1000000000000"),
        ] {
            let mut over = Order::new("O-4");
            over.amount = Money::from_minor(MAX_ORDER_AMOUNT_MINOR + 1, currency);
            assert_eq!(
                over.check().unwrap_err().rule,
                Rule::TooLarge {
                    max: Some(most.into())
                }
            );
        }
        // A million of the largest still sum exactly.
        assert!(MAX_ORDER_AMOUNT_MINOR.checked_mul(1_000_000).is_some());
    }

    #[test]
    fn secret_refusals_never_quote_the_value() {
        let huge = "s".repeat(1 << 20);
        for (key, value) in [
            ("", "v"),
            ("../../etc/passwd", "v"),
            ("tok en", "v"),
            ("токен", "v"),
            ("token", ""),
            ("token", huge.as_str()),
            ("token", "line\nbreak-canary"),
            ("token", "nul\u{0}canary"),
        ] {
            let refused = check_secret(key, value).unwrap_err().to_string();
            assert!(
                refused.len() < 300 && !refused.contains("canary") && !refused.contains("sss"),
                "{refused}"
            );
        }
        check_secret("token", "fine-Ωμέγα-🙂").unwrap();
        check_secret("token", &"s".repeat(MAX_SECRET_BYTES)).unwrap();
    }
}
