//! A desk's shift at the command line, judged by the sandbox's ledger: the real binary, on the
//! demo (where sandbox payments are the demo's money; in live data they never count), pays on
//! every gateway (a voucher, a coupon, a payout, a refusal, a payment no gateway can settle),
//! the shift's totals match what the emulators charged and paid out to the minor unit, and
//! the shift does not close over a payment still open until it is acknowledged. Needs the OS
//! keyring (`paydesk secret set`).

mod common;

use common::*;
use serde_json::Value;

fn json(output: &std::process::Output) -> Value {
    serde_json::from_str(&ok(output)).unwrap()
}

#[test]
fn a_shift_s_totals_are_what_the_gateways_charged_and_it_closes_only_over_acknowledged_payments() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let sandbox = start_sandbox();
    let paydesk = |d: &std::path::Path, args: &[&str], stdin: Option<&str>| {
        let mut all = vec!["--demo"];
        all.extend_from_slice(args);
        common::paydesk(d, &all, stdin)
    };
    for gateway in ["sensecore", "yian", "top", "partner", "debit"] {
        let listing = sandbox.listing(gateway);
        let mut args = vec![
            "profile".to_string(),
            "add".into(),
            gateway.into(),
            "--gateway".into(),
            gateway.into(),
            "--base-url".into(),
            listing["base_url"].as_str().unwrap().into(),
        ];
        for (k, v) in listing["settings"].as_object().unwrap() {
            args.extend(["--set".to_string(), format!("{k}={}", v.as_str().unwrap())]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&paydesk(d, &args, None));
        for (key, value) in listing["secrets"].as_object().unwrap() {
            let value = format!("{}\n", value.as_str().unwrap());
            ok(&paydesk(d, &["secret", "set", gateway, key], Some(&value)));
        }
    }
    let shift = json(&paydesk(d, &["shift", "open", "--json"], None));
    let again = paydesk(d, &["shift", "open"], None);
    assert_eq!(again.status.code(), Some(2), "one open shift per desk");

    let order = |gateway: &str, order_no: &str, amount: &str, n: usize| {
        let mut args = vec![
            "order".to_string(),
            "add".into(),
            "--profile".into(),
            gateway.into(),
            "--order-no".into(),
            order_no.into(),
            "--amount".into(),
            amount.into(),
        ];
        for a in attributes(gateway, n) {
            args.extend(["--attr".to_string(), a]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&paydesk(d, &args, None));
    };
    let pay = |args: &[&str]| paydesk(d, args, None);

    order("sensecore", "S-1", "12.34", 0);
    ok(&pay(&[
        "pay",
        "S-1",
        "--channel",
        "balance",
        "--voucher",
        "v-1=2.34",
    ]));
    order("partner", "P-1", "3.00", 1);
    ok(&pay(&[
        "pay",
        "P-1",
        "--channel",
        "balance",
        "--coupon",
        "sandbox-coupon-100",
    ]));
    order("top", "T-1", "30.00", 0);
    ok(&pay(&["pay", "T-1", "--channel", "balance"]));
    // Beyond the sandbox's credit line: the gateway refuses it, nothing is charged.
    order("top", "T-2", "60000.00", 0);
    let refused = pay(&["pay", "T-2", "--channel", "credit"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    order("yian", "Y-1", "19.90", 0);
    pay(&["pay", "Y-1", "--channel", "alipay"]);
    order("debit", "D-1", "250.00", 0);
    pay(&["pay", "D-1", "--channel", "bank"]);
    // The partner cannot be asked about an Alipay payment: it stays open for a person.
    order("partner", "P-2", "5.00", 2);
    pay(&["pay", "P-2", "--channel", "alipay"]);
    ok(&pay(&["reconcile"]));

    let waiting = json(&paydesk(d, &["status", "P-2", "--json"], None));
    let open_attempt = waiting["attempts"][0]["id"].as_i64().unwrap();
    let refused = paydesk(d, &["shift", "close"], None);
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains(&format!("attempt {open_attempt} of order P-2")),
        "{said}"
    );
    let report = json(&paydesk(
        d,
        &[
            "shift",
            "close",
            "--acknowledge",
            &open_attempt.to_string(),
            "--json",
        ],
        None,
    ));
    assert_eq!(report["shift"]["id"], shift["id"]);
    assert!(report["shift"]["closed_at"].is_i64());
    assert_eq!(report["open"][0]["order_no"], "P-2");
    assert_eq!(report["open"][0]["acknowledged"], true);

    // What the emulators moved, by direction, for the payments paydesk knows settled; what it
    // moved for a payment still open is the one the report names for a person to settle.
    let ledger = sandbox.admin("ledger");
    let charges = ledger.as_array().unwrap();
    let still_open: Vec<&Value> = report["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["order_no"])
        .collect();
    let moved = |payout: bool| -> i64 {
        charges
            .iter()
            .filter(|c| (c["gateway"] == "debit") == payout)
            .filter(|c| !still_open.contains(&&c["order_no"]))
            .map(|c| c["amount_minor"].as_i64().unwrap())
            .sum()
    };
    assert!(
        charges.iter().any(|c| c["order_no"] == "P-2"),
        "the customer paid the open one: {ledger}"
    );
    assert_eq!(report["open"][0]["charged"]["amount_minor"], 500);
    let totals = |currency: &str| -> Value {
        report["currencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["currency"] == currency)
            .cloned()
            .unwrap_or_else(|| panic!("no {currency} totals in {report}"))
    };
    let cny = totals("CNY");
    assert_eq!(
        cny["taken_in"]["amount_minor"].as_i64().unwrap(),
        moved(false),
        "{report}"
    );
    assert_eq!(cny["paid_out"]["amount_minor"], 0);
    assert_eq!(
        cny["deducted"]["amount_minor"],
        234 + 100,
        "the voucher and the coupon"
    );
    let inr = totals("INR");
    assert_eq!(
        inr["paid_out"]["amount_minor"].as_i64().unwrap(),
        moved(true),
        "{report}"
    );
    assert_eq!(inr["taken_in"]["amount_minor"], 0);
    let lines = cny["lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["gateway"] == "top" && l["state"] == "failed"),
        "the refusal is a line of its own: {lines:?}"
    );

    // Closed: listed, and its report read again says the same.
    let listed = json(&paydesk(d, &["shift", "list", "--json"], None));
    assert_eq!(listed[0]["id"], shift["id"]);
    let id = shift["id"].to_string();
    let read_again = json(&paydesk(d, &["shift", "report", &id, "--json"], None));
    assert_eq!(read_again["currencies"], report["currencies"]);
    let csv = ok(&paydesk(d, &["shift", "report", &id, "--csv"], None));
    assert!(
        csv.starts_with(
            "shift_id,currency,direction,gateway,channel,state,count,charged,charged_minor\n"
        ),
        "{csv}"
    );
    let no_shift = paydesk(d, &["shift", "close"], None);
    assert_eq!(no_shift.status.code(), Some(2), "no open shift to close");
    let audit = ok(&paydesk(d, &["audit"], None));
    assert!(
        audit.contains("shift_opened") && audit.contains("shift_closed"),
        "{audit}"
    );
}
