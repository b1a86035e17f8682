//! The dashboard's totals: takings by channel, state and currency, what is still open, and the
//! manager's day compared ([`crate::day_comparison`] decides it from the attempts read here);
//! the SQL is [`crate::store`]'s `journal::console`.

use std::collections::BTreeMap;

use paydesk_gateways::Currency;

use super::{corrupt, decimal, Activity, DailyTotal, TakingsRow};
use crate::day_comparison::{self, ComparedDays, Day, DayAttempts, DayComparison, DayFailures};
use crate::domain::AttemptState;
use crate::store::{Result, Store};

impl Store {
    /// Attempts started at or after `since_ms`, summed by direction (taken in or paid out),
    /// channel, state and currency.
    pub async fn takings(&self, since_ms: i64) -> Result<Vec<TakingsRow>> {
        let mut sums: BTreeMap<(bool, String, String, String), (i64, i64)> = BTreeMap::new();
        for (gateway, channel, state, currency, count, total) in self.takings_rows(since_ms).await?
        {
            let pays_out = paydesk_gateways::pays_out(&gateway);
            let sum = sums
                .entry((pays_out, channel, state, currency))
                .or_default();
            sum.0 += count;
            sum.1 += total;
        }
        sums.into_iter()
            .map(
                |((pays_out, channel, state, currency_code), (count, total))| {
                    let currency = Currency::parse(&currency_code).map_err(corrupt)?;
                    Ok(TakingsRow {
                        pays_out,
                        channel,
                        state: AttemptState::parse(&state).ok_or_else(|| corrupt(&state))?,
                        currency: currency_code,
                        count,
                        amount_minor: total,
                        amount: decimal(total, currency),
                    })
                },
            )
            .collect()
    }

    /// What was paid each day of `[since_ms, until_ms)`, on a calendar `offset_ms` ahead of
    /// UTC, by currency and direction; days with nothing paid are left out.
    pub async fn daily_totals(
        &self,
        since_ms: i64,
        until_ms: i64,
        offset_ms: i64,
    ) -> Result<Vec<DailyTotal>> {
        const DAY_MS: i64 = 86_400_000;
        let mut sums: BTreeMap<(i64, bool, String), (i64, i64)> = BTreeMap::new();
        for (gateway, currency, day, count, total) in
            self.daily_rows(since_ms, until_ms, offset_ms).await?
        {
            let pays_out = paydesk_gateways::pays_out(&gateway);
            let sum = sums.entry((day, pays_out, currency)).or_default();
            sum.0 += count;
            sum.1 += total;
        }
        sums.into_iter()
            .map(|((day, pays_out, currency_code), (count, total))| {
                let currency = Currency::parse(&currency_code).map_err(corrupt)?;
                let date = chrono::DateTime::from_timestamp_millis(day * DAY_MS)
                    .ok_or_else(|| corrupt(format!("day {day}")))?
                    .date_naive();
                Ok(DailyTotal {
                    day: date.format("%Y-%m-%d").to_string(),
                    day_start_ms: day * DAY_MS - offset_ms,
                    pays_out,
                    currency: currency_code,
                    count,
                    amount_minor: total,
                    amount: decimal(total, currency),
                })
            })
            .collect()
    }

    /// Today against yesterday and the same day last week, with the `top` failure reasons:
    /// each day's attempts read by its own bounds, the comparison decided by
    /// [`day_comparison::compare`]. Sandbox payments are left out of the live data.
    pub async fn compare_days(&self, days: ComparedDays, top: usize) -> Result<DayComparison> {
        let (mut attempts, mut failures) = (Vec::new(), Vec::new());
        for which in Day::ALL {
            let day = days.day(which);
            let cut = days.by_this_time(which);
            for (gateway, channel, state, currency, by_this_time, count, charged_minor) in
                self.day_attempt_rows(day.start_ms, cut, day.end_ms).await?
            {
                attempts.push(DayAttempts {
                    day: which,
                    by_this_time,
                    gateway,
                    channel,
                    state: AttemptState::parse(&state).ok_or_else(|| corrupt(&state))?,
                    currency,
                    count,
                    charged_minor,
                });
            }
            for (gateway, code, count, message) in
                self.day_failure_rows(day.start_ms, day.end_ms).await?
            {
                failures.push(DayFailures {
                    day: which,
                    gateway,
                    code,
                    message,
                    count,
                });
            }
        }
        Ok(day_comparison::compare(days, &attempts, &failures, top))
    }

    pub async fn activity(&self) -> Result<Activity> {
        // Only the gateways this store has a profile of: with none, the count of payments
        // waiting on them need not walk every pending attempt's order (the window asks for
        // this as soon as its first screen is in).
        let profiles = self.profiles().await?;
        let unasked: Vec<&str> = paydesk_gateways::GATEWAYS
            .iter()
            .copied()
            .filter(|g| {
                paydesk_gateways::connector_for(g).is_some_and(|c| !c.capabilities().status_query)
                    && profiles.iter().any(|p| p.gateway == *g)
            })
            .collect();
        let (open, needs_review, unasked) = self.activity_counts(&unasked).await?;
        Ok(Activity {
            in_flight: open - unasked,
            unasked,
            needs_review,
        })
    }
}
