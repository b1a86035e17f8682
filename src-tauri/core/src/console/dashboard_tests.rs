//! The dashboard's totals on both stores: money taken in and money paid out kept apart.

use crate::domain::AttemptState;
use crate::test_support::{add_order, add_profile, begin_attempt, record_state, store_contract};

store_contract! {
async fn payouts_are_their_own_rows_never_added_to_takings(store) {
    add_profile(&store, "shop", "sensecore").await;
    let sold = add_order(&store, "shop", "S-1", "12.34", "").await;
    let paid = begin_attempt(&store, &sold, "alipay", "key-in").await.unwrap();
    record_state(&store, paid.id, AttemptState::Succeeded).await;
    add_profile(&store, "payouts", "debit").await;
    let payout = add_order(&store, "payouts", "D-1", "500.00", "").await;
    let sent = begin_attempt(&store, &payout, "bank", "key-out").await.unwrap();
    record_state(&store, sent.id, AttemptState::Succeeded).await;

    let rows: Vec<_> = store
        .takings(0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.pays_out, r.channel, r.state, r.amount))
        .collect();
    assert_eq!(
        rows,
        [
            (false, "alipay".to_string(), AttemptState::Succeeded, "12.34".to_string()),
            (true, "bank".to_string(), AttemptState::Succeeded, "500.00".to_string()),
        ]
    );
}
}
