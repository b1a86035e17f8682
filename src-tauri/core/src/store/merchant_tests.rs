//! The merchant's settings, receipts and a day's reads on both stores.

use crate::audit::{AuditAction, AuditQuery};
use crate::domain::AttemptState;
use crate::merchant::Merchant;
use crate::store::StoreError;
use crate::test_support::{add_order, add_profile, begin_attempt, record_state, store_contract};

store_contract! {
async fn the_merchant_s_settings_are_kept_and_each_change_is_audited(store) {
    assert_eq!(store.merchant().await.unwrap(), Merchant::default());
    let settings = Merchant {
        name: "益安便利店".into(),
        address: "上海市\n徐汇区 1 号".into(),
        time_zone: Some("Asia/Shanghai".into()),
    };
    assert_eq!(store.set_merchant(&settings).await.unwrap(), settings);
    assert_eq!(store.merchant().await.unwrap(), settings);
    // The same settings again change nothing, and say nothing.
    store.set_merchant(&settings).await.unwrap();
    let changes = store
        .audit_trail(&AuditQuery { action: Some(AuditAction::MerchantChanged), ..AuditQuery::default() })
        .await
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].detail["after"]["time_zone"], "Asia/Shanghai");
    assert_eq!(changes[0].detail["before"]["name"], "");
}

async fn a_receipt_is_of_a_paid_order_and_every_later_one_is_a_copy(store) {
    add_profile(&store, "shop", "sensecore").await;
    let unpaid = add_order(&store, "shop", "R-1", "5.00", "").await;
    let failed = begin_attempt(&store, &unpaid, "balance", "k-r1").await.unwrap();
    record_state(&store, failed.id, AttemptState::Failed).await;
    assert!(matches!(store.paid_order("R-1").await, Err(StoreError::NotPaid(n)) if n == "R-1"));
    assert!(matches!(store.paid_order("R-404").await, Err(StoreError::NoSuchOrder(_))));

    let paid = add_order(&store, "shop", "R-2", "7.50", "").await;
    let attempt = begin_attempt(&store, &paid, "balance", "k-r2").await.unwrap();
    record_state(&store, attempt.id, AttemptState::Succeeded).await;
    let order = store.paid_order("R-2").await.unwrap();
    assert_eq!((order.attempt.id, order.order_amount_minor, order.currency.as_str()), (attempt.id, 750, "CNY"));
    assert_eq!(store.issue_receipt(&order).await.unwrap().0, 0, "the original");
    assert_eq!(store.issue_receipt(&order).await.unwrap().0, 1, "a copy");
    let actions: Vec<AuditAction> = store
        .audit_trail(&AuditQuery { subject: Some("R-2".into()), ..AuditQuery::default() })
        .await
        .unwrap()
        .iter()
        .map(|e| e.action)
        .filter(|a| matches!(a, AuditAction::ReceiptIssued | AuditAction::ReceiptReprinted))
        .collect();
    assert_eq!(actions, [AuditAction::ReceiptReprinted, AuditAction::ReceiptIssued]);

    // Printed at once by several desks (connections): exactly one original, the rest copies.
    let mut race = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (store, paid) = (store.clone(), store.paid_order("R-2").await.unwrap());
        race.spawn(async move { store.issue_receipt(&paid).await.unwrap().0 });
    }
    let mut earlier: Vec<i64> = race.join_all().await;
    earlier.sort();
    assert_eq!(earlier, [2, 3, 4, 5, 6, 7]);
}

async fn a_day_reads_every_attempt_started_in_it_and_every_shift_open_during_it(store) {
    add_profile(&store, "shop", "sensecore").await;
    let before = store.now().await.unwrap();
    let outside = add_order(&store, "shop", "D-1", "1.00", "").await;
    let outside = begin_attempt(&store, &outside, "balance", "k-d1").await.unwrap();
    let shift = store.start_shift().await.unwrap();
    let inside = add_order(&store, "shop", "D-2", "2.00", "").await;
    let inside = begin_attempt(&store, &inside, "balance", "k-d2").await.unwrap();
    let after = store.now().await.unwrap() + 1;

    let read = store.attempts_between(before, after).await.unwrap();
    let ids: Vec<(i64, Option<i64>)> = read.iter().map(|a| (a.attempt.id, a.shift_id)).collect();
    assert_eq!(ids, [(outside.id, None), (inside.id, Some(shift.id))]);
    assert!(store.attempts_between(after, after + 1000).await.unwrap().is_empty());
    let shifts: Vec<i64> = store.shifts_between(before, after).await.unwrap().iter().map(|s| s.id).collect();
    assert_eq!(shifts, [shift.id]);
    assert!(store.shifts_between(0, shift.opened_at).await.unwrap().is_empty(), "not yet open");
}
}

/// A desk of an earlier paydesk (which locks the attempt's row to count its receipts) and one
/// of this paydesk printing the same receipt at once on a shared server: one original.
#[tokio::test]
async fn a_receipt_waits_for_an_earlier_paydesk_printing_the_same_one() {
    let Some((_dir, store)) = crate::test_support::temp_shared_store().await else {
        return;
    };
    add_profile(&store, "shop", "sensecore").await;
    let paid = add_order(&store, "shop", "R-9", "1.00", "").await;
    let attempt = begin_attempt(&store, &paid, "balance", "k-r9")
        .await
        .unwrap();
    record_state(&store, attempt.id, AttemptState::Succeeded).await;
    let pool = store.shared_pool().unwrap();
    // The earlier desk: the row locked, its original counted and written, not yet committed.
    let mut earlier = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM attempts WHERE id = $1 FOR UPDATE")
        .bind(attempt.id)
        .fetch_one(&mut *earlier)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO receipts (attempt_id, issued_at, desk, operator) VALUES ($1, 0, 'old', 'old')",
    )
    .bind(attempt.id)
    .execute(&mut *earlier)
    .await
    .unwrap();
    let order = store.paid_order("R-9").await.unwrap();
    let printing = {
        let store = store.clone();
        tokio::spawn(async move { store.issue_receipt(&order).await.unwrap().0 })
    };
    // Until this desk waits on the earlier one's lock (or has long finished without waiting).
    while !printing.is_finished() {
        let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE NOT granted")
            .fetch_one(pool)
            .await
            .unwrap();
        if waiting > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    earlier.commit().await.unwrap();
    assert_eq!(
        printing.await.unwrap(),
        1,
        "a copy: the earlier desk's was the original"
    );
}
