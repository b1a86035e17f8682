//! Desks sharing a PostgreSQL store from the command line: `store connect`, `status` and
//! `disconnect`; a payment made at one desk seen at another with the desk that made it;
//! desk processes racing to pay one order send one request; a refused address changes nothing.
//! Runs where the test command gives a server (`PAYDESK_TEST_POSTGRES=1` inside pg_virtualenv).

mod common;

use std::process::{Command as Process, Stdio};

use common::*;
use serde_json::Value;

/// A fresh database on the test server and its URL (without the password), or None where the
/// test command gave no server.
fn shared_database() -> Option<String> {
    if std::env::var_os("PAYDESK_TEST_POSTGRES").is_none() {
        eprintln!("skipped: no PostgreSQL given (PAYDESK_TEST_POSTGRES=1 inside pg_virtualenv)");
        return None;
    }
    let name = format!("cli_{}", std::process::id());
    let created = Process::new("psql")
        .args(["-qc", &format!("CREATE DATABASE {name}")])
        .status()
        .unwrap();
    assert!(created.success());
    let var = |k: &str| std::env::var(k).unwrap();
    Some(format!(
        "postgres://{}@{}:{}/{name}",
        var("PGUSER"),
        var("PGHOST"),
        var("PGPORT")
    ))
}

fn at_desk(
    data: &std::path::Path,
    desk: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    let mut child = command(data)
        .env("PAYDESK_DESK", desk)
        .env("PAYDESK_OPERATOR", format!("{desk}-operator"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn status(data: &std::path::Path, desk: &str) -> Value {
    serde_json::from_str(&ok(&at_desk(
        data,
        desk,
        &["store", "status", "--json"],
        None,
    )))
    .unwrap()
}

#[test]
fn desks_share_one_history_through_the_server() {
    let Some(url) = shared_database() else {
        return;
    };
    let password = std::env::var("PGPASSWORD").unwrap();
    let (desk_1, desk_2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // An address carrying a password is refused, and nothing is saved.
    let with_password = url.replace("@", &format!(":{password}@"));
    let refused = at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "connect", &with_password],
        None,
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("carries a password") && !said.contains(&password),
        "{said}"
    );
    assert_eq!(status(desk_1.path(), "desk-1")["kind"], "sqlite");

    for (data, desk) in [(&desk_1, "desk-1"), (&desk_2, "desk-2")] {
        ok(&at_desk(
            data.path(),
            desk,
            &["store", "connect", &url],
            Some(&password),
        ));
        let status = status(data.path(), desk);
        assert_eq!(status["kind"], "postgres", "{status}");
        assert_eq!(status["url"], url.as_str());
        assert_eq!(status["reachable"], true);
        assert_eq!(status["read_only"], false);
        assert_eq!(status["desk"], desk);
        assert_eq!(status["operator"], format!("{desk}-operator"));
        assert_eq!(status["schema_version"], 1);
        assert!(!status.to_string().contains(&password));
    }

    // Latency keeps a payment in flight while the other desks start theirs.
    let sandbox = start_sandbox_with(&["--fault", "sensecore:latency_ms=400"]);
    add_profile(desk_1.path(), sandbox.listing("sensecore"), "sc", None);
    ok(&at_desk(
        desk_2.path(),
        "desk-2",
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            "SH-1",
            "--amount",
            "6.60",
            "--attr",
            "resource_pack_id=rp-1",
        ],
        None,
    ));
    let racers: Vec<_> = [&desk_1, &desk_2, &desk_1, &desk_2]
        .iter()
        .enumerate()
        .map(|(n, data)| {
            command(data.path())
                .env("PAYDESK_DESK", format!("racer-{n}"))
                .args(["pay", "SH-1", "--channel", "balance", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = racers
        .into_iter()
        .map(|r| r.wait_with_output().unwrap())
        .collect();
    let paid: Vec<_> = outputs.iter().filter(|o| o.status.success()).collect();
    assert_eq!(paid.len(), 1, "one desk pays: {outputs:?}");
    for refused in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("already in progress at racer-") || said.contains("already paid"),
            "{said}"
        );
    }
    let requests = sandbox.admin("requests");
    let pay_requests: u64 = requests
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("POST ") && k.ends_with("/v1/orders/SH-1:pay"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert_eq!(pay_requests, 1, "exactly one request reached the gateway");

    // The other desk sees the payment, and which desk took it.
    let seen: Value = serde_json::from_str(&ok(&at_desk(
        desk_2.path(),
        "desk-2",
        &["status", "SH-1", "--json"],
        None,
    )))
    .unwrap();
    let attempts = seen["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "{seen}");
    let winner: &Value = &serde_json::from_slice::<Value>(&paid[0].stdout).unwrap();
    assert!(
        attempts[0]["desk"].as_str().unwrap().starts_with("racer-"),
        "{seen}"
    );
    assert_eq!(attempts[0]["id"], winner["attempt_id"], "{seen} {winner}");

    // Back to its own file: the shared history stays on the server.
    ok(&at_desk(
        desk_2.path(),
        "desk-2",
        &["store", "disconnect"],
        None,
    ));
    assert_eq!(status(desk_2.path(), "desk-2")["kind"], "sqlite");
    let gone = at_desk(desk_2.path(), "desk-2", &["status", "SH-1", "--json"], None);
    assert_eq!(gone.status.code(), Some(2), "no such order here: {gone:?}");
    assert_eq!(status(desk_1.path(), "desk-1")["kind"], "postgres");
}
