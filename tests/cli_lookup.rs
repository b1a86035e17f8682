//! `paydesk lookup`: what a customer quotes (the number their payment app shows, part of an
//! order number, an amount and when) finds their order, from the command line.

mod common;

use common::*;
use serde_json::Value;

fn lookup(data: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["lookup"];
    all.extend(args);
    all.push("--json");
    serde_json::from_str(&ok(&paydesk(data, &all, None))).unwrap()
}

#[test]
fn a_customer_s_payment_number_part_of_an_order_number_or_an_amount_finds_the_order() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let d = data.path();
    add_profile(d, sandbox.listing("yian"), "ya", None);
    for (no, amount) in [
        ("12134676899915430002", "99.00"),
        ("12134676899915430003", "12.30"),
    ] {
        ok(&paydesk(
            d,
            &[
                "order",
                "add",
                "--profile",
                "ya",
                "--order-no",
                no,
                "--amount",
                amount,
            ],
            None,
        ));
    }
    ok(&paydesk(
        d,
        &["pay", "12134676899915430002", "--channel", "alipay"],
        None,
    ));
    let status: Value = serde_json::from_str(&ok(&paydesk(
        d,
        &["status", "12134676899915430002", "--refresh", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(status["state"], "succeeded", "{status}");
    let transaction_no = status["attempts"][0]["customer_ref"]
        .as_str()
        .expect("益安's transaction_no")
        .to_string();
    // What the customer reads out from their wallet is in the report a script reads first.
    assert_eq!(status["customer_ref"], transaction_no.as_str(), "{status}");

    let hits = lookup(d, &[&transaction_no[4..16]]);
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
    let hit = &hits[0];
    assert_eq!(
        (
            &hit["order_no"],
            &hit["state"],
            &hit["matched"],
            &hit["amount"],
            &hit["currency"]
        ),
        (
            &"12134676899915430002".into(),
            &"succeeded".into(),
            &"customer_ref".into(),
            &"99.00".into(),
            &"CNY".into()
        ),
    );
    assert!(hit["updated_at"].as_i64().unwrap() > 0);

    // Part of an order number (six characters or more), both orders, newest first.
    let orders: Vec<Value> = lookup(d, &["99915430"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["order_no"].clone())
        .collect();
    assert_eq!(orders, ["12134676899915430003", "12134676899915430002"]);

    let today = lookup(d, &["--amount", "12.30", "--since", "2000-01-01"]);
    assert_eq!(today[0]["order_no"], "12134676899915430003", "{today}");
    assert_eq!(today[0]["state"], "created");
    assert_eq!(
        lookup(d, &["--amount", "12.30", "--until", "2000-01-01"]),
        serde_json::json!([])
    );
    assert_eq!(
        lookup(d, &["no-such-thing-anywhere"]),
        serde_json::json!([])
    );

    for bad in [
        &["lookup", "--amount", "abc"][..],
        &["lookup"][..],
        &["lookup", "x", "--amount", "1"][..],
        &["lookup", "--amount", "1", "--since", "soon"][..],
    ] {
        let refused = paydesk(d, bad, None);
        assert_eq!(refused.status.code(), Some(2), "{bad:?}: {refused:?}");
    }
}
