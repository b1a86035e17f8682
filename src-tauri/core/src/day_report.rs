//! The day's report (日结): every payment the merchant's desks started on one day of the
//! merchant's calendar ([`crate::merchant::Zone`]), in exact minor units: the merchant's
//! totals, each desk's, each shift's share of the day, and the payments started outside any
//! shift, which paying never requires. Decided here from the day's attempts, with no I/O.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::merchant::Day;
use crate::shifts::{is_open, totals, NamedAttempt, Shift, ShiftAttempt, Totals};

/// One desk's share of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeskTotals {
    pub desk: String,
    pub totals: Totals,
}

/// One shift's share of the day: a shift that runs past midnight counts in each day for what
/// was started in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ShiftTotals {
    pub shift: Shift,
    pub totals: Totals,
}

/// What the merchant's desks took on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DayReport {
    pub day: Day,
    /// The calendar the day follows (an IANA name).
    pub time_zone: String,
    pub totals: Totals,
    pub desks: Vec<DeskTotals>,
    /// Shifts open at some moment of the day, with what was started in them that day.
    pub shifts: Vec<ShiftTotals>,
    /// Payments started while their desk had no shift open.
    pub outside_shifts: Totals,
    /// The day's payments not settled yet.
    pub open: Vec<NamedAttempt>,
}

/// The report of `day` from the attempts started in it and the shifts open during it.
pub fn report(
    day: Day,
    time_zone: String,
    shifts: Vec<Shift>,
    attempts: &[ShiftAttempt],
    counts_sandbox: bool,
) -> DayReport {
    let mut by_desk: BTreeMap<&str, Vec<&ShiftAttempt>> = BTreeMap::new();
    for row in attempts {
        by_desk.entry(&row.attempt.desk).or_default().push(row);
    }
    let desks = by_desk
        .into_iter()
        .map(|(desk, rows)| DeskTotals {
            desk: desk.to_string(),
            totals: totals(rows.into_iter(), counts_sandbox),
        })
        .collect();
    let shifts = shifts
        .into_iter()
        .map(|shift| {
            let rows = attempts.iter().filter(|a| a.shift_id == Some(shift.id));
            ShiftTotals {
                totals: totals(rows, counts_sandbox),
                shift,
            }
        })
        .collect();
    DayReport {
        day,
        time_zone,
        totals: totals(attempts.iter(), counts_sandbox),
        desks,
        shifts,
        outside_shifts: totals(
            attempts.iter().filter(|a| a.shift_id.is_none()),
            counts_sandbox,
        ),
        open: attempts
            .iter()
            .filter(|a| is_open(&a.attempt))
            .map(|a| NamedAttempt::of(a, false))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AttemptState;
    use crate::shifts::tests::{paid, row, Paid};

    fn at(desk: &str, shift_id: Option<i64>, mut attempt: ShiftAttempt) -> ShiftAttempt {
        attempt.attempt.desk = desk.into();
        attempt.shift_id = shift_id;
        attempt
    }

    fn shift(id: i64, desk: &str) -> Shift {
        Shift {
            id,
            desk: desk.into(),
            opened_at: 1_000,
            opened_by: "lin".into(),
            closed_at: None,
            closed_by: None,
            acknowledged: vec![],
        }
    }

    fn taken_in(totals: &Totals, currency: &str) -> i64 {
        totals
            .currencies
            .iter()
            .find(|c| c.currency == currency)
            .map_or(0, |c| c.taken_in.amount_minor)
    }

    #[test]
    fn the_day_is_summed_per_desk_per_shift_and_outside_any_shift() {
        let attempts = [
            at(
                "desk-1",
                Some(7),
                row(paid(1, "sensecore", "balance", "CNY", 1_000)),
            ),
            at("desk-1", None, row(paid(2, "yian", "alipay", "CNY", 250))),
            at(
                "desk-2",
                Some(8),
                row(paid(3, "sensecore", "balance", "CNY", 4_000)),
            ),
            at(
                "desk-2",
                Some(8),
                row(paid(4, "top", "balance", "USD", 199)),
            ),
            at(
                "desk-2",
                Some(8),
                row(Paid {
                    state: AttemptState::Pending,
                    ..paid(5, "yian", "wechat", "CNY", 700)
                }),
            ),
        ];
        let day = Day {
            date: "2026-12-06".into(),
            since_ms: 0,
            until_ms: 86_400_000,
        };
        let shifts = vec![shift(7, "desk-1"), shift(8, "desk-2"), shift(9, "desk-3")];
        let report = report(day, "Asia/Shanghai".into(), shifts, &attempts, false);

        assert_eq!(taken_in(&report.totals, "CNY"), 5_250);
        assert_eq!(taken_in(&report.totals, "USD"), 199);
        assert_eq!(report.totals.attempts, 5);
        let desk = |name: &str| &report.desks.iter().find(|d| d.desk == name).unwrap().totals;
        assert_eq!(taken_in(desk("desk-1"), "CNY"), 1_250);
        assert_eq!(taken_in(desk("desk-2"), "CNY"), 4_000);
        let shift = |id: i64| {
            &report
                .shifts
                .iter()
                .find(|s| s.shift.id == id)
                .unwrap()
                .totals
        };
        assert_eq!((taken_in(shift(7), "CNY"), shift(7).attempts), (1_000, 1));
        assert_eq!(shift(8).attempts, 3);
        assert_eq!(
            shift(9).attempts,
            0,
            "a shift that took nothing is still listed"
        );
        assert_eq!(taken_in(&report.outside_shifts, "CNY"), 250);
        assert_eq!(report.outside_shifts.attempts, 1);
        let open: Vec<&str> = report.open.iter().map(|a| a.order_no.as_str()).collect();
        assert_eq!(open, ["O-5"]);
    }

    #[test]
    fn sandbox_payments_are_left_out_of_live_money_but_counted_in_the_demo() {
        let mut sandbox = row(paid(1, "sensecore", "balance", "CNY", 1_000));
        sandbox.sandbox = true;
        let day = Day {
            date: "2026-12-06".into(),
            since_ms: 0,
            until_ms: 1,
        };
        let live = report(day.clone(), "UTC".into(), vec![], &[sandbox.clone()], false);
        assert_eq!(taken_in(&live.totals, "CNY"), 0);
        assert_eq!(live.totals.sandbox_left_out, 1);
        let demo = report(day, "UTC".into(), vec![], &[sandbox], true);
        assert_eq!(taken_in(&demo.totals, "CNY"), 1_000);
    }
}
