//! The manager's dashboard: today against yesterday and the same day last week, each gateway's
//! and channel's outcomes, the top failure reasons, and this desk's open shift so far.

use chrono::FixedOffset;
use serde::Serialize;
use ts_rs::TS;

use crate::day_comparison::{ComparedDays, DayComparison};
use crate::shifts::ShiftReport;
use crate::store::Store;

use super::{AppError, Result};

/// How many failure reasons the dashboard names: the few worth a manager's call to a gateway.
const TOP_FAILURES: usize = 5;

/// What the manager reads: the day compared, and this desk's open shift's running report (none
/// when no shift is open).
#[derive(Debug, Clone, Serialize, TS)]
pub struct ManagerDay {
    pub compared: DayComparison,
    pub open_shift: Option<ShiftReport>,
}

/// The days compared at `now_ms`, on a calendar `offset_minutes` ahead of UTC (the window's,
/// as the daily totals count). The one place the dashboard's days come from: a merchant's time
/// zone replaces the offset here.
pub fn compared_days(now_ms: i64, offset_minutes: i64) -> Result<ComparedDays> {
    let refused = || {
        AppError::refused(format!(
            "the days compared need a time and an offset of at most 14 hours, not {now_ms} at {offset_minutes} minutes"
        ))
    };
    let seconds = i32::try_from(offset_minutes * 60).map_err(|_| refused())?;
    let calendar = FixedOffset::east_opt(seconds)
        .filter(|_| offset_minutes.abs() <= 14 * 60)
        .ok_or_else(refused)?;
    ComparedDays::around(&calendar, now_ms).ok_or_else(refused)
}

/// The manager's dashboard at `now_ms` on the window's calendar.
pub async fn manager_day(store: &Store, now_ms: i64, offset_minutes: i64) -> Result<ManagerDay> {
    let days = compared_days(now_ms, offset_minutes)?;
    let compared = store.compare_days(days, TOP_FAILURES).await?;
    let open_shift = match store.open_shift().await? {
        Some(shift) => Some(super::shifts::report_of(store, shift).await?),
        None => None,
    };
    Ok(ManagerDay {
        compared,
        open_shift,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{add_profile, temp_store};

    #[test]
    fn an_offset_beyond_fourteen_hours_or_a_time_past_the_calendar_is_refused() {
        let now = 1_765_000_000_000;
        for (now_ms, offset) in [
            (now, 15 * 60),
            (now, -15 * 60),
            (now, i64::MAX / 60),
            (i64::MAX, 0),
        ] {
            assert!(
                compared_days(now_ms, offset).is_err(),
                "{now_ms} at {offset}"
            );
        }
        for offset in [0, 8 * 60, -5 * 60, 14 * 60, 5 * 60 + 45] {
            let days = compared_days(now, offset).unwrap();
            assert!(
                days.today.start_ms <= now && now < days.today.end_ms,
                "{offset}"
            );
        }
    }

    #[tokio::test]
    async fn the_open_shift_s_running_report_comes_with_the_day_and_none_without_one() {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "shop", "sensecore").await;
        let now = store.now().await.unwrap();
        assert!(manager_day(&store, now, 480)
            .await
            .unwrap()
            .open_shift
            .is_none());
        let shift = store.start_shift().await.unwrap();
        let day = manager_day(&store, now, 480).await.unwrap();
        assert_eq!(day.open_shift.map(|r| r.shift.id), Some(shift.id));
        store.end_shift(&[], true).await.unwrap();
        assert!(manager_day(&store, now, 480)
            .await
            .unwrap()
            .open_shift
            .is_none());
    }
}
