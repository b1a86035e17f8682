//! The merchant: its name and address (printed on receipts) and its time zone, the calendar
//! every day paydesk counts follows (shift and day reports, the dashboard, the dates the command
//! line takes). One record in the store of record, so every desk of a merchant counts the same
//! day. A zone left unset is each desk's system zone.

use chrono::{DateTime, Days, Local, NaiveDate, TimeZone, Utc};
use paydesk_gateways::invalid::{Field, Invalid, Rule};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest name a receipt prints.
pub const NAME_MAX: u32 = 120;
/// The longest address a receipt prints (its lines together).
pub const ADDRESS_MAX: u32 = 400;

/// The merchant's settings, as kept and as shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(optional_fields = nullable)]
pub struct Merchant {
    pub name: String,
    /// Lines separated by newlines.
    pub address: String,
    /// An IANA zone (`Asia/Shanghai`); none: each desk's system zone.
    pub time_zone: Option<String>,
}

impl Merchant {
    /// The settings tidied (spaces around each value and each address line dropped, an empty
    /// zone meaning the system's) and checked, or which value breaks which rule.
    pub fn checked(self) -> Result<Merchant, Invalid> {
        let name = self.name.trim().to_string();
        check_text(&name, Field::MerchantName, NAME_MAX, false)?;
        let address = self
            .address
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        check_text(&address, Field::MerchantAddress, ADDRESS_MAX, true)?;
        let time_zone = match self.time_zone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => {
                Zone::parse(name)?;
                Some(name.to_string())
            }
        };
        Ok(Merchant {
            name,
            address,
            time_zone,
        })
    }

    /// The calendar the merchant's days follow. A zone the store holds that this build does
    /// not know (a newer zone database wrote it) falls back to the system's.
    pub fn zone(&self) -> Zone {
        match self.time_zone.as_deref() {
            Some(name) => Zone::parse(name).unwrap_or_else(|_| {
                tracing::warn!(zone = name, "unknown time zone; using the system's");
                Zone::System
            }),
            None => Zone::System,
        }
    }
}

fn check_text(text: &str, field: Field, max: u32, newlines: bool) -> Result<(), Invalid> {
    if text.chars().count() > max as usize {
        return Err(Invalid::new(field, Rule::TooLong { max }));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(newlines && c == '\n'))
    {
        return Err(Invalid::new(field, Rule::ControlCharacters));
    }
    Ok(())
}

/// A calendar: the system's, or a named IANA zone with its clock changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    System,
    Named(chrono_tz::Tz),
}

/// One day of the merchant's calendar: its date and the unix-ms range it covers (23 or 25
/// hours on a clock change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub since_ms: i64,
    pub until_ms: i64,
}

impl Zone {
    /// A zone by its IANA name, or `Invalid` naming it.
    pub fn parse(name: &str) -> Result<Zone, Invalid> {
        name.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            Invalid::new(
                Field::TimeZone,
                Rule::Unknown {
                    value: paydesk_gateways::invalid::shown(name),
                    known: vec![],
                },
            )
        })
    }

    /// The zone's IANA name; the system's where the system names it.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::System => iana_time_zone::get_timezone().unwrap_or_else(|_| "local".into()),
        }
    }

    /// The date on this calendar at `ms`.
    pub fn date_of(&self, ms: i64) -> NaiveDate {
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).date_naive(),
            Zone::System => utc.with_timezone(&Local).date_naive(),
        }
    }

    /// `date`'s range of unix ms.
    pub fn day(&self, date: NaiveDate) -> Day {
        let since_ms = self.first_moment(date);
        let until_ms = date
            .checked_add_days(Days::new(1))
            .map_or(i64::MAX, |next| self.first_moment(next));
        Day {
            date: date.format("%Y-%m-%d").to_string(),
            since_ms,
            until_ms,
        }
    }

    /// The day `ms` falls in.
    pub fn day_at(&self, ms: i64) -> Day {
        self.day(self.date_of(ms))
    }

    /// How far ahead of UTC this calendar is at `ms`, in minutes.
    pub fn offset_minutes_at(&self, ms: i64) -> i64 {
        use chrono::Offset;
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        let seconds = match self {
            Zone::Named(tz) => utc.with_timezone(tz).offset().fix().local_minus_utc(),
            Zone::System => utc.with_timezone(&Local).offset().fix().local_minus_utc(),
        };
        i64::from(seconds) / 60
    }

    /// `ms` as a time on this calendar, `YYYY-MM-DD HH:MM:SS`.
    pub fn time(&self, ms: i64) -> String {
        const FORMAT: &str = "%Y-%m-%d %H:%M:%S";
        let utc = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
        match self {
            Zone::Named(tz) => utc.with_timezone(tz).format(FORMAT).to_string(),
            Zone::System => utc.with_timezone(&Local).format(FORMAT).to_string(),
        }
    }

    /// A date (`YYYY-MM-DD`, on this calendar) or an RFC 3339 time as unix ms: the day's first
    /// moment, or with `after_the_day` the first moment after it (so "until a day" takes in the
    /// whole day).
    pub fn moment(&self, text: &str, after_the_day: bool) -> Result<i64, Invalid> {
        let text = text.trim();
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Ok(time.timestamp_millis());
        }
        let date = parse_date(text)?;
        let day = self.day(date);
        Ok(if after_the_day {
            day.until_ms
        } else {
            day.since_ms
        })
    }

    fn first_moment(&self, date: NaiveDate) -> i64 {
        match self {
            Zone::Named(tz) => first_moment(tz, date),
            Zone::System => first_moment(&Local, date),
        }
    }
}

/// A date as `YYYY-MM-DD`, or `Invalid` naming it.
pub fn parse_date(text: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Invalid::new(
            Field::Date,
            Rule::NotDate {
                value: paydesk_gateways::invalid::shown(text),
            },
        )
    })
}

/// A day's first moment: its midnight, or where a clock change skips midnight, the first
/// moment of the day that exists.
fn first_moment<Z: TimeZone>(zone: &Z, date: NaiveDate) -> i64 {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    (0..=3)
        .find_map(|hours| {
            zone.from_local_datetime(&(midnight + chrono::Duration::minutes(30 * hours)))
                .earliest()
        })
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn zone(name: &str) -> Zone {
        Zone::parse(name).unwrap()
    }

    fn utc_ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_day_runs_from_its_midnight_to_the_next_in_the_merchants_zone() {
        // (zone, date, first moment in UTC, hours long)
        let table = [
            ("Asia/Shanghai", "2026-12-06", "2026-12-05T16:00:00Z", 24),
            ("UTC", "2026-12-06", "2026-12-06T00:00:00Z", 24),
            // Spring forward: 23 hours. Fall back: 25.
            ("America/New_York", "2026-03-08", "2026-03-08T05:00:00Z", 23),
            ("America/New_York", "2026-11-01", "2026-11-01T04:00:00Z", 25),
            // Midnight itself skipped: the day starts at 01:00.
            ("America/Havana", "2026-03-08", "2026-03-08T05:00:00Z", 23),
        ];
        for (name, date, first, hours) in table {
            let day = zone(name).day(parse_date(date).unwrap());
            assert_eq!(day.since_ms, utc_ms(first), "{name} {date}");
            assert_eq!(day.until_ms - day.since_ms, hours * HOUR, "{name} {date}");
            assert_eq!(day.date, date);
        }
    }

    #[test]
    fn a_moment_falls_in_the_merchants_date_not_utcs() {
        let shanghai = zone("Asia/Shanghai");
        let late_utc = utc_ms("2026-12-05T17:30:00Z");
        assert_eq!(shanghai.date_of(late_utc).to_string(), "2026-12-06");
        assert_eq!(zone("UTC").date_of(late_utc).to_string(), "2026-12-05");
        assert_eq!(shanghai.time(late_utc), "2026-12-06 01:30:00");
        assert_eq!(
            shanghai.day_at(late_utc).since_ms,
            utc_ms("2026-12-05T16:00:00Z")
        );
        assert_eq!(shanghai.offset_minutes_at(late_utc), 8 * 60);
        let new_york = zone("America/New_York");
        assert_eq!(
            new_york.offset_minutes_at(utc_ms("2026-07-01T12:00:00Z")),
            -4 * 60
        );
        assert_eq!(
            new_york.offset_minutes_at(utc_ms("2026-12-01T12:00:00Z")),
            -5 * 60
        );
    }

    #[test]
    fn the_command_lines_dates_are_the_merchants_days() {
        let shanghai = zone("Asia/Shanghai");
        assert_eq!(
            shanghai.moment("2026-12-06", false).unwrap(),
            utc_ms("2026-12-05T16:00:00Z")
        );
        assert_eq!(
            shanghai.moment("2026-12-06", true).unwrap(),
            utc_ms("2026-12-06T16:00:00Z")
        );
        assert_eq!(
            shanghai.moment("1970-01-01T00:00:01Z", true).unwrap(),
            1_000
        );
        let refused = shanghai.moment("6 December", false).unwrap_err();
        assert_eq!(refused.field, Field::Date);
        assert_eq!(
            refused.to_string(),
            "the date \"6 December\" is not a date like 2026-12-31"
        );
    }

    #[test]
    fn settings_are_tidied_and_checked() {
        let tidy = Merchant {
            name: "  益安便利店 ".into(),
            address: " 上海市 \n\n  徐汇区 1 号  ".into(),
            time_zone: Some(" ".into()),
        }
        .checked()
        .unwrap();
        assert_eq!(tidy.name, "益安便利店");
        assert_eq!(tidy.address, "上海市\n徐汇区 1 号");
        assert_eq!(tidy.time_zone, None);
        assert_eq!(tidy.zone(), Zone::System);

        let refusals = [
            (
                Merchant {
                    time_zone: Some("Mars/Olympus".into()),
                    ..Merchant::default()
                },
                "the time zone \"Mars/Olympus\" is unknown",
            ),
            (
                Merchant {
                    name: "a\u{7}b".into(),
                    ..Merchant::default()
                },
                "the merchant's name contains control characters",
            ),
            (
                Merchant {
                    address: "x".repeat(ADDRESS_MAX as usize + 1),
                    ..Merchant::default()
                },
                "the merchant's address is longer than 400 characters",
            ),
        ];
        for (settings, english) in refusals {
            assert_eq!(settings.checked().unwrap_err().to_string(), english);
        }
    }
}
