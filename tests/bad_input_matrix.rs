//! Hostile input at the command line: every field of every writing command gets empty values,
//! huge strings, control characters, wrong types and the like. Each is refused with exit code
//! 2 and one short line on stderr, and the database is the same afterwards, table by table.
//! Path-like, URL-like and mixed-script order numbers are the merchant's own text: they are
//! kept byte for byte, never interpreted.
//!
//! Needs the OS keyring (the secret cases): runs inside scripts/in-keyring-session.sh.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Every row of every table (`sqlite3 .dump`), the measure of "nothing changed".
fn dump(data: &Path) -> String {
    let out = Command::new("sqlite3")
        .arg(data.join("paydesk.sqlite"))
        .arg(".dump")
        .output()
        .expect("sqlite3 (scripts/setup.sh installs it)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A 100 KB value: the longest a single argument may be is 128 KiB on Linux, so the megabyte
/// cases go through stdin.
fn big() -> String {
    "a".repeat(100 * 1024)
}

#[test]
fn hostile_values_are_refused_with_one_clear_line_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    ok(&paydesk(
        d,
        &[
            "profile",
            "add",
            "shop",
            "--gateway",
            "sensecore",
            "--base-url",
            "https://gw.example",
            "--set",
            "billing_account_id=ba-1",
        ],
        None,
    ));
    ok(&paydesk(
        d,
        &[
            "order",
            "add",
            "--profile",
            "shop",
            "--order-no",
            "O-1",
            "--amount",
            "5.00",
        ],
        None,
    ));
    ok(&paydesk(
        d,
        &["secret", "set", "shop", "token"],
        Some("t0k3n\n"),
    ));
    let before = dump(d);
    assert!(before.contains("'O-1'"), "{before}");

    let big = big();
    let hostile_text = [
        "".to_string(),
        big.clone(),
        // Long, yet under the command line's own limit on an argument's length.
        "x".repeat(3000),
        // (NUL cannot be an argument at all; it is tried on stdin below.)
        "A\u{1}B".into(),
        "A\u{7}B".into(),
        "A\u{1b}[31mB".into(),
        "A\nB".into(),
        "A\r\nB".into(),
        "next\u{85}line".into(),
    ];
    let order = |no: &str, amount: &str, currency: &str| -> Vec<String> {
        [
            "order",
            "add",
            "--profile",
            "shop",
            "--order-no",
            no,
            "--amount",
            amount,
            "--currency",
            currency,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let mut cases: Vec<Vec<String>> = Vec::new();
    for text in &hostile_text {
        let voucher = format!("{text}=1.00");
        cases.push(order(text, "1.00", "CNY"));
        cases.push(order("O-2", text, "CNY"));
        cases.push(order("O-2", "1.00", text));
        let mut with_subject = order("O-2", "1.00", "CNY");
        with_subject.extend(["--subject".into(), format!("s{text}")]);
        if !text.is_empty() && text != &big {
            cases.push(with_subject);
        }
        let mut with_attr = order("O-2", "1.00", "CNY");
        with_attr.extend(["--attr".into(), format!("{text}=v")]);
        cases.push(with_attr);
        for args in [
            vec![
                "profile",
                "add",
                text,
                "--gateway",
                "sensecore",
                "--base-url",
                "https://gw.example",
            ],
            vec![
                "profile",
                "add",
                "p2",
                "--gateway",
                text,
                "--base-url",
                "https://gw.example",
            ],
            vec![
                "profile",
                "add",
                "p2",
                "--gateway",
                "sensecore",
                "--base-url",
                text,
            ],
            vec!["pay", "O-1", "--channel", text],
            vec!["pay", text, "--channel", "balance"],
            vec!["status", text],
            vec!["history", "--state", text],
            vec!["history", "--profile", text],
            vec!["pay", "O-1", "--channel", "balance", "--voucher", &voucher],
            vec!["history", "--since", text],
        ] {
            cases.push(args.into_iter().map(str::to_string).collect());
        }
    }
    // Amounts: over-precise, negative, zero, overflowing, not numbers.
    let long_negative = format!("-{}1", "0".repeat(3000));
    for amount in [
        long_negative.as_str(),
        "1.234",
        "-1",
        "0",
        "0.00",
        "92233720368547758.08",
        // Above the most an order may be, though it fits in 64 bits: its sums would not.
        "10000000000.01",
        "92233720368547758.07",
        "1e3",
        "NaN",
        "１２",
        "12元",
        "1,5",
    ] {
        cases.push(order("O-2", amount, "CNY"));
    }
    // Path-like, URL-like and mixed-script profile names are not names.
    for name in ["../../etc/passwd", "http://x/y?z#w", "商户🙂", "a b"] {
        cases.push(
            [
                "profile",
                "add",
                name,
                "--gateway",
                "sensecore",
                "--base-url",
                "https://gw.example",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        );
    }
    // Base URLs that are not https to another machine, or that carry credentials.
    for url in [
        "http://gw.example",
        "https://user:pw@gw.example",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://gw.example/?q=1",
    ] {
        cases.push(
            [
                "profile",
                "add",
                "p2",
                "--gateway",
                "sensecore",
                "--base-url",
                url,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        );
    }
    // The same order twice, a profile twice, and wrong types for typed flags.
    cases.push(order("O-1", "1.00", "CNY"));
    cases.push(
        [
            "profile",
            "add",
            "shop",
            "--gateway",
            "sensecore",
            "--base-url",
            "https://gw.example",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    cases.push(vec![
        "resolve".into(),
        "one".into(),
        "--decision".into(),
        "succeeded".into(),
        "--note".into(),
        "n".into(),
    ]);
    cases.push(vec![
        "resolve".into(),
        "999".into(),
        "--decision".into(),
        "maybe".into(),
        "--note".into(),
        "n".into(),
    ]);

    let mut problems = Vec::new();
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = paydesk(d, &args, None);
        let shown: Vec<String> = args.iter().map(|a| a.chars().take(30).collect()).collect();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(2) {
            problems.push(format!("{shown:?}: exit {:?}: {stderr}", out.status.code()));
        } else if !(stderr.starts_with("paydesk: ") || stderr.starts_with("error:")) {
            problems.push(format!("{shown:?}: {stderr}"));
        } else if stderr.starts_with("paydesk: ") && stderr.trim_end().lines().count() != 1 {
            // One clear line (clap's own usage text aside).
            problems.push(format!("{shown:?}: several lines: {stderr}"));
        } else if stderr.len() >= 2048 {
            // Never the huge value echoed back.
            problems.push(format!("{shown:?}: {} bytes on stderr", stderr.len()));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // Secrets: names and values the keyring must not be given; a megabyte arrives on stdin.
    let megabyte = "k".repeat(1 << 20);
    for (key, value) in [
        ("token", ""),
        ("token", "\n"),
        ("token", megabyte.as_str()),
        ("token", "line1\nline2"),
        ("token", "nul\u{0}byte"),
        ("", "v"),
        ("../../etc/passwd", "v"),
        ("tok en", "v"),
        ("токен🙂", "v"),
        // A well-formed name the profile's gateway does not take: it would sit unread.
        ("tokne", "v"),
    ] {
        let out = paydesk(d, &["secret", "set", "shop", key], Some(value));
        assert_eq!(out.status.code(), Some(2), "{key:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.len() < 2048, "{} bytes", stderr.len());
        assert!(!stderr.contains("kkkkkkkk"), "the value is echoed");
    }

    assert_eq!(dump(d), before, "a refused command changed the database");
    let profiles = ok(&paydesk(d, &["profile", "list"], None));
    assert_eq!(profiles.lines().count(), 1, "{profiles}");
}

#[test]
fn path_like_url_like_and_mixed_script_order_numbers_are_kept_exactly() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    ok(&paydesk(
        d,
        &[
            "profile",
            "add",
            "shop",
            "--gateway",
            "sensecore",
            "--base-url",
            "https://gw.example",
        ],
        None,
    ));
    for no in [
        "../../etc/passwd",
        "http://x/y?z#w",
        "订单-Ωμέγα-١٢٣-🙂",
        "a;DROP TABLE orders;--",
        "%2e%2e%2f",
    ] {
        ok(&paydesk(
            d,
            &[
                "order",
                "add",
                "--profile",
                "shop",
                "--order-no",
                no,
                "--amount",
                "1.00",
            ],
            None,
        ));
        let status: serde_json::Value =
            serde_json::from_str(&ok(&paydesk(d, &["status", no, "--json"], None))).unwrap();
        assert_eq!(status["order_no"], no);
    }
    let tables = dump(d);
    assert!(
        tables.contains("CREATE TABLE orders"),
        "the orders table is still there"
    );
}
