//! What the console and the command line read: the orders list and its search, one order's
//! history, support's lookup by any reference, the dashboard's sums and the attempt history.

use crate::console::{Activity, LookupHit, OrderPage, OrderQuery, TakingsRow};
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

/// The orders a reference names: an order number, a gateway's reference or an idempotency key.
pub async fn lookup(store: &Store, reference: &str) -> Result<Vec<LookupHit>> {
    Ok(store.lookup(reference, LOOKUP_LIMIT).await?)
}

/// Money taken since the time given (unix ms), by currency and channel.
pub async fn takings(store: &Store, since_ms: i64) -> Result<Vec<TakingsRow>> {
    Ok(store.takings(since_ms).await?)
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
    fn since_takes_a_day_or_a_time_and_refuses_anything_else() {
        assert_eq!(since_ms("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(since_ms(" 1970-01-01T00:00:01Z ").unwrap(), 1_000);
        let refused = since_ms("yesterday").unwrap_err();
        assert!(refused.to_string().contains("\"yesterday\""), "{refused}");
    }
}
