//! The command line as support scripts use it: the real `paydesk` binary against
//! `paydesk sandbox` in another process, every gateway, every channel it offers.
//! Needs the OS keyring (secrets are stored with `paydesk secret set`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_paydesk");

struct Sandbox {
    child: Child,
    listings: Vec<Value>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox() -> Sandbox {
    let mut child = Command::new(BIN)
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("paydesk sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listings: Vec<Value> = (0..5)
        .map(|_| serde_json::from_str(&lines.next().expect("a listing line").unwrap()).unwrap())
        .collect();
    Sandbox { child, listings }
}

fn paydesk(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("PAYDESK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Order attributes a gateway needs (partner's are per order).
fn attributes(gateway: &str) -> Vec<&'static str> {
    match gateway {
        "partner" => vec![
            "user_id=41840909af844632885424fbc20cae79",
            "gift_pos_id=55fca782f55f406d94e2cecb23d0140b",
            "address_id=1",
        ],
        "sensecore" => vec!["resource_pack_id=rp-cli"],
        _ => vec![],
    }
}

/// Sets up a profile for `gateway` from the sandbox's own listing, secrets through stdin.
fn add_profile(
    data: &Path,
    listing: &Value,
    name: &str,
    secret_override: Option<&str>,
) -> Vec<String> {
    let gateway = listing["gateway"].as_str().unwrap();
    let mut args = vec![
        "profile".to_string(),
        "add".into(),
        name.into(),
        "--gateway".into(),
        gateway.into(),
        "--base-url".into(),
        listing["base_url"].as_str().unwrap().into(),
    ];
    for (k, v) in listing["settings"].as_object().unwrap() {
        args.push("--set".into());
        args.push(format!("{k}={}", v.as_str().unwrap()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(
        ok(&paydesk(data, &args, None)).contains("SANDBOX"),
        "a sandbox profile is labelled"
    );
    for (key, value) in listing["secrets"].as_object().unwrap() {
        let value = secret_override.unwrap_or(value.as_str().unwrap());
        ok(&paydesk(
            data,
            &["secret", "set", name, key],
            Some(&format!("{value}\n")),
        ));
    }
    let profiles: Value =
        serde_json::from_str(&ok(&paydesk(data, &["profile", "list", "--json"], None))).unwrap();
    let profile = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
        .clone();
    assert_eq!(profile["is_sandbox"], true);
    assert!(!profile
        .to_string()
        .contains(listing["secrets"].to_string().trim_matches(['{', '}'])));
    profile["capabilities"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

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
            "--subject",
            "cli test",
        ];
        let attrs = attributes(gateway);
        for a in &attrs {
            args.extend(["--attr", a]);
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
}

#[test]
fn sensecore_pays_on_every_channel_from_the_command_line() {
    pays_every_channel("sensecore");
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
}
