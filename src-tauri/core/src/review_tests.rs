//! A person's decisions: what a review records, and that nothing is recorded half.

use crate::domain::AttemptState;
use crate::test_support::{add_profile_and_order, begin_attempt, record_state, temp_store};

#[tokio::test]
async fn a_decision_that_cannot_be_applied_leaves_no_review_behind() {
    let (_dir, store) = temp_store().await;
    let order = add_profile_and_order(&store).await;
    let attempt = begin_attempt(&store, &order, "alipay", "k1").await.unwrap();
    record_state(&store, attempt.id, AttemptState::Unknown).await;
    record_state(&store, attempt.id, AttemptState::NeedsReview).await;
    // The state change fails after the review row could have been written (a full disk, a
    // lost lock): stand-in, a trigger that refuses it.
    sqlx::query(
        "CREATE TRIGGER refuse_decision BEFORE UPDATE OF state ON attempts
         WHEN NEW.state = 'failed' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store
        .resolve_review(attempt.id, AttemptState::Failed, "customer cancelled")
        .await
        .unwrap_err();
    let reviews: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(reviews, 0, "a review was recorded but never applied");
    assert_eq!(
        store.attempt(attempt.id).await.unwrap().state,
        AttemptState::NeedsReview
    );
}
