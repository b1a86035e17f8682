//! GMT+8, the clock Chinese gateways write their timestamps in whatever the machine's zone.

use chrono::{DateTime, FixedOffset, Utc};

fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("eight hours is a valid offset")
}

/// `yyyy-MM-dd HH:mm:ss` in GMT+8.
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.with_timezone(&offset())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
