//! The shift report and the day report as printed pages (A4), in the reader's language: the
//! same figures the window and `--json` show, each currency on its own, money in and out
//! apart, every open payment named.

use paydesk_paper::{Block, Paper, PaperSize};

use crate::day_report::DayReport;
use crate::merchant::{Merchant, Zone};
use crate::shifts::{CurrencyTotals, Direction, NamedAttempt, ShiftReport, Totals};
use crate::words::Words;

fn field(label: String, value: String) -> Block {
    Block::Field { label, value }
}

fn merchant_heading(merchant: &Merchant, blocks: &mut Vec<Block>) {
    if !merchant.name.is_empty() {
        blocks.push(Block::Text {
            text: merchant.name.clone(),
        });
    }
}

/// Each currency's sums and its lines by direction, gateway, channel and state.
fn currencies(currencies: &[CurrencyTotals], words: Words, blocks: &mut Vec<Block>) {
    if currencies.is_empty() {
        blocks.push(Block::Text {
            text: words.get("nothing"),
        });
    }
    for c in currencies {
        let money = |amount: &str| format!("{} {amount}", c.currency);
        blocks.push(field(words.get("taken_in"), money(&c.taken_in.amount)));
        blocks.push(field(words.get("paid_out"), money(&c.paid_out.amount)));
        blocks.push(field(words.get("deducted"), money(&c.deducted.amount)));
        blocks.push(Block::Table {
            columns: [
                "direction",
                "gateway",
                "channel",
                "state",
                "count",
                "amount",
            ]
            .map(|k| words.get(k))
            .to_vec(),
            numeric: vec![false, false, false, false, true, true],
            rows: c
                .lines
                .iter()
                .map(|line| {
                    vec![
                        words.get(match line.direction {
                            Direction::In => "direction_in",
                            Direction::Out => "direction_out",
                        }),
                        words.gateway(&line.gateway),
                        words.channel(&line.channel),
                        match line.direction {
                            Direction::In => words.state(line.state),
                            Direction::Out => words.payout_state(line.state),
                        },
                        line.count.to_string(),
                        match &line.split {
                            None => money(&line.charged.amount),
                            Some(split) => format!(
                                "{} ({} {} · {} {})",
                                money(&line.charged.amount),
                                words.channel("balance"),
                                split.balance.amount,
                                words.channel("credit"),
                                split.credit.amount
                            ),
                        },
                    ]
                })
                .collect(),
        });
    }
}

fn totals(totals: &Totals, words: Words, blocks: &mut Vec<Block>) {
    currencies(&totals.currencies, words, blocks);
    if totals.sandbox_left_out > 0 {
        blocks.push(field(
            words.get("sandbox_left_out"),
            totals.sandbox_left_out.to_string(),
        ));
    }
}

fn named(heading: &str, attempts: &[NamedAttempt], words: Words, blocks: &mut Vec<Block>) {
    if attempts.is_empty() {
        return;
    }
    blocks.push(Block::Heading {
        text: words.get(heading),
    });
    blocks.push(Block::Table {
        columns: ["order_no", "attempt", "state", "amount", "acknowledged"]
            .map(|k| words.get(k))
            .to_vec(),
        numeric: vec![false, true, false, true, false],
        rows: attempts
            .iter()
            .map(|a| {
                vec![
                    a.order_no.clone(),
                    a.attempt_id.to_string(),
                    words.state(a.state),
                    if a.sandbox {
                        format!(
                            "{} {} ({})",
                            a.currency,
                            a.charged.amount,
                            words.get("sandbox")
                        )
                    } else {
                        format!("{} {}", a.currency, a.charged.amount)
                    },
                    words.get(if a.acknowledged { "yes" } else { "no" }),
                ]
            })
            .collect(),
    });
}

/// A shift's report on paper.
pub fn shift_paper(report: &ShiftReport, merchant: &Merchant, words: Words) -> Paper {
    let zone = merchant.zone();
    let shift = &report.shift;
    let title = words.fill("shift_report", &[("id", &shift.id.to_string())]);
    let mut blocks = Vec::new();
    merchant_heading(merchant, &mut blocks);
    blocks.push(Block::Heading {
        text: title.clone(),
    });
    blocks.push(field(words.get("desk"), shift.desk.clone()));
    blocks.push(field(
        words.get("opened"),
        format!("{} · {}", zone.time(shift.opened_at), shift.opened_by),
    ));
    blocks.push(field(
        words.get("closed"),
        match (shift.closed_at, &shift.closed_by) {
            (Some(at), Some(by)) => format!("{} · {by}", zone.time(at)),
            _ => words.get("still_open"),
        },
    ));
    blocks.push(field(words.get("time_zone"), zone.name()));
    blocks.push(Block::Rule);
    currencies(&report.currencies, words, &mut blocks);
    if report.sandbox_left_out > 0 {
        blocks.push(field(
            words.get("sandbox_left_out"),
            report.sandbox_left_out.to_string(),
        ));
    }
    named("open_payments", &report.open, words, &mut blocks);
    named(
        "settled_after_close",
        &report.settled_after_close,
        words,
        &mut blocks,
    );
    Paper {
        title,
        size: PaperSize::A4,
        blocks,
    }
}

/// A day's report on paper: the merchant's totals, then each desk's, each shift's and what
/// was taken outside any shift.
pub fn day_paper(report: &DayReport, merchant: &Merchant, words: Words) -> Paper {
    let zone: Zone = merchant.zone();
    let title = words.fill("day_report", &[("date", &report.day.date)]);
    let mut blocks = Vec::new();
    merchant_heading(merchant, &mut blocks);
    blocks.push(Block::Heading {
        text: title.clone(),
    });
    blocks.push(field(words.get("time_zone"), report.time_zone.clone()));
    blocks.push(Block::Heading {
        text: words.get("all_desks"),
    });
    totals(&report.totals, words, &mut blocks);
    for desk in &report.desks {
        blocks.push(Block::Heading {
            text: format!("{} {}", words.get("desk"), desk.desk),
        });
        totals(&desk.totals, words, &mut blocks);
    }
    for shift in &report.shifts {
        let s = &shift.shift;
        blocks.push(Block::Heading {
            text: words.fill("shift", &[("id", &s.id.to_string())]),
        });
        blocks.push(field(
            words.get("opened"),
            format!("{} · {} · {}", s.desk, zone.time(s.opened_at), s.opened_by),
        ));
        totals(&shift.totals, words, &mut blocks);
    }
    if report.outside_shifts.attempts > 0 {
        blocks.push(Block::Heading {
            text: words.get("outside_shifts"),
        });
        totals(&report.outside_shifts, words, &mut blocks);
    }
    named("open_payments", &report.open, words, &mut blocks);
    Paper {
        title,
        size: PaperSize::A4,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shifts::tests::{paid, row, Paid};
    use crate::shifts::{report, Shift};
    use crate::words::Lang;

    #[test]
    fn a_line_split_between_balance_and_credit_prints_both_parts() {
        let shift = Shift {
            id: 7,
            desk: "desk-1".into(),
            opened_at: 1_000,
            opened_by: "lin".into(),
            closed_at: None,
            closed_by: None,
            acknowledged: vec![],
        };
        let attempts = [row(Paid {
            credit: Some(3_000),
            ..paid(1, "top", "balance", "CNY", 10_000)
        })];
        let report = report(shift, &attempts, false);
        let merchant = Merchant::default();
        for (lang, said) in [
            (Lang::En, "CNY 100.00 (Balance 70.00 · Credit 30.00)"),
            (Lang::ZhCn, "CNY 100.00 (余额 70.00 · 信控支付 30.00)"),
        ] {
            let text = shift_paper(&report, &merchant, Words::of(lang)).text();
            assert!(text.contains(said), "{said:?} not in {text}");
        }
    }

    #[test]
    fn a_sandbox_payment_named_on_paper_says_it_is_not_money() {
        let shift = Shift {
            id: 8,
            desk: "desk-1".into(),
            opened_at: 1_000,
            opened_by: "lin".into(),
            closed_at: Some(2_500),
            closed_by: Some("wang".into()),
            acknowledged: vec![],
        };
        // Settled after the close: one real, one on a sandbox profile.
        let mut demo = row(paid(2, "sensecore", "balance", "CNY", 9_900));
        demo.sandbox = true;
        let attempts = [row(paid(1, "sensecore", "balance", "CNY", 100)), demo];
        let report = report(shift, &attempts, false);
        assert_eq!(
            report
                .settled_after_close
                .iter()
                .map(|a| (a.attempt_id, a.sandbox))
                .collect::<Vec<_>>(),
            [(1, false), (2, true)]
        );
        for (lang, said) in [
            (Lang::En, "CNY 99.00 (SANDBOX, not money)"),
            (Lang::ZhCn, "CNY 99.00 (沙箱，非真实款项)"),
        ] {
            let text = shift_paper(&report, &Merchant::default(), Words::of(lang)).text();
            assert!(text.contains(said), "{said:?} not in {text}");
            assert!(!text.contains(&format!("CNY 1.00 ({}", Words::of(lang).get("sandbox"))));
        }
    }
}
