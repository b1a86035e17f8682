//! The shift report decided from attempts alone: the sums in exact minor units, money in and
//! out apart, deductions, what is open, what settled after the close, sandbox money left out.

use super::*;

fn shift(closed_at: Option<i64>, acknowledged: Vec<i64>) -> Shift {
    Shift {
        id: 1,
        desk: "desk-1".into(),
        opened_at: 1_000,
        opened_by: "lin".into(),
        closed_at,
        closed_by: closed_at.map(|_| "wang".into()),
        acknowledged,
    }
}

pub(crate) struct Paid<'a> {
    pub(crate) id: i64,
    pub(crate) gateway: &'a str,
    pub(crate) channel: &'a str,
    pub(crate) state: AttemptState,
    pub(crate) currency: &'a str,
    pub(crate) asked: i64,
    pub(crate) vouchers: &'a str,
    pub(crate) coupon: Option<(&'a str, i64)>,
    /// The part paid on credit (TOP's split).
    pub(crate) credit: Option<i64>,
    pub(crate) updated_at: i64,
}

pub(crate) fn row(p: Paid<'_>) -> ShiftAttempt {
    ShiftAttempt {
        attempt: Attempt {
            id: p.id,
            order_id: p.id,
            channel: p.channel.into(),
            state: p.state,
            idempotency_key: format!("k-{}", p.id),
            amount_minor: p.asked,
            gateway_ref: None,
            pay_url: None,
            error_code: None,
            error_message: None,
            deductions: p.vouchers.into(),
            coupon: p.coupon.map(|(id, _)| id.to_string()),
            credit_minor: p.credit,
            checks: 0,
            resends: 0,
            contested: None,
            gateway_deduction_minor: p.coupon.map(|(_, minor)| minor),
            payable_until: None,
            customer_ref: None,
            subscription_refunds: "[]".into(),
            sent_at: None,
            sender_timeout_ms: None,
            sender: None,
            sender_process: None,
            desk: "desk-1".into(),
            operator: "lin".into(),
            db_role: None,
            created_at: 2_000,
            updated_at: p.updated_at,
        },
        order_no: format!("O-{}", p.id),
        currency: p.currency.into(),
        gateway: p.gateway.into(),
        sandbox: false,
        shift_id: Some(1),
    }
}

pub(crate) fn paid(
    id: i64,
    gateway: &'static str,
    channel: &'static str,
    currency: &'static str,
    asked: i64,
) -> Paid<'static> {
    Paid {
        id,
        gateway,
        channel,
        state: AttemptState::Succeeded,
        currency,
        asked,
        vouchers: "[]",
        coupon: None,
        credit: None,
        updated_at: 3_000,
    }
}

#[test]
fn money_in_and_out_are_summed_apart_per_currency_with_what_was_deducted() {
    let attempts = [
        // ¥98.70 asked after a ¥2.30 voucher.
        row(Paid {
            vouchers: r#"[{"id":"v-1","amount_minor":230}]"#,
            ..paid(1, "sensecore", "balance", "CNY", 9_870)
        }),
        // The partner took ¥1.00 off itself: ¥2.00 charged of ¥3.00 asked.
        row(Paid {
            coupon: Some(("c-1", 100)),
            ..paid(2, "partner", "alipay", "CNY", 300)
        }),
        row(paid(3, "sensecore", "balance", "CNY", 1)),
        row(Paid {
            state: AttemptState::Failed,
            ..paid(4, "yian", "alipay", "CNY", 5_000)
        }),
        // A payout, in rupees.
        row(paid(5, "debit", "bank", "INR", 25_000)),
    ];
    let report = report(shift(None, vec![]), &attempts, false);
    let totals: Vec<(&str, i64, i64, i64)> = report
        .currencies
        .iter()
        .map(|c| {
            (
                c.currency.as_str(),
                c.taken_in.amount_minor,
                c.paid_out.amount_minor,
                c.deducted.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("CNY", 9_870 + 200 + 1, 0, 230 + 100),
            ("INR", 0, 25_000, 0)
        ]
    );
    assert_eq!(report.currencies[0].taken_in.amount, "100.71");
    let lines: Vec<(Direction, &str, &str, AttemptState, i64, i64)> = report.currencies[0]
        .lines
        .iter()
        .map(|l| {
            (
                l.direction,
                l.gateway.as_str(),
                l.channel.as_str(),
                l.state,
                l.count,
                l.charged.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                Direction::In,
                "partner",
                "alipay",
                AttemptState::Succeeded,
                1,
                200
            ),
            (
                Direction::In,
                "sensecore",
                "balance",
                AttemptState::Succeeded,
                2,
                9_871
            ),
            (
                Direction::In,
                "yian",
                "alipay",
                AttemptState::Failed,
                1,
                5_000
            ),
        ]
    );
    assert!(report.open.is_empty() && report.settled_after_close.is_empty());
}

#[test]
fn a_line_whose_payments_split_between_balance_and_credit_says_how() {
    let attempts = [
        // ¥100.00 on balance, ¥30.00 of it moved to credit.
        row(Paid {
            credit: Some(3_000),
            ..paid(1, "top", "balance", "CNY", 10_000)
        }),
        row(paid(2, "top", "balance", "CNY", 500)),
        // All on credit; then ¥20.00 of ¥50.00 on credit with the rest on balance.
        row(paid(3, "top", "credit", "CNY", 4_000)),
        row(Paid {
            credit: Some(2_000),
            ..paid(4, "top", "credit", "CNY", 5_000)
        }),
        // No split: the channel says it all.
        row(paid(5, "sensecore", "balance", "CNY", 700)),
    ];
    let report = report(shift(None, vec![]), &attempts, false);
    // (gateway, channel, charged, (balance, credit))
    type Split<'a> = (&'a str, &'a str, i64, Option<(i64, i64)>);
    let splits: Vec<Split> = report.currencies[0]
        .lines
        .iter()
        .map(|l| {
            (
                l.gateway.as_str(),
                l.channel.as_str(),
                l.charged.amount_minor,
                l.split
                    .as_ref()
                    .map(|s| (s.balance.amount_minor, s.credit.amount_minor)),
            )
        })
        .collect();
    assert_eq!(
        splits,
        [
            ("sensecore", "balance", 700, None),
            ("top", "balance", 10_500, Some((7_500, 3_000))),
            ("top", "credit", 9_000, Some((3_000, 6_000))),
        ]
    );
    assert_eq!(report.currencies[0].taken_in.amount_minor, 20_200);
}

#[test]
fn open_attempts_are_named_and_only_unacknowledged_ones_keep_a_shift_from_closing() {
    let attempts = [
        row(Paid {
            state: AttemptState::Pending,
            ..paid(1, "partner", "alipay", "CNY", 300)
        }),
        row(Paid {
            state: AttemptState::Unknown,
            ..paid(2, "sensecore", "wechat", "CNY", 100)
        }),
        row(Paid {
            state: AttemptState::NeedsReview,
            ..paid(3, "top", "balance", "CNY", 100)
        }),
        row(paid(4, "sensecore", "balance", "CNY", 100)),
    ];
    let blocking: Vec<i64> = unacknowledged(&attempts, &[2])
        .iter()
        .map(|r| r.attempt.id)
        .collect();
    assert_eq!(blocking, [1, 3]);
    let report = report(shift(None, vec![2]), &attempts, false);
    let open: Vec<(i64, AttemptState, bool)> = report
        .open
        .iter()
        .map(|a| (a.attempt_id, a.state, a.acknowledged))
        .collect();
    assert_eq!(
        open,
        [
            (1, AttemptState::Pending, false),
            (2, AttemptState::Unknown, true),
            (3, AttemptState::NeedsReview, false),
        ]
    );
    // Only the paid one is money taken in.
    assert_eq!(report.currencies[0].taken_in.amount_minor, 100);
}

#[test]
fn a_payment_settled_after_the_close_counts_and_is_named_and_sandbox_money_never_counts() {
    let mut sandboxed = row(paid(3, "sensecore", "balance", "CNY", 9_900));
    sandboxed.sandbox = true;
    let attempts = [
        row(Paid {
            updated_at: 5_000,
            ..paid(1, "yian", "alipay", "CNY", 1_990)
        }),
        row(Paid {
            updated_at: 3_000,
            ..paid(2, "yian", "alipay", "CNY", 1_000)
        }),
        sandboxed,
    ];
    let report = report(shift(Some(4_000), vec![1]), &attempts, false);
    assert_eq!(report.currencies[0].taken_in.amount_minor, 2_990);
    let after: Vec<(i64, bool)> = report
        .settled_after_close
        .iter()
        .map(|a| (a.attempt_id, a.acknowledged))
        .collect();
    assert_eq!(after, [(1, true)]);
    assert_eq!(report.sandbox_left_out, 1);
    assert_eq!(
        report.currencies.len(),
        1,
        "the sandbox's money makes no line of its own"
    );
    // The demo counts its sandbox money as its own.
    let demo = super::report(shift(Some(4_000), vec![]), &attempts, true);
    assert_eq!(demo.currencies[0].taken_in.amount_minor, 2_990 + 9_900);
    assert_eq!(demo.sandbox_left_out, 0);
}
