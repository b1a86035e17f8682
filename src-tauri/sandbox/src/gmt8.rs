//! GMT+8, the clock the Chinese gateways write their times in: TOP's `timestamp`, the
//! partner's `order_time`, Alipay's `it_b_pay`.

use chrono::{DateTime, FixedOffset, NaiveDateTime};

/// How the gateways write a time of day: `yyyy-MM-dd HH:mm:ss`.
pub(crate) const DATE_TIME: &str = "%Y-%m-%d %H:%M:%S";

fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("eight hours is a valid offset")
}

/// Unix milliseconds in GMT+8 (the epoch for a value out of range).
pub(crate) fn at_millis(ms: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&offset())
}

/// Unix seconds in GMT+8 (the epoch for a value out of range).
pub(crate) fn at_seconds(unix: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&offset())
}

/// A [`DATE_TIME`] in GMT+8 as unix milliseconds, or `None` when it is not one.
pub(crate) fn parse_millis(text: &str) -> Option<i64> {
    let naive = NaiveDateTime::parse_from_str(text, DATE_TIME).ok()?;
    naive
        .and_local_timezone(offset())
        .single()
        .map(|t| t.timestamp_millis())
}
