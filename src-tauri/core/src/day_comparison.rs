//! The manager's day, decided with no I/O: today against yesterday and the same day last week.
//! Money taken in and paid out apart, per currency, in exact minor units: today so far,
//! and each earlier day both by this time of day and whole. How often each gateway and each
//! channel succeeded (as counts: the window makes the percentage). The failures that came back
//! most, in the gateways' own codes and words.
//!
//! Which days those are is [`ComparedDays::around`]'s to say, from a calendar and the time,
//! both passed in; the store reads each day's attempts ([`crate::console`]), and [`compare`]
//! decides the rest from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone};
use serde::Serialize;
use ts_rs::TS;

use crate::domain::AttemptState;

/// One day on the calendar the dashboard counts by: `[start_ms, end_ms)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CalendarDay {
    /// The day on that calendar, `YYYY-MM-DD`.
    pub date: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The three days compared, and the time they were compared at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ComparedDays {
    pub today: CalendarDay,
    pub yesterday: CalendarDay,
    /// The same weekday a week before today.
    pub last_week: CalendarDay,
    pub now_ms: i64,
}

/// Which of the compared days a row of attempts belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Day {
    Today,
    Yesterday,
    LastWeek,
}

impl Day {
    pub const ALL: [Day; 3] = [Day::Today, Day::Yesterday, Day::LastWeek];
}

impl ComparedDays {
    /// Today (the day `now_ms` falls in on `calendar`), yesterday and the same weekday last
    /// week. Each day runs from its midnight to the next on that calendar, so a day a clock
    /// change shortens or lengthens is counted as the calendar has it; a midnight the clock
    /// skips starts the day at its first moment that exists. `None` for a time no calendar
    /// date holds.
    ///
    /// The one place days are drawn: the window's offset from UTC today, a merchant's own
    /// time zone (any [`TimeZone`]) once there is one.
    pub fn around<Tz: TimeZone>(calendar: &Tz, now_ms: i64) -> Option<ComparedDays> {
        let today = DateTime::from_timestamp_millis(now_ms)?
            .with_timezone(calendar)
            .date_naive();
        let day = |date: NaiveDate| -> Option<CalendarDay> {
            Some(CalendarDay {
                date: date.format("%Y-%m-%d").to_string(),
                start_ms: midnight(calendar, date)?,
                end_ms: midnight(calendar, date.succ_opt()?)?,
            })
        };
        Some(ComparedDays {
            today: day(today)?,
            yesterday: day(today.pred_opt()?)?,
            last_week: day(today.checked_sub_days(chrono::Days::new(7))?)?,
            now_ms,
        })
    }

    pub fn day(&self, which: Day) -> &CalendarDay {
        match which {
            Day::Today => &self.today,
            Day::Yesterday => &self.yesterday,
            Day::LastWeek => &self.last_week,
        }
    }

    /// Where "by this time" ends on `which`: as far into that day as now is into today (the
    /// whole day once it is shorter than that). Today's is its end, so a payment a desk's
    /// clock dates a little ahead of the window's still counts.
    pub fn by_this_time(&self, which: Day) -> i64 {
        let day = self.day(which);
        if which == Day::Today {
            return day.end_ms;
        }
        let into_today = (self.now_ms - self.today.start_ms).max(0);
        day.start_ms.saturating_add(into_today).min(day.end_ms)
    }
}

/// The first moment of `date` on `calendar`.
fn midnight<Tz: TimeZone>(calendar: &Tz, date: NaiveDate) -> Option<i64> {
    let start = date.and_hms_opt(0, 0, 0)?;
    calendar
        .from_local_datetime(&start)
        .earliest()
        .or_else(|| {
            calendar
                .from_local_datetime(&(start + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
}

/// Attempts of one day started before (or from) its "by this time", of one gateway, channel,
/// state and currency, as the store sums them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayAttempts {
    pub day: Day,
    pub by_this_time: bool,
    pub gateway: String,
    pub channel: String,
    pub state: AttemptState,
    pub currency: String,
    pub count: i64,
    /// What they came to, charged (after the gateway's own deduction where it took one).
    pub charged_minor: i64,
}

/// One day's failed attempts of one gateway with one code: how many, and the words of the
/// latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFailures {
    pub day: Day,
    pub gateway: String,
    /// The gateway's code as it sent it; none where nothing named one.
    pub code: Option<String>,
    pub message: Option<String>,
    pub count: i64,
}

/// Paid payments and what they came to, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Tally {
    pub count: i64,
    pub amount_minor: i64,
    pub amount: String,
}

/// An earlier day's paid payments: up to this time of day, and the whole day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EarlierDay {
    pub by_this_time: Tally,
    pub whole_day: Tally,
}

/// What was paid in one currency and direction, today against the earlier days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MoneyCompared {
    pub currency: String,
    /// Money paid out (payouts), never added to money taken in.
    pub pays_out: bool,
    pub today: Tally,
    pub yesterday: EarlierDay,
    pub last_week: EarlierDay,
}

/// How a day's attempts ended: paid, refused, or not settled yet (waiting, unknown, with a
/// person).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct Outcomes {
    pub succeeded: i64,
    pub failed: i64,
    pub open: i64,
}

/// One gateway's or one channel's outcomes each day (today so far, the others whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RateCompared {
    /// The gateway's id or the channel's name.
    pub name: String,
    pub today: Outcomes,
    pub yesterday: Outcomes,
    pub last_week: Outcomes,
}

/// A reason payments failed: a gateway's code, its words (the latest failure's), and how
/// often each day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FailureReason {
    pub gateway: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub today: i64,
    pub yesterday: i64,
    pub last_week: i64,
}

/// The day compared: what the manager's dashboard shows of the payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DayComparison {
    pub days: ComparedDays,
    pub money: Vec<MoneyCompared>,
    pub gateways: Vec<RateCompared>,
    pub channels: Vec<RateCompared>,
    /// The most frequent first: today's count, then yesterday's, then last week's.
    pub failures: Vec<FailureReason>,
}

/// The comparison of `days` from their attempts and failures (any order), with the `top`
/// failure reasons. Only paid payments are money; every attempt counts towards its gateway's
/// and channel's outcomes.
pub fn compare(
    days: ComparedDays,
    attempts: &[DayAttempts],
    failures: &[DayFailures],
    top: usize,
) -> DayComparison {
    DayComparison {
        money: money(attempts),
        gateways: rates(attempts, |a| &a.gateway),
        channels: rates(attempts, |a| &a.channel),
        failures: top_failures(failures, top),
        days,
    }
}

#[derive(Default)]
struct Sum {
    count: i64,
    minor: i64,
}

impl Sum {
    fn add(&mut self, other: &Sum) {
        self.count += other.count;
        self.minor += other.minor;
    }

    fn tally(&self, currency: &str) -> Tally {
        Tally {
            count: self.count,
            amount_minor: self.minor,
            amount: crate::domain::amount_in(self.minor, currency),
        }
    }
}

fn money(attempts: &[DayAttempts]) -> Vec<MoneyCompared> {
    // (today, yesterday by this time, yesterday after it, last week by this time, after it)
    let mut sums: BTreeMap<(String, bool), [Sum; 5]> = BTreeMap::new();
    for a in attempts
        .iter()
        .filter(|a| a.state == AttemptState::Succeeded)
    {
        let slot = match (a.day, a.by_this_time) {
            (Day::Today, _) => 0,
            (Day::Yesterday, true) => 1,
            (Day::Yesterday, false) => 2,
            (Day::LastWeek, true) => 3,
            (Day::LastWeek, false) => 4,
        };
        let key = (a.currency.clone(), paydesk_gateways::pays_out(&a.gateway));
        let sum = &mut sums.entry(key).or_default()[slot];
        sum.count += a.count;
        sum.minor += a.charged_minor;
    }
    sums.into_iter()
        .map(
            |((currency, pays_out), [today, y_by, y_after, w_by, w_after])| {
                let earlier = |by: Sum, after: Sum| {
                    let mut whole = Sum::default();
                    whole.add(&by);
                    whole.add(&after);
                    EarlierDay {
                        by_this_time: by.tally(&currency),
                        whole_day: whole.tally(&currency),
                    }
                };
                MoneyCompared {
                    today: today.tally(&currency),
                    yesterday: earlier(y_by, y_after),
                    last_week: earlier(w_by, w_after),
                    currency,
                    pays_out,
                }
            },
        )
        .collect()
}

fn rates(attempts: &[DayAttempts], name: impl Fn(&DayAttempts) -> &String) -> Vec<RateCompared> {
    let mut by_name: BTreeMap<&String, [Outcomes; 3]> = BTreeMap::new();
    for a in attempts {
        let day = &mut by_name.entry(name(a)).or_default()[a.day as usize];
        match a.state {
            AttemptState::Succeeded => day.succeeded += a.count,
            AttemptState::Failed => day.failed += a.count,
            AttemptState::Created
            | AttemptState::Submitting
            | AttemptState::Pending
            | AttemptState::Unknown
            | AttemptState::NeedsReview => day.open += a.count,
        }
    }
    by_name
        .into_iter()
        .map(|(name, [today, yesterday, last_week])| RateCompared {
            name: name.clone(),
            today,
            yesterday,
            last_week,
        })
        .collect()
}

fn top_failures(failures: &[DayFailures], top: usize) -> Vec<FailureReason> {
    let mut reasons: BTreeMap<(&String, &Option<String>), FailureReason> = BTreeMap::new();
    // Today's words first: a reason is said as it was said most lately.
    let mut latest_first: Vec<&DayFailures> = failures.iter().collect();
    latest_first.sort_by_key(|f| f.day);
    for f in latest_first {
        let reason = reasons
            .entry((&f.gateway, &f.code))
            .or_insert_with(|| FailureReason {
                gateway: f.gateway.clone(),
                code: f.code.clone(),
                message: None,
                today: 0,
                yesterday: 0,
                last_week: 0,
            });
        if reason.message.is_none() {
            reason.message.clone_from(&f.message);
        }
        match f.day {
            Day::Today => reason.today += f.count,
            Day::Yesterday => reason.yesterday += f.count,
            Day::LastWeek => reason.last_week += f.count,
        }
    }
    let mut ranked: Vec<FailureReason> = reasons.into_values().collect();
    // Stable: among equal counts, by gateway and code.
    ranked.sort_by(|a, b| {
        (b.today, b.yesterday, b.last_week).cmp(&(a.today, a.yesterday, a.last_week))
    });
    ranked.truncate(top);
    ranked
}

#[cfg(test)]
#[path = "day_comparison_tests.rs"]
mod tests;
