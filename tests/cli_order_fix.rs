//! Fixing and cancelling an unpaid order from the command line, and a payment's amounts as
//! charged in `pay --json` and `status --json`.

mod common;

use common::*;
use serde_json::Value;

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&ok(output)).unwrap()
}

#[test]
fn an_unpaid_order_is_edited_then_paid_at_its_new_terms() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    let d = data.path();
    ok(&paydesk(
        d,
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "E-1",
            "--amount",
            "99.00",
            "--attr",
            "resource_pack_id=rp-1",
            "--attr",
            "table=7",
        ],
        None,
    ));
    let edited = ok(&paydesk(
        d,
        &[
            "order",
            "edit",
            "E-1",
            "--amount",
            "20.00",
            "--subject",
            "tea",
            "--unset-attr",
            "table",
        ],
        None,
    ));
    assert!(edited.contains("¥20.00 (tea)"), "{edited}");
    let status = json(&paydesk(d, &["status", "E-1", "--json"], None));
    assert_eq!(
        (&status["state"], &status["cancelled"]),
        (&"created".into(), &false.into())
    );

    let paid = json(&paydesk(
        d,
        &[
            "pay",
            "E-1",
            "--channel",
            "balance",
            "--voucher",
            "v-1=2.50",
            "--json",
        ],
        None,
    ));
    assert_eq!(paid["state"], "succeeded");
    assert_eq!(
        paid["deductions"],
        serde_json::json!([{"kind": "voucher", "id": "v-1", "amount": "2.50", "amount_minor": 250}])
    );
    assert_eq!(
        (&paid["charged_amount"], &paid["charged_amount_minor"]),
        (&"17.50".into(), &1750.into())
    );
    assert_eq!(paid["balance_amount"], Value::Null);
    let ledger = sandbox.admin("ledger");
    let charge = ledger
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["order_no"] == "E-1")
        .unwrap();
    assert_eq!(charge["amount_minor"], 1750, "{charge}");

    let status = json(&paydesk(d, &["status", "E-1", "--json"], None));
    assert_eq!(status["attempts"][0]["deductions"], paid["deductions"]);
    assert_eq!(status["attempts"][0]["charged_amount"], "17.50");
    let text = ok(&paydesk(d, &["status", "E-1"], None));
    assert!(
        text.contains("voucher v-1: -2.50") && text.contains("charged CNY 17.50"),
        "{text}"
    );

    // The history appends what a payment came to, never reordering the columns before.
    let csv = ok(&paydesk(d, &["history", "--csv"], None));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "attempt_id,order_no,profile,gateway,channel,state,amount,currency,idempotency_key,\
         gateway_ref,pay_url,error_code,error_message,created_at,updated_at,desk,operator,\
         deductions,balance_amount,credit_amount,charged_amount,subscription_refunds,sandbox"
    );
    let row = lines.next().unwrap();
    assert!(row.ends_with(",voucher v-1 2.50,,,17.50,,true"), "{row}");

    // Paid: neither edited nor cancelled, and nothing changes.
    for args in [
        &["order", "edit", "E-1", "--amount", "1.00"][..],
        &["order", "cancel", "E-1"][..],
    ] {
        let refused = paydesk(d, args, None);
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("already paid"),
            "{refused:?}"
        );
    }
    assert_eq!(
        json(&paydesk(d, &["status", "E-1", "--json"], None)),
        status
    );
}

#[test]
fn a_cancelled_order_is_kept_and_never_sent() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    let d = data.path();
    ok(&paydesk(
        d,
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "C-1",
            "--amount",
            "5.00",
            "--attr",
            "resource_pack_id=rp-1",
        ],
        None,
    ));
    assert!(ok(&paydesk(
        d,
        &["order", "cancel", "C-1", "--note", "customer left"],
        None
    ))
    .contains("cancelled"));
    let again = ok(&paydesk(
        d,
        &["order", "cancel", "C-1", "--note", "twice"],
        None,
    ));
    assert!(again.contains("already cancelled"), "{again}");
    let status = json(&paydesk(d, &["status", "C-1", "--json"], None));
    assert_eq!(
        (&status["cancelled"], &status["cancel_note"]),
        (&true.into(), &"customer left".into())
    );
    assert!(ok(&paydesk(d, &["status", "C-1"], None)).contains("cancelled: customer left"));

    let paying = paydesk(d, &["pay", "C-1", "--channel", "balance"], None);
    assert_eq!(paying.status.code(), Some(2), "{paying:?}");
    assert!(
        String::from_utf8_lossy(&paying.stderr).contains("cancelled"),
        "{paying:?}"
    );
    let editing = paydesk(d, &["order", "edit", "C-1", "--amount", "1.00"], None);
    assert_eq!(editing.status.code(), Some(2), "{editing:?}");
    assert_eq!(sandbox.pay_requests("C-1"), 0);
    assert_eq!(
        json(&paydesk(d, &["status", "C-1", "--json"], None)),
        status
    );
}

#[test]
fn split_and_coupon_payments_say_what_was_charged() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let d = data.path();
    add_profile(d, sandbox.listing("top"), "tp", None);
    add_profile(d, sandbox.listing("partner"), "pt", None);
    ok(&paydesk(
        d,
        &[
            "order",
            "add",
            "--profile",
            "tp",
            "--order-no",
            "T-1",
            "--amount",
            "30.00",
        ],
        None,
    ));
    let split = json(&paydesk(
        d,
        &[
            "pay",
            "T-1",
            "--channel",
            "balance",
            "--credit-amount",
            "10.00",
            "--json",
        ],
        None,
    ));
    assert_eq!(
        (
            &split["balance_amount"],
            &split["balance_amount_minor"],
            &split["credit_amount"],
            &split["credit_amount_minor"]
        ),
        (&"20.00".into(), &2000.into(), &"10.00".into(), &1000.into()),
        "{split}"
    );
    assert_eq!(split["charged_amount"], "30.00");

    add_partner_order(d, "P-1", 1);
    let not_top = paydesk(
        d,
        &[
            "pay",
            "P-1",
            "--channel",
            "alipay",
            "--refund-subscription",
            "s=1.00",
        ],
        None,
    );
    assert_eq!(not_top.status.code(), Some(2), "{not_top:?}");
    assert!(
        String::from_utf8_lossy(&not_top.stderr).contains("takes no subscription refunds"),
        "{not_top:?}"
    );
    let couponed = json(&paydesk(
        d,
        &[
            "pay",
            "P-1",
            "--channel",
            "alipay",
            "--coupon",
            "sandbox-coupon-100",
            "--json",
        ],
        None,
    ));
    let coupon = &couponed["deductions"][0];
    assert_eq!(
        (&coupon["kind"], &coupon["id"]),
        (&"coupon".into(), &"sandbox-coupon-100".into()),
        "{couponed}"
    );
    let deducted = coupon["amount_minor"]
        .as_i64()
        .expect("the partner says what the coupon took off");
    assert_eq!(
        couponed["charged_amount_minor"].as_i64().unwrap(),
        300 - deducted,
        "{couponed}"
    );
}
