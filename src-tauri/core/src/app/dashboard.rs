//! The manager's dashboard: today against yesterday and the same day last week, each gateway's
//! and channel's outcomes, the top failure reasons, and this desk's open shift so far.

use serde::Serialize;
use ts_rs::TS;

use crate::day_comparison::{ComparedDays, DayComparison};
use crate::merchant::Zone;
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

/// The days compared at `now_ms` on the merchant's calendar (its time zone, clock changes
/// included).
pub fn compared_days(zone: Zone, now_ms: i64) -> Result<ComparedDays> {
    let days = match zone {
        Zone::Named(tz) => ComparedDays::around(&tz, now_ms),
        Zone::System => ComparedDays::around(&chrono::Local, now_ms),
    };
    days.ok_or_else(|| {
        AppError::refused(format!(
            "{now_ms} is beyond the calendar the days are compared on"
        ))
    })
}

/// The manager's dashboard at `now_ms` on the merchant's calendar.
pub async fn manager_day(store: &Store, now_ms: i64) -> Result<ManagerDay> {
    let days = compared_days(super::merchant::zone(store).await?, now_ms)?;
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
    fn the_days_are_the_merchants_and_a_time_past_the_calendar_is_refused() {
        let now = 1_765_000_000_000;
        assert!(compared_days(Zone::System, i64::MAX).is_err());
        for name in ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kathmandu"] {
            let zone = Zone::parse(name).unwrap();
            let days = compared_days(zone, now).unwrap();
            assert_eq!(days.today.start_ms, zone.day_at(now).since_ms, "{name}");
            assert_eq!(days.today.end_ms, zone.day_at(now).until_ms, "{name}");
        }
    }

    #[tokio::test]
    async fn the_open_shift_s_running_report_comes_with_the_day_and_none_without_one() {
        let (_dir, store) = temp_store().await;
        add_profile(&store, "shop", "sensecore").await;
        let now = store.now().await.unwrap();
        assert!(manager_day(&store, now).await.unwrap().open_shift.is_none());
        let shift = store.start_shift().await.unwrap();
        let day = manager_day(&store, now).await.unwrap();
        assert_eq!(day.open_shift.map(|r| r.shift.id), Some(shift.id));
        store.end_shift(&[], true).await.unwrap();
        assert!(manager_day(&store, now).await.unwrap().open_shift.is_none());
    }
}
