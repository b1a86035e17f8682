//! What the console and the command line read: the orders list and its search, one order's
//! history, support's lookup by any reference, the dashboard's sums and the attempt history.

use crate::console::{Activity, DailyTotal, LookupHit, OrderPage, OrderQuery, TakingsRow};
use crate::domain::{AttemptState, OrderView};
use crate::report::OrderDetail;
use crate::store::{HistoryFilter, HistoryRow, Store};
use crate::Channel;

use super::{AppError, Result};

/// Hits a lookup returns: a reference a customer quotes matches a handful of orders.
const LOOKUP_LIMIT: i64 = 50;

/// The newest orders, at most `limit`.
pub async fn newest_orders(store: &Store, limit: i64) -> Result<Vec<OrderView>> {
    Ok(store.orders(limit).await?)
}

/// One page of the orders list, filtered, searched and sorted as asked.
pub async fn query_orders(store: &Store, query: &OrderQuery) -> Result<OrderPage> {
    Ok(store.query_orders(query).await?)
}

/// An order with every attempt and its events.
pub async fn order_detail(store: &Store, order_no: &str) -> Result<OrderDetail> {
    let detail = store.order_detail(order_no).await?;
    // A shared desk keeps what it looked up for when its server is out of reach.
    store.keep_copy(&[order_no.to_string()]).await;
    Ok(detail)
}

/// The orders a reference names, best match first: an order number, a gateway's or the
/// customer's reference, an idempotency key, a pay URL, part of one (six characters or
/// more), or words of the subject.
pub async fn lookup(store: &Store, reference: &str) -> Result<Vec<LookupHit>> {
    Ok(store.lookup(reference, LOOKUP_LIMIT).await?)
}

/// The orders of an amount as a customer quotes it (`12.30`), added in `[since_ms,
/// until_ms)` (either end open), newest first.
pub async fn lookup_amount(
    store: &Store,
    amount: &str,
    since_ms: Option<i64>,
    until_ms: Option<i64>,
) -> Result<Vec<LookupHit>> {
    let readable =
        crate::Currency::known().any(|c| crate::Money::parse_positive(amount.trim(), c).is_ok());
    if !readable {
        // Read as yuan, the amount says what is wrong with it in the person's words.
        return Err(
            crate::Money::parse_positive(amount.trim(), crate::Currency::CNY)
                .err()
                .map(AppError::from)
                .unwrap_or_else(|| AppError::refused(format!("{amount:?} is not an amount"))),
        );
    }
    let (since, until) = (since_ms.unwrap_or(i64::MIN), until_ms.unwrap_or(i64::MAX));
    if since >= until {
        let (field, rule) = (
            paydesk_gateways::invalid::Field::TimeRange,
            paydesk_gateways::invalid::Rule::EndsBeforeStart,
        );
        return Err(paydesk_gateways::Invalid::new(field, rule).into());
    }
    Ok(store
        .lookup_amount(amount, since, until, LOOKUP_LIMIT)
        .await?)
}

/// A day (`YYYY-MM-DD`) on this computer's calendar, or an RFC 3339 time, as unix ms: the
/// day's first moment, or with `after_the_day` the first moment after it (so `--until` a day
/// takes in the whole day).
pub fn local_day_ms(text: &str, after_the_day: bool) -> Result<i64> {
    use chrono::{Days, Local, NaiveDate, TimeZone};
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(time.timestamp_millis());
    }
    let refused = || {
        AppError::refused(format!(
            "{text:?} must be a date (YYYY-MM-DD) or an RFC 3339 time"
        ))
    };
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| refused())?;
    let day = if after_the_day {
        day.checked_add_days(Days::new(1)).ok_or_else(refused)?
    } else {
        day
    };
    // A midnight a clock change skips starts the day at its first moment that exists.
    let start = day.and_hms_opt(0, 0, 0).expect("midnight");
    Local
        .from_local_datetime(&start)
        .earliest()
        .or_else(|| {
            Local
                .from_local_datetime(&(start + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
        .ok_or_else(refused)
}

/// Money taken since the time given (unix ms), by currency and channel.
pub async fn takings(store: &Store, since_ms: i64) -> Result<Vec<TakingsRow>> {
    Ok(store.takings(since_ms).await?)
}

/// The longest stretch of days the dashboard sums at once.
const MAX_DAYS: i64 = 92;

/// What was paid each of the `days` days up to and including the one `now_ms` falls in, on a
/// calendar `offset_minutes` ahead of UTC (the window's), by currency and direction.
pub async fn daily_totals(
    store: &Store,
    days: i64,
    now_ms: i64,
    offset_minutes: i64,
) -> Result<Vec<DailyTotal>> {
    if !(1..=MAX_DAYS).contains(&days) || offset_minutes.abs() > 14 * 60 {
        return Err(AppError::refused(format!(
            "daily totals cover 1 to {MAX_DAYS} days at an offset of at most 14 hours"
        )));
    }
    const DAY_MS: i64 = 86_400_000;
    let offset_ms = offset_minutes * 60_000;
    let today = (now_ms + offset_ms).div_euclid(DAY_MS);
    let since = (today - days + 1) * DAY_MS - offset_ms;
    let until = (today + 1) * DAY_MS - offset_ms;
    Ok(store.daily_totals(since, until, offset_ms).await?)
}

/// The desks that took orders' latest payments, by name.
pub async fn desks(store: &Store) -> Result<Vec<String>> {
    Ok(store.desks().await?)
}

/// What is open now: payments waiting, unknown or needing a person.
pub async fn activity(store: &Store) -> Result<Activity> {
    Ok(store.activity().await?)
}

/// The attempt history's filters as typed: a state's name, a channel's name, a profile, and a
/// day (`YYYY-MM-DD`, from its midnight UTC) or an RFC 3339 time.
#[derive(Debug, Clone, Default)]
pub struct HistoryInput {
    pub state: Option<String>,
    pub channel: Option<String>,
    pub profile: Option<String>,
    pub since: Option<String>,
}

/// Every attempt the filters keep, oldest first.
pub async fn history(store: &Store, input: HistoryInput) -> Result<Vec<HistoryRow>> {
    let filter = HistoryFilter {
        state: input
            .state
            .map(|s| {
                AttemptState::parse(s.trim())
                    .ok_or_else(|| AppError::refused(format!("unknown state {s:?}")))
            })
            .transpose()?,
        channel: input
            .channel
            .map(|c| {
                Channel::parse(c.trim())
                    .map(|c| c.as_str().to_string())
                    .ok_or_else(|| AppError::refused(format!("unknown channel {c:?}")))
            })
            .transpose()?,
        profile: input.profile,
        since_ms: input.since.map(|s| since_ms(&s)).transpose()?,
        limit: None,
    };
    Ok(store.history(&filter).await?)
}

fn since_ms(text: &str) -> Result<i64> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(time.timestamp_millis());
    }
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp_millis()
        })
        .map_err(|_| {
            AppError::refused(format!(
                "since {text:?} must be a date (YYYY-MM-DD) or an RFC 3339 time"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_s_day_is_this_computer_s_day_and_until_takes_it_whole() {
        let start = local_day_ms("2026-03-01", false).unwrap();
        let after = local_day_ms("2026-03-01", true).unwrap();
        assert_eq!(after - start, 86_400_000);
        assert_eq!(local_day_ms("1970-01-01T00:00:01Z", true).unwrap(), 1_000);
        assert!(local_day_ms("1 March", false).is_err());
    }

    #[test]
    fn since_takes_a_day_or_a_time_and_refuses_anything_else() {
        assert_eq!(since_ms("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(since_ms(" 1970-01-01T00:00:01Z ").unwrap(), 1_000);
        let refused = since_ms("yesterday").unwrap_err();
        assert!(refused.to_string().contains("\"yesterday\""), "{refused}");
    }
}
