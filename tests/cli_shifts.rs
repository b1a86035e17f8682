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
            "shift_id,currency,direction,gateway,channel,state,count,charged,charged_minor,credit,credit_minor\n"
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

    day_report_and_receipts(d, &paydesk, &cny, &id);
}

/// paydesk at a data directory on the demo.
type Paydesk = dyn Fn(&std::path::Path, &[&str], Option<&str>) -> std::process::Output;

fn pdftotext(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian poppler-utils, scripts/setup.sh)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// After the shift: the day's report across desks (a payment outside any shift listed as
/// such), the merchant's settings, receipts in both languages (a reprint a copy, a sandbox
/// payment's a specimen), and the reports as PDF, read back by pdftotext.
fn day_report_and_receipts(
    d: &std::path::Path,
    paydesk: &Paydesk,
    shift_cny: &Value,
    shift_id: &str,
) {
    ok(&paydesk(
        d,
        &[
            "merchant",
            "set",
            "--name",
            "益安便利店",
            "--address",
            "上海市徐汇区 1 号",
            "--time-zone",
            "Asia/Shanghai",
        ],
        None,
    ));
    let bad_zone = paydesk(d, &["merchant", "set", "--time-zone", "Mars/Olympus"], None);
    assert_eq!(bad_zone.status.code(), Some(2), "{bad_zone:?}");
    let merchant = json(&paydesk(d, &["merchant", "show", "--json"], None));
    assert_eq!(
        merchant["time_zone"], "Asia/Shanghai",
        "the bad zone changed nothing"
    );
    assert_eq!(merchant["settings"]["name"], "益安便利店");

    // Paying needs no shift: this one is the day's, outside any shift.
    let mut args = vec![
        "order",
        "add",
        "--profile",
        "sensecore",
        "--order-no",
        "S-2",
        "--amount",
        "1.50",
    ];
    let attrs = attributes("sensecore", 3);
    for a in &attrs {
        args.extend(["--attr", a.as_str()]);
    }
    ok(&paydesk(d, &args, None));
    ok(&paydesk(d, &["pay", "S-2", "--channel", "balance"], None));
    let day = json(&paydesk(d, &["day", "report", "--json"], None));
    let cny = |totals: &Value| -> i64 {
        totals["currencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["currency"] == "CNY")
            .map_or(0, |c| c["taken_in"]["amount_minor"].as_i64().unwrap())
    };
    assert_eq!(day["time_zone"], "Asia/Shanghai");
    assert_eq!(cny(&day["outside_shifts"]), 150, "{day}");
    assert_eq!(day["outside_shifts"]["attempts"], 1);
    assert_eq!(
        cny(&day["totals"]),
        shift_cny["taken_in"]["amount_minor"].as_i64().unwrap() + 150,
        "{day}"
    );
    assert_eq!(day["shifts"][0]["shift"]["id"].to_string(), shift_id);
    let csv = ok(&paydesk(d, &["day", "report", "--csv"], None));
    assert!(
        csv.starts_with(
            "total_of,currency,direction,gateway,channel,state,count,charged,charged_minor,credit,credit_minor\n"
        ),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l == "outside_shifts,CNY,in,sensecore,balance,succeeded,1,1.50,150,,"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with(&format!("shift:{shift_id},CNY,in,"))),
        "{csv}"
    );

    let out = tempfile::tempdir().unwrap();
    let first = out.path().join("receipt-1.pdf");
    ok(&paydesk(
        d,
        &[
            "receipt",
            "S-1",
            "--pdf",
            first.to_str().unwrap(),
            "--lang",
            "zh-CN",
        ],
        None,
    ));
    let zh = pdftotext(&first);
    for said in [
        "益安便利店",
        "收款凭证",
        "S-1",
        "12.34",
        "10.00",
        "支付成功",
        "样张",
    ] {
        assert!(zh.contains(said), "{said:?} not in\n{zh}");
    }
    assert!(
        !zh.contains("副本"),
        "the first receipt is the original:\n{zh}"
    );
    let second = out.path().join("receipt-2.pdf");
    ok(&paydesk(
        d,
        &[
            "receipt",
            "S-1",
            "--pdf",
            second.to_str().unwrap(),
            "--lang",
            "en",
        ],
        None,
    ));
    let en = pdftotext(&second);
    for said in ["COPY", "SPECIMEN", "S-1", "12.34"] {
        assert!(en.contains(said), "{said:?} not in\n{en}");
    }
    // The state on its own line, worded as the window words it.
    assert!(
        en.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["State", "Paid"]),
        "no state line in\n{en}"
    );

    // Refusals change nothing: an unpaid order, a file that cannot be written.
    let unpaid = out.path().join("unpaid.pdf");
    let refused = paydesk(
        d,
        &["receipt", "T-2", "--pdf", unpaid.to_str().unwrap()],
        None,
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(!unpaid.exists(), "no file for an unpaid order");
    let nowhere = out.path().join("no-such-dir").join("r.pdf");
    let refused = paydesk(
        d,
        &["receipt", "S-1", "--pdf", nowhere.to_str().unwrap()],
        None,
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let trail = json(&paydesk(d, &["audit", "--json"], None));
    let receipts = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "receipt_issued" || e["action"] == "receipt_reprinted")
        .count();
    assert_eq!(receipts, 2, "{trail}");

    let shift_pdf = out.path().join("shift.pdf");
    ok(&paydesk(
        d,
        &[
            "shift",
            "report",
            shift_id,
            "--pdf",
            shift_pdf.to_str().unwrap(),
            "--lang",
            "en",
        ],
        None,
    ));
    let shift = pdftotext(&shift_pdf);
    for said in [
        &format!("Shift report #{shift_id}")[..],
        "P-2",
        "Taken in",
        "Payments still open",
    ] {
        assert!(shift.contains(said), "{said:?} not in\n{shift}");
    }
    let day_pdf = out.path().join("day.pdf");
    ok(&paydesk(
        d,
        &[
            "day",
            "report",
            "--pdf",
            day_pdf.to_str().unwrap(),
            "--lang",
            "zh-CN",
        ],
        None,
    ));
    let day_text = pdftotext(&day_pdf);
    for said in ["日结报表", "班次之外", "1.50"] {
        assert!(day_text.contains(said), "{said:?} not in\n{day_text}");
    }
}
