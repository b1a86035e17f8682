//! The notifications a burst makes, as tables: one order named or several summed up, in both
//! languages, the demo and sandboxes said, and what a click opens.

use paydesk_core::attention::{Attention, Notice};
use paydesk_core::domain::AttemptState::{self, *};
use paydesk_core::{Currency, Money};

use super::*;

fn notice(order_no: &str, amount: &str, state: AttemptState, attention: Attention) -> Notice {
    Notice {
        order_no: order_no.into(),
        amount: Money::parse(amount, Currency::CNY).unwrap(),
        state,
        attention,
        pays_out: false,
        sandbox: false,
    }
}

fn paid(order_no: &str) -> Notice {
    notice(order_no, "12.34", Succeeded, Attention::Settled(Succeeded))
}

fn failed(order_no: &str) -> Notice {
    notice(order_no, "12.34", Failed, Attention::Settled(Failed))
}

fn review(order_no: &str) -> Notice {
    notice(order_no, "99.00", NeedsReview, Attention::NeedsPerson)
}

fn burst(notices: impl IntoIterator<Item = Notice>) -> Burst {
    let mut burst = Burst::default();
    for n in notices {
        burst.add(n);
    }
    burst
}

/// Each notification as (summary, body).
fn said(burst: &Burst, language: Language, demo: bool) -> Vec<(String, String)> {
    burst
        .shown(language, demo)
        .into_iter()
        .map(|s| (s.summary, s.body))
        .collect()
}

fn order(order_no: &str) -> ShowOrders {
    ShowOrders::Order {
        order_no: order_no.into(),
    }
}

#[test]
fn one_order_is_named_with_its_amount_and_state_in_the_window_s_language() {
    let payout = Notice {
        amount: Money::parse("1500.25", Currency::INR).unwrap(),
        pays_out: true,
        ..paid("P-1")
    };
    let payout_failed = Notice {
        pays_out: true,
        ..failed("P-2")
    };
    let contested = notice("C-1", "5.00", Succeeded, Attention::NeedsPerson);
    // (notice, English, 简体中文)
    let table = [
        (
            paid("O-1"),
            ("Paid: order O-1", "¥12.34 · Payment received."),
            ("支付成功：订单 O-1", "¥12.34 · 已收到付款。"),
        ),
        (
            failed("O-2"),
            (
                "Failed: order O-2",
                "¥12.34 · The gateway refused the payment; nothing was charged.",
            ),
            (
                "支付失败：订单 O-2",
                "¥12.34 · 网关拒绝了这笔支付，未扣款。",
            ),
        ),
        (
            review("O-3"),
            (
                "Needs review: order O-3",
                "¥99.00 · Needs a person: open to resolve.",
            ),
            (
                "待人工处理：订单 O-3",
                "¥99.00 · 需要人工处理：打开以处理。",
            ),
        ),
        (
            contested,
            (
                "Needs review: order C-1",
                "¥5.00 · Needs a person: open to resolve.",
            ),
            ("待人工处理：订单 C-1", "¥5.00 · 需要人工处理：打开以处理。"),
        ),
        (
            payout,
            ("Paid out: order P-1", "₹1500.25 · Paid out to the payee."),
            ("已出款：订单 P-1", "₹1500.25 · 已付款给收款方。"),
        ),
        (
            payout_failed,
            (
                "Payout failed: order P-2",
                "¥12.34 · The gateway refused the payout; nothing was paid out.",
            ),
            (
                "出款失败：订单 P-2",
                "¥12.34 · 网关拒绝了这笔付款，未出款。",
            ),
        ),
    ];
    for (notice, en, zh) in table {
        let order_no = notice.order_no.clone();
        let one = burst([notice]);
        let to_pair = |(s, b): (&str, &str)| vec![(s.to_string(), b.to_string())];
        assert_eq!(said(&one, Language::En, false), to_pair(en));
        assert_eq!(said(&one, Language::ZhCn, false), to_pair(zh));
        assert_eq!(one.shown(Language::En, false)[0].opens, order(&order_no));
    }
}

#[test]
fn a_reconcile_settling_hundreds_makes_one_summary_and_what_needs_a_person_another() {
    let mut notices: Vec<Notice> = (0..199).map(|n| paid(&format!("S-{n}"))).collect();
    notices.push(failed("F-1"));
    notices.push(review("R-1"));
    notices.push(review("R-2"));
    let big = burst(notices);
    assert_eq!(
        said(&big, Language::En, false),
        [
            (
                "2 payments need a person".to_string(),
                "Needs review 2 — R-1, R-2".to_string()
            ),
            (
                "200 payments settled".to_string(),
                "Paid 199 · Failed 1 — S-0, S-1, S-2 and 197 more".to_string()
            ),
        ]
    );
    assert_eq!(
        said(&big, Language::ZhCn, false),
        [
            (
                "2 笔支付待人工处理".to_string(),
                "待人工处理 2 笔 — R-1、R-2".to_string()
            ),
            (
                "200 笔支付已有结果".to_string(),
                "支付成功 199 笔 · 支付失败 1 笔 — S-0、S-1、S-2 等 200 笔".to_string()
            ),
        ]
    );
    let opens: Vec<ShowOrders> = big
        .shown(Language::En, false)
        .into_iter()
        .map(|s| s.opens)
        .collect();
    assert_eq!(
        opens,
        [ShowOrders::InState { state: NeedsReview }, ShowOrders::List]
    );
}

#[test]
fn a_summary_opens_the_one_state_its_orders_are_all_in() {
    let all_paid = burst((0..5).map(|n| paid(&format!("S-{n}"))));
    assert_eq!(
        all_paid.shown(Language::En, false)[0].opens,
        ShowOrders::InState { state: Succeeded }
    );
    let all_failed = burst([failed("F-1"), failed("F-2")]);
    assert_eq!(
        all_failed.shown(Language::En, false)[0].opens,
        ShowOrders::InState { state: Failed }
    );
    // Contested payments are recorded paid: the paid list would hide them among all the others.
    let contested = burst([
        notice("C-1", "1.00", Succeeded, Attention::NeedsPerson),
        notice("C-2", "1.00", Succeeded, Attention::NeedsPerson),
    ]);
    assert_eq!(
        contested.shown(Language::En, false)[0].opens,
        ShowOrders::List
    );
    let mixed = burst([
        review("R-1"),
        notice("C-1", "1.00", Failed, Attention::NeedsPerson),
    ]);
    assert_eq!(mixed.shown(Language::En, false)[0].opens, ShowOrders::List);
}

#[test]
fn the_demo_and_sandbox_payments_say_so() {
    let one = burst([paid("DEMO-1002")]);
    assert_eq!(
        said(&one, Language::En, true),
        [(
            "DEMO · Paid: order DEMO-1002".to_string(),
            "¥12.34 · Payment received.".to_string()
        )]
    );
    assert_eq!(
        said(&one, Language::ZhCn, true)[0].0,
        "演示数据 · 支付成功：订单 DEMO-1002"
    );
    let sandbox = |n: Notice| Notice { sandbox: true, ..n };
    let on_sandbox = burst([sandbox(paid("S-1"))]);
    assert_eq!(
        said(&on_sandbox, Language::En, false)[0].0,
        "SANDBOX · Paid: order S-1"
    );
    assert_eq!(
        said(&on_sandbox, Language::ZhCn, false)[0].0,
        "沙箱 · 支付成功：订单 S-1"
    );
    // The demo's are all sandbox payments: said once, as the demo.
    assert_eq!(
        said(&on_sandbox, Language::En, true)[0].0,
        "DEMO · Paid: order S-1"
    );
    let some = burst([paid("L-1"), sandbox(paid("S-1"))]);
    assert_eq!(
        said(&some, Language::En, false),
        [(
            "2 payments settled".to_string(),
            "Paid 2 — L-1, S-1 (1 on SANDBOX)".to_string()
        )]
    );
    assert_eq!(
        said(&some, Language::ZhCn, false)[0].1,
        "支付成功 2 笔 — L-1、S-1（其中 1 笔为沙箱）"
    );
}

#[test]
fn nothing_gathered_shows_nothing() {
    let empty = Burst::default();
    assert!(empty.is_empty());
    assert!(empty.shown(Language::En, true).is_empty());
    assert!(!burst([paid("O-1")]).is_empty());
}

#[test]
fn the_window_s_language_before_it_says_follows_the_system_s_as_the_window_does() {
    for (locale, language) in [
        (Some("zh_CN.UTF-8"), Language::ZhCn),
        (Some("zh"), Language::ZhCn),
        (Some("zh_TW.UTF-8"), Language::ZhCn),
        (Some("en_US.UTF-8"), Language::En),
        (Some("C"), Language::En),
        (None, Language::En),
    ] {
        assert_eq!(Language::of_locale(locale), language, "{locale:?}");
    }
    assert_eq!(serde_json::to_string(&Language::ZhCn).unwrap(), "\"zh-CN\"");
    assert_eq!(
        serde_json::from_str::<Language>("\"en\"").unwrap(),
        Language::En
    );
}
