//! A person's decisions: what a review records, and that nothing is recorded half.

use crate::domain::AttemptState;
use crate::store::Store;
use crate::test_support::{add_profile_and_order, begin_attempt, record_state, store_contract};

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
}
