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

use paydesk_gateways::Money;

use crate::parse::check_order_no;

pub const MAX_SUBJECT_CHARS: usize = 512;
pub const MAX_ATTRIBUTES: usize = 64;
pub const MAX_ATTRIBUTE_KEY_CHARS: usize = 64;
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 1024;

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

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
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
pub fn check_order_fields(order: OrderFields<'_>) -> Result<(), String> {
    check_order_no(order.order_no)?;
    if order.order_no.trim() != order.order_no {
        return Err("the order number starts or ends with spaces".into());
    }
    if order.amount.minor <= 0 {
        return Err(format!(
            "the amount must be positive, got {}",
            order.amount.to_decimal_string()
        ));
    }
    if order.subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(format!(
            "the subject is longer than {MAX_SUBJECT_CHARS} characters"
        ));
    }
    if has_control(order.subject) {
        return Err("the subject contains control characters".into());
    }
    if order.attributes.len() > MAX_ATTRIBUTES {
        return Err(format!("more than {MAX_ATTRIBUTES} order attributes"));
    }
    for (key, value) in order.attributes {
        if key.is_empty() || key.chars().count() > MAX_ATTRIBUTE_KEY_CHARS || has_control(key) {
            return Err(format!(
                "attribute name {} must be 1 to {MAX_ATTRIBUTE_KEY_CHARS} characters without control characters",
                shown(key)
            ));
        }
        if value.chars().count() > MAX_ATTRIBUTE_VALUE_CHARS || has_control(value) {
            return Err(format!(
                "attribute {} must be at most {MAX_ATTRIBUTE_VALUE_CHARS} characters without control characters",
                shown(key)
            ));
        }
    }
    Ok(())
}

/// The longest reference paydesk passes to a gateway as typed (a subscription's id).
pub const MAX_REFERENCE_CHARS: usize = 128;

/// A reference a person types for a gateway (a TOP subscription's id): not blank, no spaces
/// around it, no control characters, at most [`MAX_REFERENCE_CHARS`].
pub fn check_reference(reference: &str) -> Result<(), String> {
    if reference.trim().is_empty() {
        return Err("it is blank".into());
    }
    if reference.trim() != reference {
        return Err("it starts or ends with spaces".into());
    }
    if reference.chars().count() > MAX_REFERENCE_CHARS {
        return Err(format!(
            "it is longer than {MAX_REFERENCE_CHARS} characters"
        ));
    }
    if has_control(reference) {
        return Err("it contains control characters".into());
    }
    Ok(())
}

/// The longest note a person may leave on an order (why it was cancelled).
pub const MAX_NOTE_CHARS: usize = 2000;

/// A person's note: at most [`MAX_NOTE_CHARS`], lines and tabs but no other control characters.
pub fn check_note(note: &str) -> Result<(), String> {
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(format!(
            "the note is longer than {MAX_NOTE_CHARS} characters"
        ));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("the note contains control characters".into());
    }
    Ok(())
}

/// The longest secret the keyring is asked to keep: far above any gateway's key or token.
pub const MAX_SECRET_BYTES: usize = 4096;

/// A secret's name and value before they reach the keyring. The refusal never quotes the value.
pub fn check_secret(key: &str, value: &str) -> Result<(), String> {
    let key_ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !key_ok {
        return Err(format!(
            "secret name {} must be 1 to 64 letters, digits, '_', '-' or '.'",
            shown(key)
        ));
    }
    if value.is_empty() {
        return Err(format!("the value of secret {key} is empty"));
    }
    if value.len() > MAX_SECRET_BYTES {
        return Err(format!(
            "the value of secret {key} is longer than {MAX_SECRET_BYTES} bytes"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "the value of secret {key} contains control characters (a pasted line break?)"
        ));
    }
    Ok(())
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

        fn check(&self) -> Result<(), String> {
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
        for minor in [0, -1, i64::MIN] {
            let mut o = Order::new("O-2");
            o.amount = Money::from_minor(minor, Currency::CNY);
            cases.push(o);
        }
        for case in &cases {
            let refused = case.check().unwrap_err();
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
        full.check().unwrap();
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
            let refused = check_secret(key, value).unwrap_err();
            assert!(
                refused.len() < 300 && !refused.contains("canary") && !refused.contains("sss"),
                "{refused}"
            );
        }
        check_secret("token", "fine-Ωμέγα-🙂").unwrap();
        check_secret("token", &"s".repeat(MAX_SECRET_BYTES)).unwrap();
    }

    #[test]
    fn shown_keeps_short_values_whole_and_cuts_long_ones() {
        assert_eq!(shown("O-1"), "\"O-1\"");
        let cut = shown(&"é".repeat(1000));
        assert!(cut.ends_with("… (1000 characters)"), "{cut}");
        assert_eq!(cut.chars().filter(|c| *c == 'é').count(), 40);
    }
}
