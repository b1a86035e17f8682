//! A person's decisions: what a review records, and that nothing is recorded half.

use std::sync::Arc;

use crate::domain::AttemptState;
use crate::engine::{Engine, PayError};
use crate::store::{AttemptUpdate, Store, StoreError};
use crate::test_support::{
    add_order, add_profile, add_profile_and_order, begin_attempt, record_state, store_contract,
};
use crate::vault::MemoryVault;
use paydesk_gateways::transport::Transport;

fn engine(store: &Store) -> Engine {
    Engine::new(
        store.clone(),
        Arc::new(MemoryVault::default()),
        Transport::default(),
    )
}

/// A pending attempt on `gateway`, with a pay URL when `code` is given.
async fn pending_on(store: &Store, gateway: &str, order_no: &str, code: Option<&str>) -> i64 {
    add_profile(store, order_no, gateway).await;
    let order = add_order(store, order_no, order_no, "9.90", "").await;
    let attempt = begin_attempt(store, &order, "alipay", order_no)
        .await
        .unwrap();
    store
        .record(
            attempt.id,
            AttemptState::Pending,
            &AttemptUpdate {
                pay_url: code.map(str::to_string),
                ..AttemptUpdate::default()
            },
        )
        .await
        .unwrap();
    attempt.id
}

/// Makes the database refuse to move an attempt to `failed`: a stand-in for a state change
/// that fails after the review row could have been written (a full disk, a lost lock).
async fn refuse_moves_to_failed(store: &Store) {
    match store.shared_pool() {
        Some(pool) => {
            sqlx::raw_sql(
                "CREATE FUNCTION refuse_decision() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION 'refused'; END $$;
                 CREATE TRIGGER refuse_decision BEFORE UPDATE OF state ON attempts
                 FOR EACH ROW WHEN (NEW.state = 'failed') EXECUTE FUNCTION refuse_decision();",
            )
            .execute(pool)
            .await
            .unwrap();
        }
        None => {
            sqlx::query(
                "CREATE TRIGGER refuse_decision BEFORE UPDATE OF state ON attempts
                 WHEN NEW.state = 'failed' BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .execute(store.pool())
            .await
            .unwrap();
        }
    }
}

async fn review_count(store: &Store) -> i64 {
    let sql = "SELECT count(*) FROM reviews";
    match store.shared_pool() {
        Some(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        None => sqlx::query_scalar(sql)
            .fetch_one(store.pool())
            .await
            .unwrap(),
    }
}

store_contract! {
    async fn a_decision_that_cannot_be_applied_leaves_no_review_behind(store) {
        let order = add_profile_and_order(&store).await;
        let attempt = begin_attempt(&store, &order, "alipay", "k1").await.unwrap();
        record_state(&store, attempt.id, AttemptState::Unknown).await;
        record_state(&store, attempt.id, AttemptState::NeedsReview).await;
        refuse_moves_to_failed(&store).await;
        store
            .resolve_review(attempt.id, AttemptState::Failed, "customer cancelled")
            .await
            .unwrap_err();
        assert_eq!(review_count(&store).await, 0, "a review was recorded but never applied");
        assert_eq!(
            store.attempt(attempt.id).await.unwrap().state,
            AttemptState::NeedsReview
        );
    }

    async fn a_decision_is_kept_with_who_made_it(store) {
        store.set_actor(crate::domain::Actor {
            desk: "desk-2".into(),
            operator: "lin".into(),
        });
        let order = add_profile_and_order(&store).await;
        let attempt = begin_attempt(&store, &order, "alipay", "k1").await.unwrap();
        record_state(&store, attempt.id, AttemptState::Unknown).await;
        record_state(&store, attempt.id, AttemptState::NeedsReview).await;
        let decided = store
            .resolve_review(attempt.id, AttemptState::Succeeded, "on the statement")
            .await
            .unwrap();
        assert_eq!(decided.state, AttemptState::Succeeded);
        assert_eq!(review_count(&store).await, 1);
        let last = store.events(attempt.id).await.unwrap().pop().unwrap();
        assert_eq!(last.state, AttemptState::Succeeded);
        assert_eq!(
            (last.desk.as_str(), last.operator.as_str()),
            ("desk-2", "lin")
        );
        assert_eq!(
            last.detail.as_deref(),
            Some("resolved by a person: on the statement")
        );
        assert!(store
            .resolve_review(attempt.id, AttemptState::Failed, "again")
            .await
            .is_err());
    }

    async fn a_pending_payment_no_gateway_can_settle_is_a_persons_to_decide_at_once(store) {
        let engine = engine(&store);
        // partner has no status query: nothing but a person settles its pending payments.
        let paid = pending_on(&store, "partner", "P-1", Some("https://qr.example/1")).await;
        // The note is kept on the audit trail and shown wherever the attempt is: a note's rules.
        for (note, why) in [
            ("seen\u{1b}[31m", "control characters"),
            (&"n".repeat(2001), "longer than 2000"),
        ] {
            let refused = engine
                .resolve_review(paid, AttemptState::Succeeded, note, false)
                .await
                .unwrap_err();
            assert!(refused.to_string().contains(why), "{refused}");
        }
        assert_eq!(review_count(&store).await, 0);
        let decided = engine
            .resolve_review(paid, AttemptState::Succeeded, "seen in the partner back office", false)
            .await
            .unwrap();
        assert_eq!(decided.state, AttemptState::Succeeded);

        // "Not paid" while the customer may still pay takes the person's word for it.
        let open = pending_on(&store, "partner", "P-2", Some("https://qr.example/2")).await;
        let refused = engine
            .resolve_review(open, AttemptState::Failed, "customer left", false)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, PayError::CodeMayStillBePaid { attempt_id } if attempt_id == open),
            "{refused}"
        );
        assert_eq!(store.attempt(open).await.unwrap().state, AttemptState::Pending);
        assert_eq!(review_count(&store).await, 1, "nothing recorded for the refusal");
        let failed = engine
            .resolve_review(open, AttemptState::Failed, "customer left; the QR was never shown", true)
            .await
            .unwrap();
        assert_eq!(failed.state, AttemptState::Failed);

        // A gateway that can be asked settles its own pending payments: no person decides.
        let asked = pending_on(&store, "sensecore", "S-1", None).await;
        let not_theirs = engine
            .resolve_review(asked, AttemptState::Succeeded, "looks paid", true)
            .await
            .unwrap_err();
        assert!(
            matches!(not_theirs, PayError::Store(StoreError::BadTransition { .. })),
            "{not_theirs}"
        );
        assert_eq!(store.attempt(asked).await.unwrap().state, AttemptState::Pending);
    }

    async fn not_paid_on_a_review_with_a_payment_code_takes_the_persons_word(store) {
        let engine = engine(&store);
        let coded = pending_on(&store, "sensecore", "S-2", Some("https://qr.example/3")).await;
        record_state(&store, coded, AttemptState::NeedsReview).await;
        assert!(matches!(
            engine
                .resolve_review(coded, AttemptState::Failed, "never paid", false)
                .await,
            Err(PayError::CodeMayStillBePaid { .. })
        ));
        // A payment the gateway took (a reference came back: a payout the bank may still be
        // processing, left waiting until a person is asked) may yet go through: the same word.
        let payout = pending_on(&store, "debit", "D-1", None).await;
        let taken = AttemptUpdate {
            gateway_ref: Some("7".into()),
            ..AttemptUpdate::default()
        };
        store.record(payout, AttemptState::NeedsReview, &taken).await.unwrap();
        assert!(matches!(
            engine
                .resolve_review(payout, AttemptState::Failed, "not on the statement", false)
                .await,
            Err(PayError::CodeMayStillBePaid { .. })
        ));
        let confirmed = engine
            .resolve_review(payout, AttemptState::Failed, "the bank returned it", true)
            .await
            .unwrap();
        assert_eq!(confirmed.state, AttemptState::Failed);
        // Without a code the customer was never given a way to pay: the note is enough.
        let order = add_order(&store, "S-2", "S-3", "1.00", "").await;
        let lost = begin_attempt(&store, &order, "balance", "S-3").await.unwrap();
        record_state(&store, lost.id, AttemptState::Unknown).await;
        record_state(&store, lost.id, AttemptState::NeedsReview).await;
        let decided = engine
            .resolve_review(lost.id, AttemptState::Failed, "not on the statement", false)
            .await
            .unwrap();
        assert_eq!(decided.state, AttemptState::Failed);
    }

    async fn a_code_the_gateway_keeps_payable_cannot_be_marked_not_paid_before_it_expires(store) {
        let engine = engine(&store);
        let now = store.now().await.unwrap();
        let payable = |until: i64| AttemptUpdate {
            pay_url: Some("https://qr.example/4".into()),
            payable_until: Some(until),
            ..AttemptUpdate::default()
        };
        let open = pending_on(&store, "yian", "Y-1", None).await;
        store.record(open, AttemptState::NeedsReview, &payable(now + 3_600_000)).await.unwrap();
        let refused = engine
            .resolve_review(open, AttemptState::Failed, "customer says no", true)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, PayError::StillPayable { attempt_id, until } if attempt_id == open && until == now + 3_600_000),
            "{refused}"
        );
        assert_eq!(store.attempt(open).await.unwrap().state, AttemptState::NeedsReview);
        // Paid is always the person's to say: it cannot double anything.
        engine
            .resolve_review(open, AttemptState::Succeeded, "on the statement", false)
            .await
            .unwrap();

        let expired = pending_on(&store, "yian", "Y-2", None).await;
        store.record(expired, AttemptState::NeedsReview, &payable(now - 1)).await.unwrap();
        let decided = engine
            .resolve_review(expired, AttemptState::Failed, "the code expired unpaid", true)
            .await
            .unwrap();
        assert_eq!(decided.state, AttemptState::Failed);
        assert_eq!(decided.payable_until, Some(now - 1), "kept as the gateway said");
    }
}
