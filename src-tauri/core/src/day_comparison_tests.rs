//! The manager's day as tables: which days are compared, where "by this time" ends, and what
//! the comparison makes of each day's attempts. A table's row is written as one line of text
//! (read by the helpers below), so that a table reads as one.

use chrono::FixedOffset;

use super::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// Unix ms of a UTC time written `YYYY-MM-DDTHH:MM`.
fn utc(text: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

fn hours_east(hours: i32) -> FixedOffset {
    FixedOffset::east_opt(hours * 3600).unwrap()
}

#[test]
fn today_yesterday_and_last_week_are_days_on_the_calendar_passed_in() {
    // "offset now: today yesterday last-week from today's first moment in UTC"
    let cases = [
        // Just past midnight in Beijing is still the day before in UTC.
        "+8 2026-12-04T16:30: 2026-12-05 2026-12-04 2026-11-28 from 2026-12-04T16:00",
        "+0 2026-12-04T16:30: 2026-12-04 2026-12-03 2026-11-27 from 2026-12-04T00:00",
        // Behind UTC: the evening in New York is the next day in UTC.
        "-5 2026-12-05T03:00: 2026-12-04 2026-12-03 2026-11-27 from 2026-12-04T05:00",
        // A week back crosses the start of the month and the year.
        "+8 2027-01-03T02:00: 2027-01-03 2027-01-02 2026-12-27 from 2027-01-02T16:00",
        // The last moment of a day is still that day.
        "+8 2026-12-05T15:59: 2026-12-05 2026-12-04 2026-11-28 from 2026-12-04T16:00",
    ];
    for case in cases {
        let words: Vec<&str> = case.split_whitespace().collect();
        let calendar = hours_east(words[0].parse().unwrap());
        let now = utc(words[1].trim_end_matches(':'));
        let days = ComparedDays::around(&calendar, now).unwrap();
        let dates = [&days.today, &days.yesterday, &days.last_week].map(|d| d.date.as_str());
        assert_eq!(dates, [words[2], words[3], words[4]], "{case}");
        assert_eq!(days.today.start_ms, utc(words[6]), "{case}");
        for day in [&days.today, &days.yesterday, &days.last_week] {
            assert_eq!(day.end_ms - day.start_ms, DAY, "{case}: {day:?}");
        }
        assert_eq!(days.yesterday.end_ms, days.today.start_ms);
        assert_eq!(days.today.start_ms - days.last_week.start_ms, 7 * DAY);
        assert!(days.today.start_ms <= now && now < days.today.end_ms);
    }
}

#[test]
fn by_this_time_is_as_far_into_each_earlier_day_as_now_is_into_today() {
    let beijing = hours_east(8);
    // (now, how far into the earlier days "by this time" reaches)
    let cases = [
        ("2026-12-04T16:00", 0),
        ("2026-12-05T02:30", 10 * HOUR + 30 * 60_000),
        ("2026-12-05T15:59", DAY - 60_000),
    ];
    for (now, into) in cases {
        let days = ComparedDays::around(&beijing, utc(now)).unwrap();
        let yesterday = days.yesterday.start_ms + into;
        assert_eq!(days.by_this_time(Day::Yesterday), yesterday, "{now}");
        let last_week = days.last_week.start_ms + into;
        assert_eq!(days.by_this_time(Day::LastWeek), last_week, "{now}");
        // Today counts to its end: nothing a desk's clock dates ahead of the window is lost.
        assert_eq!(days.by_this_time(Day::Today), days.today.end_ms, "{now}");
    }
}

fn days() -> ComparedDays {
    ComparedDays::around(&hours_east(8), utc("2026-12-05T02:00")).unwrap()
}

/// Attempts written `"day gateway channel state currency count charged_minor"`, the day being
/// `today`, or `yesterday` and `last-week` with `<` (started by this time) or `>` (after).
fn attempts(rows: &[&str]) -> Vec<DayAttempts> {
    rows.iter()
        .map(|row| {
            let w: Vec<&str> = row.split_whitespace().collect();
            let (day, by_this_time) = match w[0] {
                "today" => (Day::Today, true),
                "yesterday<" => (Day::Yesterday, true),
                "yesterday>" => (Day::Yesterday, false),
                "last-week<" => (Day::LastWeek, true),
                "last-week>" => (Day::LastWeek, false),
                other => panic!("no day {other}"),
            };
            DayAttempts {
                day,
                by_this_time,
                gateway: w[1].into(),
                channel: w[2].into(),
                state: AttemptState::parse(w[3]).unwrap(),
                currency: w[4].into(),
                count: w[5].parse().unwrap(),
                charged_minor: w[6].parse().unwrap(),
            }
        })
        .collect()
}

/// `"count amount"` of a tally.
fn said(t: &Tally) -> String {
    format!("{} {}", t.count, t.amount)
}

#[test]
fn money_is_paid_payments_per_currency_and_direction_today_against_the_earlier_days() {
    let attempts = attempts(&[
        "today sensecore alipay succeeded CNY 2 2468",
        "today yian wechat succeeded CNY 1 1000",
        // Not paid: no money, whatever it asked.
        "today sensecore alipay failed CNY 5 99999",
        "today sensecore alipay pending CNY 1 5000",
        "yesterday< sensecore balance succeeded CNY 3 3000",
        "yesterday> sensecore balance succeeded CNY 4 40000",
        "last-week> sensecore balance succeeded CNY 1 700",
        // Rupees taken in and rupees paid out: two lines, never one sum.
        "today yian alipay succeeded INR 1 12300",
        "today debit bank succeeded INR 2 50000",
        "last-week< debit bank succeeded INR 1 10000",
    ]);
    let compared = compare(days(), &attempts, &[], 5);
    let seen: Vec<String> = compared
        .money
        .iter()
        .map(|m| {
            let direction = if m.pays_out { "out" } else { "in" };
            let (y, w) = (&m.yesterday, &m.last_week);
            format!(
                "{} {direction}: today {}; yesterday {} of {}; last week {} of {}",
                m.currency,
                said(&m.today),
                said(&y.by_this_time),
                said(&y.whole_day),
                said(&w.by_this_time),
                said(&w.whole_day)
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            "CNY in: today 3 34.68; yesterday 3 30.00 of 7 430.00; last week 0 0.00 of 1 7.00",
            "INR in: today 1 123.00; yesterday 0 0.00 of 0 0.00; last week 0 0.00 of 0 0.00",
            "INR out: today 2 500.00; yesterday 0 0.00 of 0 0.00; last week 1 100.00 of 1 100.00",
        ]
    );
    assert_eq!(
        compared.money[0].today.amount_minor, 3_468,
        "exact minor units"
    );
}

/// `"name: succeeded/failed/open today, yesterday, last week"`.
fn outcomes(rows: &[RateCompared]) -> Vec<String> {
    let o = |o: &Outcomes| format!("{}/{}/{}", o.succeeded, o.failed, o.open);
    rows.iter()
        .map(|r| {
            let days = [&r.today, &r.yesterday, &r.last_week].map(o);
            format!("{}: {}", r.name, days.join(", "))
        })
        .collect()
}

#[test]
fn each_gateway_and_channel_counts_what_succeeded_failed_and_is_still_open_each_day() {
    let attempts = attempts(&[
        "today sensecore alipay succeeded CNY 8 800",
        "today sensecore alipay failed CNY 2 200",
        "today sensecore balance pending CNY 1 100",
        "today yian alipay unknown CNY 1 100",
        "today yian alipay needs_review CNY 1 100",
        "today yian alipay created CNY 1 100",
        "today yian alipay submitting CNY 1 100",
        "yesterday< yian alipay succeeded CNY 1 100",
        "yesterday> yian alipay failed CNY 3 300",
        "last-week> debit bank succeeded INR 4 400",
    ]);
    let compared = compare(days(), &attempts, &[], 5);
    assert_eq!(
        outcomes(&compared.gateways),
        [
            "debit: 0/0/0, 0/0/0, 4/0/0",
            "sensecore: 8/2/1, 0/0/0, 0/0/0",
            "yian: 0/0/4, 1/3/0, 0/0/0",
        ]
    );
    assert_eq!(
        outcomes(&compared.channels),
        [
            "alipay: 8/2/4, 1/3/0, 0/0/0",
            "balance: 0/0/1, 0/0/0, 0/0/0",
            "bank: 0/0/0, 0/0/0, 4/0/0",
        ]
    );
}

/// Failures written `"day gateway code count: words"` (`-` for no code).
fn failures(rows: &[&str]) -> Vec<DayFailures> {
    rows.iter()
        .map(|row| {
            let (head, words) = row.split_once(": ").unwrap();
            let w: Vec<&str> = head.split_whitespace().collect();
            DayFailures {
                day: match w[0] {
                    "today" => Day::Today,
                    "yesterday" => Day::Yesterday,
                    "last-week" => Day::LastWeek,
                    other => panic!("no day {other}"),
                },
                gateway: w[1].into(),
                code: (w[2] != "-").then(|| w[2].into()),
                message: Some(words.into()),
                count: w[3].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn the_top_failure_reasons_are_each_gateway_s_codes_most_frequent_today_first() {
    let failures = failures(&[
        "last-week yian channel_error 9: 渠道错误 (last week)",
        "yesterday yian channel_error 2: 渠道错误",
        "today sensecore FAILED_PRECONDITION 3: balance is not enough",
        // The same code from another gateway is another reason.
        "today top FAILED_PRECONDITION 1: credit limit",
        "yesterday sensecore FAILED_PRECONDITION 5: balance was not enough",
        "today partner -4 3: 订单已过期",
        "yesterday debit - 1: decided by a person",
    ]);
    // "gateway code: words (today, yesterday, last week)"
    let reasons = |top| -> Vec<String> {
        compare(days(), &[], &failures, top)
            .failures
            .into_iter()
            .map(|f| {
                let code = f.code.as_deref().unwrap_or("-");
                let words = f.message.as_deref().unwrap_or("");
                let counts = (f.today, f.yesterday, f.last_week);
                format!("{} {code}: {words} {counts:?}", f.gateway)
            })
            .collect()
    };
    assert_eq!(
        reasons(10),
        [
            // Equal today: yesterday's count decides; the words are today's.
            "sensecore FAILED_PRECONDITION: balance is not enough (3, 5, 0)",
            "partner -4: 订单已过期 (3, 0, 0)",
            "top FAILED_PRECONDITION: credit limit (1, 0, 0)",
            // None today: yesterday's, in yesterday's words.
            "yian channel_error: 渠道错误 (0, 2, 9)",
            "debit -: decided by a person (0, 1, 0)",
        ]
    );
    assert_eq!(reasons(2).len(), 2);
    assert_eq!(reasons(0), Vec::<String>::new());
}
