//! The audit trail at the command line: the real binary on a data directory; what it did is
//! on the trail (which secret, never its value), newest first, and the file refuses to lose
//! an entry. Needs the OS keyring (`paydesk secret set`) and `sqlite3`.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn what_a_desk_did_is_on_its_trail_and_stays_there() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let yian = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "yian")
        .unwrap();
    add_profile(
        data.path(),
        yian,
        "ya",
        Some("canary-secret-0123456789abcdef01234567"),
    );
    ok(&paydesk(
        data.path(),
        &[
            "order",
            "add",
            "--profile",
            "ya",
            "--order-no",
            "AU-1",
            "--amount",
            "9.90",
        ],
        None,
    ));
    ok(&paydesk(
        data.path(),
        &["order", "cancel", "AU-1", "--note", "wrong till"],
        None,
    ));
    let out = ok(&paydesk(data.path(), &["audit", "--json"], None));
    assert!(
        !out.contains("canary"),
        "a secret's value is never on the trail: {out}"
    );
    let entries: Vec<Value> = serde_json::from_str(&out).unwrap();
    let seen: Vec<(String, String)> = entries
        .iter()
        .rev()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("profile_added", "ya"),
        ("secret_set", "ya"),
        ("order_added", "AU-1"),
        ("order_cancelled", "AU-1"),
    ]
    .iter()
    .map(|(a, s)| (a.to_string(), s.to_string()))
    .collect();
    assert_eq!(seen, expected);
    assert_eq!(entries[0]["detail"]["note"], "wrong till");
    assert_eq!(entries[2]["detail"]["key"], "token");

    let db = data.path().join("paydesk.sqlite");
    for tampering in ["DELETE FROM audit", "UPDATE audit SET desk = 'elsewhere'"] {
        let refused = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg(tampering)
            .output()
            .unwrap();
        assert!(!refused.status.success(), "{tampering}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("append-only"),
            "{tampering}"
        );
    }
    let again: Vec<Value> =
        serde_json::from_str(&ok(&paydesk(data.path(), &["audit", "--json"], None))).unwrap();
    assert_eq!(again.len(), 4);
    let lines = ok(&paydesk(
        data.path(),
        &["audit", "--since", "2000-01-01"],
        None,
    ));
    assert_eq!(lines.lines().count(), 4, "{lines}");
    assert!(
        lines
            .lines()
            .next()
            .unwrap()
            .contains("order_cancelled\tAU-1"),
        "{lines}"
    );
}

/// The partner's answer names the buyer and the receiver, with phones and an address: `status
/// --json` hides them, as the window does, and shows them only when asked, on the trail first.
#[test]
fn a_customers_personal_data_is_hidden_from_status_and_shown_on_the_trail_when_asked() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let partner = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "partner")
        .unwrap();
    add_profile(data.path(), partner, "pt", None);
    add_partner_order(data.path(), "PII-1", 0);
    ok(&paydesk(
        data.path(),
        &["pay", "PII-1", "--channel", "balance"],
        None,
    ));
    let revealed = |data: &std::path::Path| -> usize {
        let trail: Vec<Value> =
            serde_json::from_str(&ok(&paydesk(data, &["audit", "--json"], None))).unwrap();
        trail
            .iter()
            .filter(|e| e["action"] == "personal_data_revealed" && e["subject"] == "PII-1")
            .count()
    };
    // The sandbox's buyer and their phone.
    let people = ["18569557087", "张学友"];

    let hidden = ok(&paydesk(data.path(), &["status", "PII-1", "--json"], None));
    for person in people {
        assert!(!hidden.contains(person), "{person} in {hidden}");
    }
    let status: Value = serde_json::from_str(&hidden).unwrap();
    let answer: Value = serde_json::from_str(
        status["attempts"][0]["events"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find_map(|e| e["detail"].as_str())
            .expect("the gateway's answer"),
    )
    .unwrap();
    assert_eq!(answer["user_phone"], "•••", "{answer}");
    assert_eq!(answer["order_price"], 300, "the money stays: {answer}");
    assert_eq!(revealed(data.path()), 0);

    let refused = paydesk(
        data.path(),
        &["status", "PII-1", "--show-personal-data"],
        None,
    );
    assert_eq!(
        refused.status.code(),
        Some(2),
        "only with --json: {refused:?}"
    );

    let shown = ok(&paydesk(
        data.path(),
        &["status", "PII-1", "--json", "--show-personal-data"],
        None,
    ));
    for person in people {
        assert!(shown.contains(person), "{person} not in {shown}");
    }
    assert_eq!(revealed(data.path()), 1, "the showing is on the trail");
}
