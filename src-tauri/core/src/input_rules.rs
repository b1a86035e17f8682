//! What the store accepts as an order, whichever door it came through (the window's IPC, the
//! command line, an imported file): checked in [`Store::add_order`](crate::store::Store::add_order)
//! before anything is written, so a hostile value gets one clear refusal and changes nothing.
//!
//! The rules themselves live in paydesk-rules ([`paydesk_rules::input_rules`], pure, fuzzed
//! with the import's parsing layer) and are re-exported here; this module adds the store's own
//! order type to them, and its tests apply them through the store and the vault.

pub use paydesk_rules::input_rules::*;

use crate::domain::NewOrder;

/// [`check_order_fields`] for an order the store is asked to add.
pub fn check_new_order(order: &NewOrder) -> Result<(), Invalid> {
    check_order_fields(OrderFields {
        order_no: &order.order_no,
        amount: order.amount,
        subject: &order.subject,
        attributes: &order.attributes,
    })
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::store::{Store, StoreError};
    use crate::test_support::{add_profile, db_path, dump, new_order};
    use crate::vault::{MemoryVault, Vault, VaultError};
    use crate::{Currency, Money};

    /// An order of 1.00 yuan on `shop` with subject `s`.
    fn order(order_no: &str) -> NewOrder {
        NewOrder {
            subject: "s".into(),
            ..new_order("shop", order_no, Money::from_minor(100, Currency::CNY))
        }
    }

    /// What the window's add_order (and every other caller) hands the store, hostile in every
    /// field: refused with a short message, and the database unchanged.
    #[tokio::test]
    async fn the_store_refuses_hostile_orders_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = db_path(dir.path());
        let store = Store::open(&path).await.unwrap();
        add_profile(&store, "shop", "sensecore").await;
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
                    StoreError::Invalid(_) | StoreError::DuplicateOrder(_)
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
