//! Importing orders and settling a payment a person must decide, from the command line.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn import_takes_good_rows_reports_bad_ones_and_changes_nothing_for_them() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    let file = data.path().join("orders.csv");
    std::fs::write(
        &file,
        "order_no,amount,currency,subject,attr.resource_pack_id\n\
         IMP-1,10.00,CNY,first,rp-1\n\
         IMP-2,abc,CNY,bad amount,\n\
         IMP-3,0.01,,cheapest,\n\
         IMP-1,1.00,CNY,duplicate,\n",
    )
    .unwrap();
    let out = paydesk(
        data.path(),
        &[
            "import",
            file.to_str().unwrap(),
            "--profile",
            "sc",
            "--json",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "rejected rows make the exit code 2: {out:?}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows"], 4);
    assert_eq!(report["imported"], 2);
    let lines: Vec<u64> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 5]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 rows read, 2 imported, 2 rejected"));
    let status: Value = serde_json::from_str(&ok(&paydesk(
        data.path(),
        &["status", "IMP-3", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(status["state"], "created");
    assert_eq!(
        paydesk(data.path(), &["status", "IMP-2"], None)
            .status
            .code(),
        Some(2)
    );
    let pay: Value = serde_json::from_str(&ok(&paydesk(
        data.path(),
        &["pay", "IMP-1", "--channel", "balance", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(pay["state"], "succeeded");

    let broken = data.path().join("broken.csv");
    std::fs::write(&broken, "order,price\nx,1\n").unwrap();
    let out = paydesk(
        data.path(),
        &["import", broken.to_str().unwrap(), "--profile", "sc"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("column's name must be order_no or"), "{said}");
}

#[test]
fn a_payment_nobody_can_settle_waits_for_a_person_and_keeps_their_note() {
    let data = tempfile::tempdir().unwrap();
    // Partner has neither a status query nor an idempotency key: a lost answer cannot be
    // settled by asking or by resending.
    let sandbox = start_sandbox_with(&["--fault", "partner:lost_response=1"]);
    add_profile(data.path(), sandbox.listing("partner"), "pt", None);
    add_partner_order(data.path(), "REV-1", 1);
    let out = paydesk(
        data.path(),
        &["pay", "REV-1", "--channel", "balance", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "unknown exits 3: {out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["state"], "unknown");
    let attempt_id = report["attempt_id"].as_i64().unwrap().to_string();

    let settled: Value =
        serde_json::from_str(&ok(&paydesk(data.path(), &["reconcile", "--json"], None))).unwrap();
    assert_eq!(settled[0]["state"], "needs_review", "{settled}");
    let again = paydesk(data.path(), &["pay", "REV-1", "--channel", "balance"], None);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("needs a person"));
    assert_eq!(
        sandbox.admin("ledger").as_array().unwrap().len(),
        1,
        "the lost answer did charge, once"
    );

    let no_note = paydesk(
        data.path(),
        &[
            "resolve",
            &attempt_id,
            "--decision",
            "succeeded",
            "--note",
            "  ",
        ],
        None,
    );
    assert_eq!(no_note.status.code(), Some(2));
    let bad_decision = paydesk(
        data.path(),
        &["resolve", &attempt_id, "--decision", "maybe", "--note", "x"],
        None,
    );
    assert_eq!(bad_decision.status.code(), Some(2));
    assert_eq!(
        paydesk(
            data.path(),
            &["resolve", "999", "--decision", "failed", "--note", "x"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    ok(&paydesk(
        data.path(),
        &[
            "resolve",
            &attempt_id,
            "--decision",
            "succeeded",
            "--note",
            "seen as paid in the partner back office",
        ],
        None,
    ));
    let status: Value = serde_json::from_str(&ok(&paydesk(
        data.path(),
        &["status", "REV-1", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(status["state"], "succeeded");
    let events = status["attempts"][0]["events"].as_array().unwrap();
    assert!(events.last().unwrap()["detail"]
        .as_str()
        .unwrap()
        .contains("partner back office"));
    let twice = paydesk(
        data.path(),
        &[
            "resolve",
            &attempt_id,
            "--decision",
            "failed",
            "--note",
            "changed my mind",
        ],
        None,
    );
    assert_eq!(twice.status.code(), Some(2), "a decision is final");
}

#[test]
fn a_pending_payment_no_query_can_settle_is_decided_at_once_and_not_paid_takes_the_persons_word() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    add_profile(data.path(), sandbox.listing("partner"), "pt", None);
    add_partner_order(data.path(), "QR-1", 2);
    let paid: Value = serde_json::from_str(&ok(&paydesk(
        data.path(),
        &["pay", "QR-1", "--channel", "alipay", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(paid["state"], "pending", "{paid}");
    assert!(paid["pay_url"].is_string(), "the customer was given a code");
    let attempt_id = paid["attempt_id"].as_i64().unwrap().to_string();
    let resolve = |extra: &[&str]| {
        let mut args = vec![
            "resolve",
            attempt_id.as_str(),
            "--decision",
            "failed",
            "--note",
            "the customer left without paying",
        ];
        args.extend(extra);
        paydesk(data.path(), &args, None)
    };

    let refused = resolve(&[]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("may still be paid by the customer"),
        "{refused:?}"
    );
    let status: Value = serde_json::from_str(&ok(&paydesk(
        data.path(),
        &["status", "QR-1", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(status["state"], "pending", "nothing changed");

    ok(&resolve(&["--code-unusable"]));
    let out = paydesk(data.path(), &["status", "QR-1", "--json"], None);
    assert_eq!(out.status.code(), Some(1), "a failed payment exits 1");
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["state"], "failed");
    assert!(status["attempts"][0]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["detail"]
        .as_str()
        .unwrap()
        .contains("left without paying"));
}

/// Two desks that keep their own files (no shared store) both hold the same partner order. The
/// first desk pays it; the gateway refuses the second desk's payment as already paid. That
/// desk's attempt charged nothing, but the order's money was taken: it waits for a person
/// instead of failing, so the order is not paid again some other way.
#[test]
fn an_order_the_gateway_says_is_already_paid_waits_for_a_person_at_the_other_desk() {
    let sandbox = start_sandbox();
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for desk in [first.path(), second.path()] {
        add_profile(desk, sandbox.listing("partner"), "pt", None);
        add_partner_order(desk, "TWICE-1", 2);
    }
    let paid: Value = serde_json::from_str(&ok(&paydesk(
        first.path(),
        &["pay", "TWICE-1", "--channel", "balance", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(paid["state"], "succeeded", "{paid}");

    let out = paydesk(
        second.path(),
        &["pay", "TWICE-1", "--channel", "balance", "--json"],
        None,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["state"], "needs_review", "{report}");
    assert_eq!(report["error"]["code"], "409", "{report}");
    let again = paydesk(
        second.path(),
        &["pay", "TWICE-1", "--channel", "alipay"],
        None,
    );
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("needs a person"));
    assert_eq!(
        sandbox.admin("ledger").as_array().unwrap().len(),
        1,
        "charged once, by the first desk"
    );
}
