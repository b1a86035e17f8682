//! The dashboard's totals on both stores: money taken in and money paid out kept apart.

use crate::domain::AttemptState;
use crate::test_support::{
    add_order, add_profile, add_sandbox_profile, begin_attempt, record_state, store_contract,
};

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

async fn daily_totals_sum_each_day_of_the_window_s_calendar_apart(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_profile(&store, "payouts", "debit").await;
    for (no, amount, state) in [("S-1", "12.34", AttemptState::Succeeded), ("S-2", "0.66", AttemptState::Succeeded), ("S-3", "5.00", AttemptState::Failed)] {
        let order = add_order(&store, "shop", no, amount, "").await;
        let attempt = begin_attempt(&store, &order, "balance", no).await.unwrap();
        record_state(&store, attempt.id, state).await;
    }
    let payout = add_order(&store, "payouts", "D-1", "500.00", "").await;
    let sent = begin_attempt(&store, &payout, "bank", "key-out").await.unwrap();
    record_state(&store, sent.id, AttemptState::Succeeded).await;
    let now = store.now().await.unwrap();
    let day = 86_400_000;
    // Eight hours ahead of UTC, as a desk in Beijing sees it.
    let offset = 8 * 3_600_000;
    let rows = store.daily_totals(now - day, now + day, offset).await.unwrap();
    let today = chrono::DateTime::from_timestamp_millis(now + offset).unwrap().format("%Y-%m-%d").to_string();
    let seen: Vec<_> = rows.iter().map(|r| (r.day.as_str(), r.pays_out, r.count, r.amount.as_str())).collect();
    assert_eq!(seen, [(today.as_str(), false, 2, "13.00"), (today.as_str(), true, 1, "500.00")]);
    // The day starts at the window's midnight.
    let start = rows[0].day_start_ms;
    assert!(start <= now && now < start + day && (start + offset) % day == 0, "{start}");
    assert!(store.daily_totals(now + day, now + 2 * day, offset).await.unwrap().is_empty());
}

async fn a_sandbox_profile_s_payments_are_never_money_in_the_live_data(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_sandbox_profile(&store, "sandbox-sensecore", "sensecore").await;
    for (profile, no, amount) in [("shop", "S-1", "12.34"), ("sandbox-sensecore", "T-1", "99.00")] {
        let order = add_order(&store, profile, no, amount, "").await;
        let attempt = begin_attempt(&store, &order, "balance", no).await.unwrap();
        record_state(&store, attempt.id, AttemptState::Succeeded).await;
    }
    let now = store.now().await.unwrap();
    let taken = |rows: Vec<crate::console::TakingsRow>| rows.into_iter().map(|r| r.amount).collect::<Vec<_>>();
    let daily = |rows: Vec<crate::console::DailyTotal>| rows.into_iter().map(|r| r.amount).collect::<Vec<_>>();
    assert_eq!(taken(store.takings(0).await.unwrap()), ["12.34"]);
    assert_eq!(daily(store.daily_totals(0, now + 1, 0).await.unwrap()), ["12.34"]);
    // The demo holds sandbox payments only, and shows them as its own money.
    let demo = store.clone().for_demo();
    assert_eq!(taken(demo.takings(0).await.unwrap()), ["111.34"]);
    assert_eq!(daily(demo.daily_totals(0, now + 1, 0).await.unwrap()), ["111.34"]);
}
}
