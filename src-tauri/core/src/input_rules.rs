//! What the store accepts as an order, whichever door it came through (the window's IPC, the
//! command line): checked in [`Store::add_order`](crate::store::Store::add_order) before
//! anything is written, so a hostile value gets one clear refusal and changes nothing.
//!
//! Order numbers are the merchant's opaque text: path-like (`../../etc/passwd`) or URL-like
//! (`http://x/y?z#w`) numbers, other scripts and emoji are kept byte for byte and travel
//! percent-encoded as one path segment or form value; only what cannot be shown or sent
//! faithfully is refused. Refusals never echo a long value back.

use crate::store::NewOrder;

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

pub fn check_new_order(order: &NewOrder) -> Result<(), String> {
    crate::import::check_order_no(&order.order_no)?;
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
    if has_control(&order.subject) {
        return Err("the subject contains control characters".into());
    }
    if order.attributes.len() > MAX_ATTRIBUTES {
        return Err(format!("more than {MAX_ATTRIBUTES} order attributes"));
    }
    for (key, value) in &order.attributes {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use secrecy::SecretString;

    use super::*;
    use crate::storage_health::tests::dump;
    use crate::store::{NewProfile, Store, StoreError};
    use crate::vault::{MemoryVault, Vault, VaultError};
    use crate::{Currency, Money};

    fn order(order_no: &str) -> NewOrder {
        NewOrder {
            order_no: order_no.into(),
            profile: "shop".into(),
            amount: Money::from_minor(100, Currency::CNY),
            subject: "s".into(),
            attributes: BTreeMap::new(),
        }
    }

    /// What the window's add_order (and every other caller) hands the store, hostile in every
    /// field: refused with a short message, and the database unchanged.
    #[tokio::test]
    async fn the_store_refuses_hostile_orders_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paydesk.sqlite");
        let store = Store::open(&path).await.unwrap();
        store
            .create_profile(&NewProfile {
                name: "shop".into(),
                gateway: "sensecore".into(),
                base_url: "https://gw.example".into(),
                settings: BTreeMap::new(),
                is_sandbox: false,
            })
            .await
            .unwrap();
        store.add_order(&order("O-1")).await.unwrap();
        let before = dump(&path).await;
        let huge = "x".repeat(1 << 20);
        let mut cases: Vec<NewOrder> = [
            "", " ", " O-2", "O-2 ", "O\u{0}2", "O\n2", "O\u{1b}2", &huge,
        ]
        .into_iter()
        .map(order)
        .collect();
        for subject in [huge.as_str(), "a\u{0}b", "a\rb"] {
            let mut o = order("O-2");
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
            let mut o = order("O-2");
            o.attributes.insert(key.into(), value.into());
            cases.push(o);
        }
        let mut many = order("O-2");
        for n in 0..=MAX_ATTRIBUTES {
            many.attributes.insert(format!("k{n}"), "v".into());
        }
        cases.push(many);
        for minor in [0, -1, i64::MIN] {
            let mut o = order("O-2");
            o.amount = Money::from_minor(minor, Currency::CNY);
            cases.push(o);
        }
        cases.push(order("O-1"));
        for case in &cases {
            let refused = store.add_order(case).await.unwrap_err();
            let shown = refused.to_string();
            assert!(
                matches!(
                    refused,
                    StoreError::BadInput(_) | StoreError::DuplicateOrder(_)
                ),
                "{shown}"
            );
            assert!(shown.len() < 300, "{} bytes", shown.len());
        }
        assert_eq!(dump(&path).await, before);
        // Odd-looking but faithful order numbers are the merchant's own text, kept exactly.
        for weird in ["../../etc/passwd", "http://x/y?z#w", "订单-Ωμέγα-🙂"] {
            assert_eq!(
                store.add_order(&order(weird)).await.unwrap().order_no,
                weird
            );
            assert_eq!(store.order(weird).await.unwrap().order_no, weird);
        }
        store.close().await;
    }

    #[test]
    fn the_vault_refuses_hostile_secret_names_and_values_without_quoting_them() {
        let vault = MemoryVault::default();
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
            let refused = vault
                .set("v-1", key, &SecretString::from(value.to_string()))
                .unwrap_err();
            assert!(matches!(refused, VaultError::BadSecret(_)), "{refused}");
            let shown = refused.to_string();
            assert!(
                shown.len() < 300 && !shown.contains("canary") && !shown.contains("sss"),
                "{shown}"
            );
            assert!(vault.get("v-1", key).unwrap().is_none());
        }
        vault
            .set(
                "v-1",
                "token",
                &SecretString::from("fine-Ωμέγα-🙂".to_string()),
            )
            .unwrap();
    }
}
