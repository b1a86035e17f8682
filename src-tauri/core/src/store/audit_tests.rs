//! The audit trail on both stores: each of the store's own acts leaves its entry, written with
//! the act, and the database refuses to change or remove one.

use crate::audit::{AuditAction, AuditQuery, Audited};
use crate::domain::{AttemptState, OrderTerms};
use crate::settling::{AttemptUpdate, CheckVerdict};
use crate::store::{Checked, Route, Store};
use crate::test_support::{add_order, add_profile, begin_attempt, record_state, store_contract};

async fn trail(store: &Store) -> Vec<(AuditAction, String)> {
    let mut entries = store.audit_trail(&AuditQuery::default()).await.unwrap();
    entries.reverse();
    entries.into_iter().map(|e| (e.action, e.subject)).collect()
}

/// The statement run straight on the store of record, as a person with the database's own
/// tools would; what the database answers.
async fn tamper(store: &Store, statement: &str) -> Result<u64, sqlx::Error> {
    match store.route() {
        Route::Sqlite(pool) | Route::Copy(pool) => sqlx::query(statement)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        Route::Postgres(pool) => sqlx::query(statement)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

store_contract! {
async fn each_act_of_the_store_leaves_its_entry_with_who_and_when(store) {
    add_profile(&store, "shop", "sensecore").await;
    let order = add_order(&store, "shop", "A-1", "12.34", "first").await;
    let terms = OrderTerms {
        amount_minor: 1000,
        subject: order.subject.clone(),
        attributes: order.attributes.clone(),
    };
    store.edit_order("A-1", order.revision, &terms).await.unwrap();
    add_order(&store, "shop", "A-2", "1.00", "").await;
    store.cancel_order("A-2", Some("the customer left")).await.unwrap();
    let order = store.order("A-1").await.unwrap();
    let attempt = begin_attempt(&store, &order, "alipay", "key-a1").await.unwrap();
    let pending = record_state(&store, attempt.id, AttemptState::Pending).await;
    let settled = CheckVerdict::Settle(AttemptState::Failed, AttemptUpdate::default());
    store
        .record_checks(&[Checked { seen: pending, verdict: settled, resent: false }])
        .await
        .unwrap();
    add_order(&store, "shop", "A-3", "2.00", "").await;
    let order = store.order("A-3").await.unwrap();
    let attempt = begin_attempt(&store, &order, "alipay", "key-a3").await.unwrap();
    record_state(&store, attempt.id, AttemptState::Unknown).await;
    record_state(&store, attempt.id, AttemptState::NeedsReview).await;
    store.resolve_review(attempt.id, AttemptState::Succeeded, "seen on the customer's phone").await.unwrap();
    store.audit(&Audited::new(AuditAction::SecretSet, "shop").with("key", "token")).await.unwrap();

    use AuditAction::*;
    let s = |t: &str| t.to_string();
    assert_eq!(
        trail(&store).await,
        [
            (OrderAdded, s("A-1")),
            (OrderEdited, s("A-1")),
            (OrderAdded, s("A-2")),
            (OrderCancelled, s("A-2")),
            (PaymentStarted, s("A-1")),
            (StatusSettled, s("A-1")),
            (OrderAdded, s("A-3")),
            (PaymentStarted, s("A-3")),
            (PersonDecided, s("A-3")),
            (SecretSet, s("shop")),
        ]
    );
    let entries = store.audit_trail(&AuditQuery { subject: Some("A-1".into()), ..Default::default() }).await.unwrap();
    let edited = entries.iter().find(|e| e.action == OrderEdited).unwrap();
    assert_eq!(edited.detail["before"]["amount_minor"], 1234);
    assert_eq!(edited.detail["after"]["amount_minor"], 1000);
    let settled = entries.iter().find(|e| e.action == StatusSettled).unwrap();
    assert_eq!(settled.detail["state"], "failed");
    let actor = store.actor();
    assert!(entries.iter().all(|e| e.desk == actor.desk && e.operator == actor.operator && e.at > 0));
    let decided = store.audit_trail(&AuditQuery { action: Some(PersonDecided), ..Default::default() }).await.unwrap();
    assert_eq!(decided[0].detail["note"], "seen on the customer's phone");
    assert_eq!(decided[0].detail["decision"], "succeeded");
}

async fn the_database_refuses_to_change_or_remove_an_entry(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_order(&store, "shop", "T-1", "1.00", "").await;
    for statement in [
        "UPDATE audit SET subject = 'someone else'",
        "DELETE FROM audit",
    ] {
        let refused = tamper(&store, statement).await.unwrap_err();
        assert!(refused.to_string().contains("append-only"), "{statement}: {refused}");
    }
    if store.is_shared() {
        let emptied = tamper(&store, "TRUNCATE audit").await.unwrap_err();
        assert!(emptied.to_string().contains("append-only"), "{emptied}");
    }
    assert_eq!(trail(&store).await, [(AuditAction::OrderAdded, "T-1".to_string())]);
}

async fn an_action_of_a_newer_paydesk_keeps_the_trail_readable_and_is_shown_by_its_name(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_order(&store, "shop", "N-1", "1.00", "").await;
    tamper(
        &store,
        "INSERT INTO audit (at, desk, operator, action, subject, detail)
         VALUES (1, 'desk-9', 'ann', 'refund_issued', 'N-1', '{\"amount_minor\": 100}')",
    )
    .await
    .unwrap();
    let entries = store.audit_trail(&AuditQuery::default()).await.unwrap();
    let named: Vec<_> = entries.iter().map(|e| (e.action, e.recorded_as.as_str())).collect();
    assert_eq!(named, [
        (AuditAction::OrderAdded, "order_added"),
        (AuditAction::Unrecognized, "refund_issued"),
    ]);
    assert_eq!(entries[1].detail["amount_minor"], 100);
}
}
