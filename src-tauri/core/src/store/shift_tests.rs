//! Shifts on both stores: one open per desk, a payment belongs to the shift open when it was
//! started, and a shift closes only over payments settled or acknowledged.

use crate::domain::AttemptState;
use crate::store::StoreError;
use crate::test_support::{
    add_order, add_profile, add_sandbox_profile, begin_attempt, record_state, store_contract,
};

store_contract! {
async fn a_payment_belongs_to_its_desk_s_open_shift_which_closes_over_settled_or_acknowledged_ones(store) {
    add_profile(&store, "shop", "sensecore").await;
    let before = add_order(&store, "shop", "B-1", "1.00", "").await;
    let outside = begin_attempt(&store, &before, "balance", "k-b1").await.unwrap();
    let shift = store.start_shift().await.unwrap();
    assert!(matches!(store.start_shift().await, Err(StoreError::ShiftOpen(open)) if open.id == shift.id));
    let paid = add_order(&store, "shop", "S-1", "2.00", "").await;
    let paid = begin_attempt(&store, &paid, "balance", "k-s1").await.unwrap();
    record_state(&store, paid.id, AttemptState::Succeeded).await;
    let open = add_order(&store, "shop", "S-2", "3.00", "").await;
    let open = begin_attempt(&store, &open, "wechat", "k-s2").await.unwrap();
    record_state(&store, open.id, AttemptState::Unknown).await;
    add_sandbox_profile(&store, "demo", "sensecore").await;
    let demo = add_order(&store, "demo", "D-1", "4.00", "").await;
    let demo = begin_attempt(&store, &demo, "balance", "k-d1").await.unwrap();

    let ids: Vec<i64> = store.shift_attempts(shift.id).await.unwrap().iter().map(|a| a.attempt.id).collect();
    assert_eq!(ids, [paid.id, open.id, demo.id], "not {}: started before the shift", outside.id);
    match store.end_shift(&[], false).await {
        Err(StoreError::ShiftHasOpenAttempts(named)) => {
            let named: Vec<_> = named.into_iter().map(|a| (a.attempt_id, a.order_no, a.state, a.sandbox)).collect();
            assert_eq!(named, [
                (open.id, "S-2".to_string(), AttemptState::Unknown, false),
                // Demo money says so wherever a refusal names it.
                (demo.id, "D-1".to_string(), AttemptState::Submitting, true),
            ]);
        }
        other => panic!("closed over an unknown payment: {other:?}"),
    }
    assert!(store.open_shift().await.unwrap().is_some(), "still open");
    let closed = store.end_shift(&[open.id, demo.id], false).await.unwrap();
    assert_eq!(closed.acknowledged, [open.id, demo.id]);
    assert!(closed.closed_at.is_some());
    assert!(store.open_shift().await.unwrap().is_none());
    assert!(matches!(store.end_shift(&[], true).await, Err(StoreError::NoOpenShift(_))));
    // The next shift starts empty.
    let next = store.start_shift().await.unwrap();
    assert!(store.shift_attempts(next.id).await.unwrap().is_empty());
    let listed: Vec<i64> = store.shifts(None, 10).await.unwrap().iter().map(|s| s.id).collect();
    assert_eq!(listed, [next.id, shift.id]);
}
}
