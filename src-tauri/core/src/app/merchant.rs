//! The merchant's settings for both shells: its name and address (receipts) and its time zone,
//! the calendar of every day paydesk counts, and the dates the command line takes.

use serde::Serialize;
use ts_rs::TS;

use crate::merchant::{Day, Merchant, Zone};
use crate::store::Store;

use super::Result;

/// The settings as kept, and the calendar they make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MerchantView {
    pub settings: Merchant,
    /// The zone the merchant's days follow: the one set, or this desk's system zone.
    pub time_zone: String,
    /// This desk's system zone, the default.
    pub system_time_zone: String,
}

pub async fn show(store: &Store) -> Result<MerchantView> {
    let settings = store.merchant().await?;
    Ok(MerchantView {
        time_zone: settings.zone().name(),
        system_time_zone: Zone::System.name(),
        settings,
    })
}

/// Replaces the settings, tidied and checked; nothing changes when one is refused.
pub async fn set(store: &Store, settings: Merchant) -> Result<MerchantView> {
    let settings = settings.checked()?;
    store.set_merchant(&settings).await?;
    tracing::info!(time_zone = ?settings.time_zone, "merchant settings changed");
    show(store).await
}

/// The calendar the merchant's days follow.
pub async fn zone(store: &Store) -> Result<Zone> {
    Ok(store.merchant().await?.zone())
}

/// A date (`YYYY-MM-DD`) of the merchant's calendar, or an RFC 3339 time, as unix ms: the
/// day's first moment, or with `after_the_day` the first moment after it.
pub async fn moment(store: &Store, text: &str, after_the_day: bool) -> Result<i64> {
    Ok(zone(store).await?.moment(text, after_the_day)?)
}

/// The day `date` names on the merchant's calendar, or today's (by the store's clock).
pub async fn day(store: &Store, date: Option<&str>) -> Result<Day> {
    let zone = zone(store).await?;
    Ok(match date {
        Some(date) => zone.day(crate::merchant::parse_date(date)?),
        None => zone.day_at(store.now().await?),
    })
}
