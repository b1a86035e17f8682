//! The dashboard's totals on both stores: money taken in and money paid out kept apart, and
//! the manager's day compared with yesterday and last week.

use crate::day_comparison::{ComparedDays, DayComparison, Tally};
use crate::domain::AttemptState;
use crate::store::{AttemptUpdate, Store};
use crate::test_support::{
    add_order, add_profile, add_sandbox_profile, begin_attempt, record_state, set_started_at,
    store_contract,
};

const HOUR: i64 = 3_600_000;

/// A failure reason: gateway, code, words, today's count, yesterday's.
type Reason = (String, Option<String>, Option<String>, i64, i64);

/// 10:00 on 2026-12-05 in Beijing, and the days around it on Beijing's calendar.
fn beijing_days() -> ComparedDays {
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:00+08:00").unwrap();
    ComparedDays::around(now.offset(), now.timestamp_millis()).unwrap()
}

/// An order `order_no` of `amount` on `profile`, paid on `channel` at `at` into the state given,
/// with the gateway's `error` (code, words) where it refused.
async fn paid_at(
    store: &Store,
    profile: &str,
    (order_no, amount, channel): (&str, &str, &str),
    at: i64,
    state: AttemptState,
    error: Option<(&str, &str)>,
) {
    let order = add_order(store, profile, order_no, amount, "").await;
    let attempt = begin_attempt(store, &order, channel, order_no)
        .await
        .unwrap();
    let update = AttemptUpdate {
        error_code: error.map(|(code, _)| code.to_string()),
        error_message: error.map(|(_, words)| words.to_string()),
        ..AttemptUpdate::default()
    };
    if state != AttemptState::Submitting {
        store.record(attempt.id, state, &update).await.unwrap();
    }
    set_started_at(store, attempt.id, at).await;
}

fn amounts(t: &Tally) -> (i64, &str) {
    (t.count, t.amount.as_str())
}

/// A currency, whether it is paid out, today, then yesterday by this time and whole and last
/// week's the same: `(count, amount)` each.
type MoneyLine<'a> = (&'a str, bool, (i64, &'a str), [(i64, &'a str); 4]);

/// Each currency and direction's line.
fn money(compared: &DayComparison) -> Vec<MoneyLine<'_>> {
    compared
        .money
        .iter()
        .map(|m| {
            (
                m.currency.as_str(),
                m.pays_out,
                amounts(&m.today),
                [
                    amounts(&m.yesterday.by_this_time),
                    amounts(&m.yesterday.whole_day),
                    amounts(&m.last_week.by_this_time),
                    amounts(&m.last_week.whole_day),
                ],
            )
        })
        .collect()
}

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

async fn the_day_is_compared_with_yesterday_and_the_same_day_last_week_by_this_time(store) {
    use AttemptState::*;
    add_profile(&store, "shop", "sensecore").await;
    add_profile(&store, "payouts", "debit").await;
    let days = beijing_days();
    let (today, yesterday, last_week) = (days.today.start_ms, days.yesterday.start_ms, days.last_week.start_ms);
    let payments = [
        ("S-1", "12.34", "alipay", today + 9 * HOUR, Succeeded),
        ("S-2", "0.66", "balance", today + 1, Succeeded),
        ("S-3", "8.00", "alipay", today + 9 * HOUR, Pending),
        // Yesterday before 10:00, and after.
        ("S-4", "5.00", "alipay", yesterday + 8 * HOUR, Succeeded),
        ("S-5", "20.00", "alipay", yesterday + 15 * HOUR, Succeeded),
        ("S-6", "3.00", "alipay", yesterday + 11 * HOUR, Failed),
        ("S-7", "1.00", "balance", last_week + 10 * HOUR - 1, Succeeded),
        // Eight days ago: no day compared.
        ("S-8", "70.00", "alipay", last_week - 1, Succeeded),
        // Yesterday's last moment.
        ("S-9", "40.00", "alipay", today - 1, Succeeded),
    ];
    for (no, amount, channel, at, state) in payments {
        paid_at(&store, "shop", (no, amount, channel), at, state, None).await;
    }
    paid_at(&store, "payouts", ("D-1", "500.00", "bank"), today + 2 * HOUR, Succeeded, None).await;

    let compared = store.compare_days(days, 5).await.unwrap();
    assert_eq!(
        money(&compared),
        [
            ("CNY", false, (2, "13.00"), [(1, "5.00"), (3, "65.00"), (1, "1.00"), (1, "1.00")]),
            ("CNY", true, (1, "500.00"), [(0, "0.00"), (0, "0.00"), (0, "0.00"), (0, "0.00")]),
        ]
    );
    let outcomes = |rows: &[crate::day_comparison::RateCompared]| -> Vec<(String, [i64; 3], [i64; 3])> {
        rows.iter()
            .map(|r| {
                let o = |o: &crate::day_comparison::Outcomes| [o.succeeded, o.failed, o.open];
                (r.name.clone(), o(&r.today), o(&r.yesterday))
            })
            .collect()
    };
    assert_eq!(
        outcomes(&compared.gateways),
        [("debit".into(), [1, 0, 0], [0, 0, 0]), ("sensecore".into(), [2, 0, 1], [3, 1, 0])]
    );
    assert_eq!(
        outcomes(&compared.channels),
        [
            ("alipay".into(), [1, 0, 1], [3, 1, 0]),
            ("balance".into(), [1, 0, 0], [0, 0, 0]),
            ("bank".into(), [1, 0, 0], [0, 0, 0]),
        ]
    );
}

async fn the_top_failure_reasons_are_the_gateways_own_codes_and_words(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_profile(&store, "yian", "yian").await;
    add_sandbox_profile(&store, "sandbox-sensecore", "sensecore").await;
    let days = beijing_days();
    let (today, yesterday) = (days.today.start_ms, days.yesterday.start_ms);
    let refusals = [
        ("shop", "F-1", today + HOUR, ("FAILED_PRECONDITION", "balance is not enough")),
        ("shop", "F-2", today + 2 * HOUR, ("FAILED_PRECONDITION", "balance is not enough for 12.34")),
        ("yian", "F-3", today + HOUR, ("channel_error", "渠道错误")),
        ("yian", "F-4", yesterday + HOUR, ("channel_error", "渠道错误")),
        ("yian", "F-5", yesterday + HOUR, ("channel_error", "渠道错误")),
        // A sandbox's refusals are its tests', not the shop's.
        ("sandbox-sensecore", "T-1", today + HOUR, ("FAILED_PRECONDITION", "sandbox")),
        ("sandbox-sensecore", "T-2", today + HOUR, ("FAILED_PRECONDITION", "sandbox")),
        ("sandbox-sensecore", "T-3", today + HOUR, ("FAILED_PRECONDITION", "sandbox")),
    ];
    for (profile, no, at, error) in refusals {
        paid_at(&store, profile, (no, "1.00", "alipay"), at, AttemptState::Failed, Some(error)).await;
    }
    // Decided failed by a person with no gateway code to it.
    paid_at(&store, "shop", ("F-6", "1.00", "alipay"), today + HOUR, AttemptState::Failed, None).await;

    let reasons = |compared: DayComparison| -> Vec<Reason> {
        compared
            .failures
            .into_iter()
            .map(|f| (f.gateway, f.code, f.message, f.today, f.yesterday))
            .collect()
    };
    let reason = |gateway: &str, code: Option<&str>, words: Option<&str>, today, yesterday| {
        (gateway.to_string(), code.map(String::from), words.map(String::from), today, yesterday)
    };
    assert_eq!(
        reasons(store.compare_days(days.clone(), 5).await.unwrap()),
        [
            // In the words of the latest.
            reason("sensecore", Some("FAILED_PRECONDITION"), Some("balance is not enough for 12.34"), 2, 0),
            reason("yian", Some("channel_error"), Some("渠道错误"), 1, 2),
            reason("sensecore", None, None, 1, 0),
        ]
    );
    assert_eq!(store.compare_days(days.clone(), 1).await.unwrap().failures.len(), 1);
    // The demo's payments are all sandbox ones, and its own.
    let demo = reasons(store.clone().for_demo().compare_days(days, 1).await.unwrap());
    assert_eq!(demo, [reason("sensecore", Some("FAILED_PRECONDITION"), Some("sandbox"), 5, 0)]);
}

async fn a_sandbox_profile_s_payments_are_never_money_in_the_day_compared(store) {
    add_profile(&store, "shop", "sensecore").await;
    add_sandbox_profile(&store, "sandbox-sensecore", "sensecore").await;
    let days = beijing_days();
    let at = days.today.start_ms + HOUR;
    paid_at(&store, "shop", ("S-1", "12.34", "balance"), at, AttemptState::Succeeded, None).await;
    paid_at(&store, "sandbox-sensecore", ("T-1", "99.00", "balance"), at, AttemptState::Succeeded, None).await;
    let today = |c: DayComparison| c.money.iter().map(|m| m.today.amount.clone()).collect::<Vec<_>>();
    assert_eq!(today(store.compare_days(days.clone(), 5).await.unwrap()), ["12.34"]);
    let compared = store.compare_days(days.clone(), 5).await.unwrap();
    assert_eq!(compared.gateways[0].today.succeeded, 1, "a sandbox's tests are not the shop's rate");
    assert_eq!(today(store.clone().for_demo().compare_days(days, 5).await.unwrap()), ["111.34"]);
}
}
