//! Fixing an order before it is paid: an edit or a cancellation changes only an unpaid order,
//! and a payment priced from what the order was before is never journaled.

use std::collections::BTreeMap;

use crate::app::orders::{self, OrderEdit, OrderInput};
use crate::app::{ErrorKind, Problem};
use crate::domain::{AttemptState, OrderChange};
use crate::store::{Store, StoreError};
use crate::test_support::{
    add_profile, add_profile_and_order, another_desk, begin_attempt, record_state, store_contract,
};

fn edit(order_no: &str) -> OrderEdit {
    OrderEdit {
        order_no: order_no.into(),
        ..OrderEdit::default()
    }
}

async fn dump_order(store: &Store, order_no: &str) -> String {
    let order = store.order(order_no).await.unwrap();
    let changes = store.order_changes(&order).await.unwrap();
    format!("{order:?} {changes:?}")
}

store_contract! {
    async fn an_unpaid_order_takes_new_terms_and_keeps_what_it_was(store) {
        let order = add_profile_and_order(&store).await;
        let edited = orders::edit_order(&store, OrderEdit {
            amount: Some("9.90".into()),
            subject: Some(" tea for two ".into()),
            set_attributes: BTreeMap::from([("table".into(), "7".into())]),
            ..edit("o-1")
        })
        .await
        .unwrap();
        assert_eq!((edited.amount_minor, edited.subject.as_str()), (990, "tea for two"));
        assert_eq!(edited.attributes["table"], "7");
        assert_eq!(edited.revision, order.revision + 1);
        let changes = store.order_changes(&edited).await.unwrap();
        let [OrderChange::Edited { before, after, .. }] = changes.as_slice() else {
            panic!("{changes:?}");
        };
        assert_eq!((before.amount_minor, after.amount_minor), (1234, 990));
        assert_eq!(before.subject, "s");

        // The same terms again change nothing.
        let again = orders::edit_order(&store, OrderEdit { amount: Some("9.90".into()), ..edit("o-1") })
            .await
            .unwrap();
        assert_eq!(again.revision, edited.revision);

        // An attribute can be taken off again; one it does not have is an error.
        let off = orders::edit_order(&store, OrderEdit { unset_attributes: vec!["table".into()], ..edit("o-1") })
            .await
            .unwrap();
        assert!(off.attributes.is_empty());
        let before = dump_order(&store, "o-1").await;
        let missing = orders::edit_order(&store, OrderEdit { unset_attributes: vec!["table".into()], ..edit("o-1") }).await;
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::Refused);
        assert_eq!(dump_order(&store, "o-1").await, before);
    }

    async fn a_bad_edit_is_refused_and_changes_nothing(store) {
        add_profile_and_order(&store).await;
        let before = dump_order(&store, "o-1").await;
        for bad in [
            OrderEdit { amount: Some("0".into()), ..edit("o-1") },
            OrderEdit { amount: Some("-1".into()), ..edit("o-1") },
            OrderEdit { amount: Some("1.234".into()), ..edit("o-1") },
            OrderEdit { amount: Some("1e3".into()), ..edit("o-1") },
            OrderEdit { subject: Some("a\u{0}b".into()), ..edit("o-1") },
            OrderEdit { set_attributes: BTreeMap::from([("".into(), "x".into())]), ..edit("o-1") },
        ] {
            let refused = orders::edit_order(&store, bad.clone()).await;
            assert_eq!(refused.unwrap_err().kind(), ErrorKind::Refused, "{bad:?}");
        }
        let missing = orders::edit_order(&store, edit("nope")).await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert_eq!(dump_order(&store, "o-1").await, before);
    }

    async fn a_paid_or_paying_order_cannot_be_edited_or_cancelled(store) {
        let order = add_profile_and_order(&store).await;
        let attempt = begin_attempt(&store, &order, "balance", "k-1").await.unwrap();
        let pending = record_state(&store, attempt.id, AttemptState::Pending).await;
        let before = dump_order(&store, "o-1").await;
        let editing = orders::edit_order(&store, OrderEdit { amount: Some("1.00".into()), ..edit("o-1") });
        assert!(matches!(editing.await.unwrap_err().problem, Problem::PaymentInProgress { .. }));
        let cancelling = orders::cancel_order(&store, "o-1", None).await.unwrap_err();
        assert!(matches!(cancelling.problem, Problem::PaymentInProgress { .. }));
        assert_eq!(dump_order(&store, "o-1").await, before);

        record_state(&store, pending.id, AttemptState::Succeeded).await;
        let editing = orders::edit_order(&store, OrderEdit { amount: Some("1.00".into()), ..edit("o-1") });
        assert_eq!(editing.await.unwrap_err().kind(), ErrorKind::AlreadyPaid);
        let cancelling = orders::cancel_order(&store, "o-1", Some("no")).await.unwrap_err();
        assert_eq!(cancelling.kind(), ErrorKind::AlreadyPaid);
    }

    async fn an_order_whose_payment_failed_can_be_fixed_and_paid(store) {
        let order = add_profile_and_order(&store).await;
        let first = begin_attempt(&store, &order, "balance", "k-1").await.unwrap();
        record_state(&store, first.id, AttemptState::Failed).await;
        let fixed = orders::edit_order(&store, OrderEdit { amount: Some("10.00".into()), ..edit("o-1") })
            .await
            .unwrap();
        let second = begin_attempt(&store, &fixed, "balance", "k-2").await.unwrap();
        assert_eq!(second.amount_minor, 1000);
    }

    async fn a_payment_priced_before_an_edit_is_not_journaled(store) {
        let read_before = add_profile_and_order(&store).await;
        orders::edit_order(&store, OrderEdit { amount: Some("1.00".into()), ..edit("o-1") })
            .await
            .unwrap();
        let stale = begin_attempt(&store, &read_before, "balance", "k-1").await;
        assert!(matches!(stale, Err(StoreError::OrderChanged(_))), "{stale:?}");
        assert!(store.attempts("o-1").await.unwrap().is_empty());

        // An edit from a window that read the order before another edit is refused too.
        let window = OrderEdit { revision: Some(read_before.revision), subject: Some("x".into()), ..edit("o-1") };
        let refused = orders::edit_order(&store, window).await.unwrap_err();
        assert!(matches!(refused.problem, Problem::OrderChanged { .. }));
    }

    async fn a_cancelled_order_is_kept_and_never_paid(store) {
        let order = add_profile_and_order(&store).await;
        let done = orders::cancel_order(&store, "o-1", Some(" customer left ")).await.unwrap();
        assert!(done.cancelled_now);
        assert!(done.order.cancelled_at.is_some());
        assert_eq!(done.order.cancel_note.as_deref(), Some("customer left"));
        let before = dump_order(&store, "o-1").await;

        let paying = begin_attempt(&store, &order, "balance", "k-1").await;
        assert!(matches!(paying, Err(StoreError::OrderCancelled(_))), "{paying:?}");
        let read_after = store.order("o-1").await.unwrap();
        let paying = begin_attempt(&store, &read_after, "balance", "k-2").await;
        assert!(matches!(paying, Err(StoreError::OrderCancelled(_))), "{paying:?}");
        let editing = orders::edit_order(&store, OrderEdit { amount: Some("1.00".into()), ..edit("o-1") });
        assert!(matches!(editing.await.unwrap_err().problem, Problem::OrderCancelled { .. }));

        // Cancelling again is no error and changes nothing.
        let again = orders::cancel_order(&store, "o-1", Some("again")).await.unwrap();
        assert!(!again.cancelled_now);
        assert_eq!(dump_order(&store, "o-1").await, before);
        assert!(store.attempts("o-1").await.unwrap().is_empty());
        let changes = store.order_changes(&read_after).await.unwrap();
        assert!(matches!(changes.as_slice(), [OrderChange::Cancelled { note: Some(n), .. }] if n == "customer left"));
    }

    async fn an_order_is_checked_against_what_its_gateway_takes(store) {
        add_profile(&store, "partner", "partner").await;
        let input = |currency: &str, attributes: &[(&str, &str)]| OrderInput {
            profile: "partner".into(),
            order_no: "P-1".into(),
            amount: "3.00".into(),
            currency: (!currency.is_empty()).then(|| currency.to_string()),
            subject: String::new(),
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        let full = [("user_id", "u"), ("gift_pos_id", "g"), ("address_id", "12")];
        for (currency, attributes) in [
            ("INR", &full[..]),
            ("", &full[..2]),
            ("", &[("user_id", "u"), ("gift_pos_id", "g"), ("address_id", "x")][..]),
        ] {
            let refused = orders::add_order(&store, input(currency, attributes)).await.unwrap_err();
            assert_eq!(refused.kind(), ErrorKind::Refused, "{currency} {attributes:?}");
        }
        assert!(store.orders(10).await.unwrap().is_empty());
        // No currency given: the profile's.
        let order = orders::add_order(&store, input("", &full)).await.unwrap();
        assert_eq!(order.currency, "CNY");
        let dropping = OrderEdit { unset_attributes: vec!["user_id".into()], ..edit("P-1") };
        let refused = orders::edit_order(&store, dropping).await.unwrap_err();
        assert!(refused.message.contains("user_id"), "{}", refused.message);
    }
}

/// Two desks on one shared store: an edit at one desk keeps the other from paying what it
/// priced before, whichever commits first.
#[tokio::test]
async fn a_desk_cannot_pay_what_another_desk_changed() {
    let Some((_dir, desk_1)) = crate::test_support::temp_shared_store().await else {
        return;
    };
    let (_dir_2, desk_2) = another_desk(&desk_1).await;
    add_profile_and_order(&desk_1).await;
    let read_at_2 = desk_2.order("o-1").await.unwrap();
    orders::edit_order(
        &desk_1,
        OrderEdit {
            amount: Some("2.00".into()),
            ..edit("o-1")
        },
    )
    .await
    .unwrap();
    let stale = begin_attempt(&desk_2, &read_at_2, "balance", "k-1").await;
    assert!(
        matches!(stale, Err(StoreError::OrderChanged(_))),
        "{stale:?}"
    );
    let fresh = desk_2.order("o-1").await.unwrap();
    begin_attempt(&desk_2, &fresh, "balance", "k-2")
        .await
        .unwrap();
    let late = orders::edit_order(
        &desk_1,
        OrderEdit {
            amount: Some("3.00".into()),
            ..edit("o-1")
        },
    );
    assert!(matches!(
        late.await.unwrap_err().problem,
        Problem::PaymentInProgress { .. }
    ));
}
