//! What the console and the command line read: the orders list and its search, one order's
//! history, support's lookup by any reference, the dashboard's sums and the attempt history.

use crate::console::{Activity, DailyTotal, LookupHit, OrderPage, OrderQuery, TakingsRow};
use crate::domain::{AttemptState, OrderView};
use crate::personal_data;
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

/// An order with every attempt and its events, the customers' personal data in the gateways'
/// answers hidden ([`crate::app::audit::order_detail_shown`] shows it).
pub async fn order_detail(store: &Store, order_no: &str) -> Result<OrderDetail> {
    let detail = store.order_detail(order_no).await?;
    // A shared desk keeps what it looked up for when its server is out of reach.
    store.keep_copy(&[order_no.to_string()]).await;
    Ok(personal_data::hidden(detail))
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

/// Money taken since the time given (unix ms), by currency and channel.
pub async fn takings(store: &Store, since_ms: i64) -> Result<Vec<TakingsRow>> {
    Ok(store.takings(since_ms).await?)
}

/// The longest stretch of days the dashboard sums at once.
const MAX_DAYS: i64 = 92;

/// What was paid each of the `days` days up to and including the one `now_ms` falls in, on
/// the merchant's calendar (its offset from UTC at `now_ms`), by currency and direction.
pub async fn daily_totals(store: &Store, days: i64, now_ms: i64) -> Result<Vec<DailyTotal>> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::refused(format!(
            "daily totals cover 1 to {MAX_DAYS} days"
        )));
    }
    const DAY_MS: i64 = 86_400_000;
    let offset_ms = super::merchant::zone(store)
        .await?
        .offset_minutes_at(now_ms)
        * 60_000;
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
    // A profile that does not exist is named as such, not answered with no payments.
    if let Some(profile) = &input.profile {
        store.profile(profile).await?;
    }
    let shown = crate::input_rules::shown;
    let filter = HistoryFilter {
        state: input
            .state
            .map(|s| {
                AttemptState::parse(s.trim())
                    .ok_or_else(|| AppError::refused(format!("unknown state {}", shown(&s))))
            })
            .transpose()?,
        channel: input
            .channel
            .map(|c| {
                Channel::parse(c.trim())
                    .map(|c| c.as_str().to_string())
                    .ok_or_else(|| AppError::refused(format!("unknown channel {}", shown(&c))))
            })
            .transpose()?,
        profile: input.profile,
        since_ms: match input.since {
            Some(since) => Some(super::merchant::moment(store, &since, false).await?),
            None => None,
        },
        limit: None,
    };
    Ok(store.history(&filter).await?)
}
