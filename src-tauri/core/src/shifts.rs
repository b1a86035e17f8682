//! Shifts (交班) and what a shift took: one open shift per desk, opened and closed by an
//! operator, each payment belonging to the shift open at its desk when it was started. The
//! report is decided here from the shift's attempts, in exact minor units, with no I/O: money
//! taken in and paid out kept apart per currency, by gateway, channel and state; vouchers and
//! coupons deducted; every attempt still open; those settled after the close.

use std::collections::BTreeMap;

use paydesk_gateways::Channel;
use serde::Serialize;
use ts_rs::TS;

use crate::domain::{Attempt, AttemptState};
use crate::pricing::Charges;

/// A shift, open (`closed_at` none) or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Shift {
    pub id: i64,
    pub desk: String,
    pub opened_at: i64,
    pub opened_by: String,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    /// Attempts still open at the close that the closing operator acknowledged.
    pub acknowledged: Vec<i64>,
}

/// One of a shift's attempts with what the report needs of its order and profile.
#[derive(Debug, Clone)]
pub struct ShiftAttempt {
    pub attempt: Attempt,
    pub order_no: String,
    pub currency: String,
    pub gateway: String,
    /// The order's profile is a paydesk sandbox.
    pub sandbox: bool,
    /// The shift it was started in, if any.
    pub shift_id: Option<i64>,
}

/// A payment that keeps a shift from closing: which attempt, of which order, in which state,
/// and whether it is demo money (a sandbox profile's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OpenAttemptRef {
    pub attempt_id: i64,
    pub order_no: String,
    pub state: AttemptState,
    pub sandbox: bool,
}

/// An amount in the report: the decimal string and its minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Amount {
    pub amount: String,
    pub amount_minor: i64,
}

impl Amount {
    pub(crate) fn of(minor: i64, currency: &str) -> Amount {
        Amount {
            amount: crate::domain::amount_in(minor, currency),
            amount_minor: minor,
        }
    }
}

/// Which way money went: taken in from a customer, or paid out (a payout gateway's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

/// One line of the totals: attempts of one direction, gateway, channel and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TotalLine {
    pub direction: Direction,
    pub gateway: String,
    pub channel: String,
    pub state: AttemptState,
    pub count: i64,
    /// What they came to, charged (the gateway's figure where it gave one).
    pub charged: Amount,
    /// How `charged` divides between balance and credit, where a payment of the line split
    /// its amount between them (TOP's `credit_pay_amount`): then the channel alone does not
    /// say where the money came from. `None` when none did.
    pub split: Option<BalanceCredit>,
}

/// A line's money by where it was paid from: the customer's balance, or credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BalanceCredit {
    pub balance: Amount,
    pub credit: Amount,
}

/// A line's running sums, its state kept beside them.
#[derive(Default)]
struct LineSums {
    count: i64,
    charged: i64,
    /// The part of `charged` paid on credit.
    credit: i64,
    split: bool,
}

/// One currency's totals: what was taken in and paid out (succeeded payments only), what
/// vouchers and coupons deducted from them, and every line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CurrencyTotals {
    pub currency: String,
    pub taken_in: Amount,
    pub paid_out: Amount,
    pub deducted: Amount,
    pub lines: Vec<TotalLine>,
}

/// An attempt the report names on its own: still open at the close, or settled after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct NamedAttempt {
    pub attempt_id: i64,
    pub order_no: String,
    pub state: AttemptState,
    pub charged: Amount,
    pub currency: String,
    /// Acknowledged by the closing operator.
    pub acknowledged: bool,
    /// On a sandbox profile: named as a payment a person must know of, never counted as money.
    pub sandbox: bool,
}

/// What a shift took, as its report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ShiftReport {
    pub shift: Shift,
    pub currencies: Vec<CurrencyTotals>,
    /// Not settled: started, being sent, pending, unknown, waiting for a person, or contested.
    pub open: Vec<NamedAttempt>,
    /// Settled after the shift was closed: counted above, and named here.
    pub settled_after_close: Vec<NamedAttempt>,
    /// Payments on sandbox profiles, which never count as money here (live data only).
    pub sandbox_left_out: i64,
}

/// Whether an attempt is still open: not settled, or its settlement contested.
pub fn is_open(attempt: &Attempt) -> bool {
    attempt.contested.is_some()
        || !matches!(
            attempt.state,
            AttemptState::Succeeded | AttemptState::Failed
        )
}

/// The report of `shift` from its attempts. `counts_sandbox`: the demo's report counts its
/// sandbox payments; the live data's leaves them out.
pub fn report(shift: Shift, attempts: &[ShiftAttempt], counts_sandbox: bool) -> ShiftReport {
    let (mut open, mut settled_after_close) = (Vec::new(), Vec::new());
    for row in attempts {
        let a = &row.attempt;
        // Named whatever money it is: an open payment is a person's to know of.
        let acknowledged = shift.acknowledged.contains(&a.id);
        if is_open(a) {
            open.push(NamedAttempt::of(row, acknowledged));
        } else if shift.closed_at.is_some_and(|closed| a.updated_at > closed) {
            settled_after_close.push(NamedAttempt::of(row, acknowledged));
        }
    }
    let Totals {
        currencies,
        sandbox_left_out,
        ..
    } = totals(attempts.iter(), counts_sandbox);
    ShiftReport {
        shift,
        currencies,
        open,
        settled_after_close,
        sandbox_left_out,
    }
}

impl NamedAttempt {
    pub(crate) fn of(row: &ShiftAttempt, acknowledged: bool) -> NamedAttempt {
        let a = &row.attempt;
        NamedAttempt {
            attempt_id: a.id,
            order_no: row.order_no.clone(),
            state: a.state,
            charged: Amount::of(
                Charges::of(a, &row.currency).charged_amount_minor,
                &row.currency,
            ),
            currency: row.currency.clone(),
            acknowledged,
            sandbox: row.sandbox,
        }
    }
}

/// What some attempts came to, per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Totals {
    /// How many attempts, sandbox ones included.
    pub attempts: i64,
    pub currencies: Vec<CurrencyTotals>,
    /// Payments on sandbox profiles, which never count as money (live data only).
    pub sandbox_left_out: i64,
}

/// The attempts' totals: per currency, money taken in and paid out (succeeded, uncontested
/// payments), what vouchers and coupons deducted from them, and a line per direction,
/// gateway, channel and state. `counts_sandbox`: whether sandbox payments count as money.
pub fn totals<'a>(
    attempts: impl Iterator<Item = &'a ShiftAttempt>,
    counts_sandbox: bool,
) -> Totals {
    // Keyed by the state's name (states have no order of their own); the state kept beside.
    type Key = (String, Direction, String, String, &'static str);
    let mut lines: BTreeMap<Key, (AttemptState, LineSums)> = BTreeMap::new();
    let mut sums: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let (mut count, mut sandbox_left_out) = (0, 0);
    for row in attempts {
        count += 1;
        let a = &row.attempt;
        if row.sandbox && !counts_sandbox {
            sandbox_left_out += 1;
            continue;
        }
        let charges = Charges::of(a, &row.currency);
        let charged = charges.charged_amount_minor;
        let direction = if paydesk_gateways::pays_out(&row.gateway) {
            Direction::Out
        } else {
            Direction::In
        };
        let line = lines
            .entry((
                row.currency.clone(),
                direction,
                row.gateway.clone(),
                a.channel.clone(),
                a.state.as_str(),
            ))
            .or_insert((a.state, LineSums::default()));
        line.1.count += 1;
        line.1.charged += charged;
        line.1.credit += match Channel::parse(&a.channel) {
            Some(channel) => channel.credit_part(a.credit_minor, charged),
            None => a.credit_minor.unwrap_or(0),
        };
        line.1.split |= a.credit_minor.is_some();
        let sum = sums.entry(row.currency.clone()).or_default();
        if a.state == AttemptState::Succeeded && a.contested.is_none() {
            match direction {
                Direction::In => sum.0 += charged,
                Direction::Out => sum.1 += charged,
            }
            sum.2 += charges
                .deductions
                .iter()
                .filter_map(|d| d.amount_minor)
                .sum::<i64>();
        }
    }
    let currencies = sums
        .into_iter()
        .map(
            |(currency, (taken_in, paid_out, deducted))| CurrencyTotals {
                taken_in: Amount::of(taken_in, &currency),
                paid_out: Amount::of(paid_out, &currency),
                deducted: Amount::of(deducted, &currency),
                lines: lines
                    .iter()
                    .filter(|((c, ..), _)| *c == currency)
                    .map(
                        |((_, direction, gateway, channel, _), (state, sums))| TotalLine {
                            direction: *direction,
                            gateway: gateway.clone(),
                            channel: channel.clone(),
                            state: *state,
                            count: sums.count,
                            charged: Amount::of(sums.charged, &currency),
                            split: sums.split.then(|| BalanceCredit {
                                balance: Amount::of(sums.charged - sums.credit, &currency),
                                credit: Amount::of(sums.credit, &currency),
                            }),
                        },
                    )
                    .collect(),
                currency,
            },
        )
        .collect();
    Totals {
        attempts: count,
        currencies,
        sandbox_left_out,
    }
}

/// The attempts that keep a shift from closing: open, and not acknowledged.
pub fn unacknowledged<'a>(
    attempts: &'a [ShiftAttempt],
    acknowledged: &[i64],
) -> Vec<&'a ShiftAttempt> {
    attempts
        .iter()
        .filter(|row| is_open(&row.attempt) && !acknowledged.contains(&row.attempt.id))
        .collect()
}

#[cfg(test)]
#[path = "shifts_tests.rs"]
pub(crate) mod tests;
