//! The command line as support scripts use it: the real `paydesk` binary against
//! `paydesk sandbox` in another process, every gateway, every channel it offers.
//! Needs the OS keyring (secrets are stored with `paydesk secret set`).

mod common;

use common::*;
use serde_json::Value;

fn pays_every_channel(gateway: &str) {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == gateway)
        .unwrap();
    let channels = add_profile(data.path(), listing, gateway, None);
    assert!(!channels.is_empty(), "{gateway} offers channels");
    for (i, channel) in channels.iter().enumerate() {
        let order_no = format!("CLI-{gateway}-{i}");
        let mut args = vec![
            "order",
            "add",
            "--profile",
            gateway,
            "--order-no",
            &order_no,
            "--amount",
            "12.34",
            "--currency",
            currency(gateway),
            "--subject",
            "cli test",
        ];
        let attrs = attributes(gateway, i);
        for a in &attrs {
            args.extend(["--attr", a.as_str()]);
        }
        ok(&paydesk(data.path(), &args, None));
        let mut pay = vec!["pay", order_no.as_str(), "--json"];
        if channels.len() > 1 {
            pay.extend(["--channel", channel.as_str()]);
        }
        let report: Value = serde_json::from_str(&ok(&paydesk(data.path(), &pay, None))).unwrap();
        assert_eq!(report["order_no"], order_no.as_str());
        assert!(
            report["state"] == "succeeded" || report["state"] == "pending",
            "{gateway}/{channel}: {report}"
        );
        for field in [
            "attempt_id",
            "idempotency_key",
            "gateway_ref",
            "pay_url",
            "error",
        ] {
            assert!(report.get(field).is_some(), "{field} in {report}");
        }
        let again = paydesk(data.path(), &pay, None);
        assert_eq!(
            again.status.code(),
            Some(2),
            "a second payment is refused: {again:?}"
        );
        assert!(again.stdout.is_empty());

        let status: Value = serde_json::from_str(&ok(&paydesk(
            data.path(),
            &["status", order_no.as_str(), "--refresh", "--json"],
            None,
        )))
        .unwrap();
        assert_eq!(status["attempts"].as_array().unwrap().len(), 1, "{status}");
    }
    let csv = ok(&paydesk(
        data.path(),
        &["history", "--csv", "--profile", gateway],
        None,
    ));
    assert_eq!(csv.lines().count(), channels.len() + 1, "{csv}");
    assert!(csv.starts_with("attempt_id,order_no,"));
    // A script adding up takings can leave a sandbox's test money out.
    assert!(
        column(&csv, "sandbox").iter().all(|v| v == "true"),
        "a sandbox's payments say so: {csv}"
    );
}

/// The values of the CSV's column `name`, row by row.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("a {name} column: {csv}"));
    reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect()
}

#[test]
fn sensecore_pays_on_every_channel_from_the_command_line() {
    pays_every_channel("sensecore");
}

#[test]
fn top_pays_on_every_channel_from_the_command_line() {
    pays_every_channel("top");
}

#[test]
fn partner_pays_on_every_channel_from_the_command_line() {
    pays_every_channel("partner");
}

#[test]
fn yian_pays_on_every_channel_from_the_command_line() {
    pays_every_channel("yian");
}

#[test]
fn debit_pays_out_from_the_command_line() {
    pays_every_channel("debit");
}

#[test]
fn history_csv_is_byte_exact_for_scripts_and_its_help_says_so() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "sensecore")
        .unwrap();
    add_profile(data.path(), listing, "sc", None);
    // An order number a spreadsheet would run as a formula.
    let order_no = "=SUM(1+2)";
    let mut args = vec![
        "order",
        "add",
        "--profile",
        "sc",
        "--order-no",
        order_no,
        "--amount",
        "1.00",
    ];
    let attrs = attributes("sensecore", 0);
    for a in &attrs {
        args.extend(["--attr", a.as_str()]);
    }
    ok(&paydesk(data.path(), &args, None));
    ok(&paydesk(
        data.path(),
        &["pay", order_no, "--channel", "balance"],
        None,
    ));

    let csv = ok(&paydesk(data.path(), &["history", "--csv"], None));
    assert_eq!(
        column(&csv, "order_no"),
        [order_no],
        "kept byte for byte: {csv}"
    );
    assert!(csv.contains(",=SUM(1+2),"), "no quote, no prefix: {csv}");

    let help = ok(&paydesk(data.path(), &["history", "--help"], None));
    assert!(help.contains("byte for byte"), "{help}");
    assert!(help.contains("Not neutralised for spreadsheets"), "{help}");
    assert!(help.contains("window's export"), "{help}");
}

#[test]
fn a_sandboxs_payments_say_so_where_the_command_line_lists_them() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    // Nothing answers there as a sandbox: a real profile, its secrets not set.
    ok(&paydesk(
        data.path(),
        &[
            "profile",
            "add",
            "shop",
            "--gateway",
            "sensecore",
            "--base-url",
            "http://127.0.0.1:9",
        ],
        None,
    ));
    let attrs = attributes("sensecore", 0);
    for (profile, order_no) in [("sc", "SB-1"), ("shop", "OWN-1")] {
        let mut args = vec![
            "order",
            "add",
            "--profile",
            profile,
            "--order-no",
            order_no,
            "--amount",
            "1.00",
        ];
        for a in &attrs {
            args.extend(["--attr", a.as_str()]);
        }
        ok(&paydesk(data.path(), &args, None));
        // The real one cannot be signed without its secrets: recorded failed, never sent.
        paydesk(
            data.path(),
            &["pay", order_no, "--channel", "balance"],
            None,
        );
    }

    let history = ok(&paydesk(data.path(), &["history"], None));
    let line = |order_no: &str| {
        history
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(order_no))
            .unwrap_or_else(|| panic!("{order_no} in {history}"))
    };
    assert!(line("SB-1").ends_with("\tsc [SANDBOX]"), "{history}");
    assert!(line("OWN-1").ends_with("\tshop"), "{history}");

    // Whatever its exit code says of the payment (the real one's failed).
    let status = |order_no: &str| {
        String::from_utf8(paydesk(data.path(), &["status", order_no], None).stdout).unwrap()
    };
    let sandboxed = status("SB-1");
    assert!(
        sandboxed.starts_with("order SB-1 (CNY 1.00) via sc [SANDBOX]\n"),
        "{sandboxed}"
    );
    // What a support agent compares with the customer and the gateway: when, who, references.
    let attempt = sandboxed
        .lines()
        .skip_while(|l| !l.starts_with("  attempt "))
        .collect::<Vec<_>>();
    assert!(
        attempt[1].starts_with("    started 20") && attempt[1].contains(") by "),
        "{sandboxed}"
    );
    assert!(
        attempt[2].starts_with("    gateway reference "),
        "{sandboxed}"
    );
    let real = status("OWN-1");
    assert!(
        real.starts_with("order OWN-1 (CNY 1.00) via shop\n"),
        "{real}"
    );

    // For scripts: `--json` and `lookup` say which money is the demo's.
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_slice(&paydesk(data.path(), args, None).stdout).unwrap()
    };
    assert_eq!(json(&["status", "SB-1", "--json"])["is_sandbox"], true);
    assert_eq!(json(&["status", "OWN-1", "--json"])["is_sandbox"], false);
    let hit = |order_no: &str| {
        let out = ok(&paydesk(data.path(), &["lookup", order_no], None));
        out.lines().next().unwrap().to_string()
    };
    assert!(
        hit("SB-1").contains("CNY 1.00 [SANDBOX]\t"),
        "{}",
        hit("SB-1")
    );
    assert!(hit("OWN-1").contains("CNY 1.00\t"), "{}", hit("OWN-1"));
}

#[test]
fn a_gateway_refusal_exits_1_with_the_gateways_words() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "sensecore")
        .unwrap();
    add_profile(data.path(), listing, "wrong", Some("not-the-token"));
    ok(&paydesk(
        data.path(),
        &[
            "order",
            "add",
            "--profile",
            "wrong",
            "--order-no",
            "W-1",
            "--amount",
            "1",
        ],
        None,
    ));
    let out = paydesk(
        data.path(),
        &["pay", "W-1", "--channel", "balance", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["state"], "failed");
    assert_eq!(report["error"]["code"], "UNAUTHENTICATED");
    assert!(!report["error"]["message"].as_str().unwrap().is_empty());
}

#[test]
fn bad_input_exits_2_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "sensecore")
        .unwrap();
    add_profile(data.path(), listing, "sc", None);
    ok(&paydesk(
        data.path(),
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B-1",
            "--amount",
            "5.00",
        ],
        None,
    ));
    let before = ok(&paydesk(data.path(), &["history", "--json"], None));
    let cases: &[&[&str]] = &[
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B-2",
            "--amount",
            "1.234",
        ],
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B-2",
            "--amount",
            "-1",
        ],
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B-2",
            "--amount",
            "abc",
        ],
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "",
            "--amount",
            "1",
        ],
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B\u{7}2",
            "--amount",
            "1",
        ],
        &[
            "order",
            "add",
            "--profile",
            "nope",
            "--order-no",
            "B-2",
            "--amount",
            "1",
        ],
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "B-1",
            "--amount",
            "1",
        ],
        &["pay", "B-1", "--channel", "cash"],
        &["pay", "B-1"],
        &["pay", "B-1", "--channel", "bank"],
        &["pay", "B-1", "--channel", "balance", "--voucher", "v1=5.01"],
        &["pay", "B-1", "--channel", "balance", "--voucher", "v1"],
        &["pay", "B-1", "--channel", "balance", "--credit-amount", "1"],
        &["pay", "NOPE", "--channel", "balance"],
        &[
            "pay",
            "B-1",
            "--channel",
            "balance",
            "--expect-amount",
            "5.01",
        ],
        &[
            "pay",
            "B-1",
            "--channel",
            "balance",
            "--expect-amount",
            "five",
        ],
        &[
            "profile",
            "add",
            "x",
            "--gateway",
            "paypal",
            "--base-url",
            "https://x",
        ],
        &[
            "profile",
            "add",
            "x",
            "--gateway",
            "top",
            "--base-url",
            "http://example.com",
        ],
        &[
            "profile",
            "add",
            "bad name",
            "--gateway",
            "top",
            "--base-url",
            "https://x",
        ],
        &["history", "--state", "lost"],
        &["history", "--since", "yesterday"],
    ];
    for args in cases {
        let out = paydesk(data.path(), args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("paydesk: ") || stderr.starts_with("error:"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(
        ok(&paydesk(data.path(), &["history", "--json"], None)),
        before
    );
    let profiles = ok(&paydesk(data.path(), &["profile", "list"], None));
    assert_eq!(profiles.lines().count(), 1, "{profiles}");
    // The amount expected is the order's: it pays.
    let paid = ok(&paydesk(
        data.path(),
        &["pay", "B-1", "--channel", "balance", "--expect-amount", "5"],
        None,
    ));
    assert!(paid.contains("succeeded"), "{paid}");
}

/// Who took a payment: the desk and operator given for the run, else the environment's, else
/// the host name and OS user; `status --json` names them on each attempt and each event.
#[test]
fn every_attempt_and_event_names_its_desk_and_operator() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "sensecore")
        .unwrap();
    add_profile(data.path(), listing, "sc", None);
    let add_and_pay = |order_no: &str, names: &[&str], env: &[(&str, &str)]| -> Value {
        ok(&paydesk(
            data.path(),
            &[
                "order",
                "add",
                "--profile",
                "sc",
                "--order-no",
                order_no,
                "--amount",
                "1.00",
                "--currency",
                "CNY",
                "--subject",
                "tea",
            ],
            None,
        ));
        let mut pay = command(data.path());
        pay.args(["pay", order_no, "--channel", "balance"])
            .args(names);
        for (key, value) in env {
            pay.env(key, value);
        }
        let paid = pay.output().unwrap();
        ok(&paid);
        let status = ok(&paydesk(data.path(), &["status", order_no, "--json"], None));
        serde_json::from_str(&status).unwrap()
    };
    let named = add_and_pay(
        "DESK-1",
        &["--desk", "前台 1", "--operator", "alice"],
        &[("PAYDESK_OPERATOR", "not-alice")],
    );
    let attempt = &named["attempts"][0];
    assert_eq!(
        (attempt["desk"].as_str(), attempt["operator"].as_str()),
        (Some("前台 1"), Some("alice")),
        "{named}"
    );
    for event in attempt["events"].as_array().unwrap() {
        assert_eq!(
            (event["desk"].as_str(), event["operator"].as_str()),
            (Some("前台 1"), Some("alice")),
            "{event}"
        );
    }

    let from_env = add_and_pay("DESK-2", &[], &[("PAYDESK_OPERATOR", "bob")]);
    let attempt = &from_env["attempts"][0];
    assert_eq!(attempt["operator"], "bob", "{from_env}");
    let desk = attempt["desk"].as_str().unwrap();
    assert!(
        !desk.is_empty() && desk != "前台 1",
        "the host name by default: {from_env}"
    );

    let refused = paydesk(data.path(), &["status", "DESK-1", "--desk", " "], None);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
}
