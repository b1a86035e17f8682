//! Desks sharing a PostgreSQL store from the command line: `store connect`, `status` and
//! `disconnect`; a payment made at one desk seen at another with the desk that made it;
//! desk processes racing to pay one order send one request; a refused address changes nothing.
//! Runs where the test command gives a server (`PAYDESK_TEST_POSTGRES=1` inside pg_virtualenv).

mod common;

use std::process::Stdio;

use common::*;
use serde_json::Value;

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
        assert_eq!(status["schema_version"], 12);
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
    assert_eq!(
        sandbox.pay_requests("SH-1"),
        1,
        "exactly one request reached the gateway"
    );

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

    // A newer paydesk's owner brought the schema forward: this desk says why it cannot use
    // it, and what to do.
    let database = url.rsplit('/').next().unwrap();
    let psql = |sql: &str| {
        let done = std::process::Command::new("psql")
            .args(["-qd", database, "-c", sql])
            .status()
            .unwrap();
        assert!(done.success(), "{sql}");
    };
    psql(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'a newer paydesk', true, '\\x00'::bytea, 0)",
    );
    let unfit = status(desk_1.path(), "desk-1");
    assert_eq!(unfit["reachable"], false, "{unfit}");
    assert!(
        unfit["why_unreachable"]
            .as_str()
            .is_some_and(|why| why.contains(
                "(version 9999) is newer than this paydesk's (12): update paydesk on this desk"
            )),
        "{unfit}"
    );
    let said = ok(&at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "status"],
        None,
    ));
    assert!(
        said.contains("NOT usable: ") && said.contains("update paydesk on this desk"),
        "{said}"
    );
    psql("DELETE FROM _sqlx_migrations WHERE version = 9999");
    assert_eq!(
        status(desk_1.path(), "desk-1")["why_unreachable"],
        Value::Null
    );
}

#[test]
fn a_desk_with_a_history_of_its_own_moves_it_in_once_when_it_connects() {
    let Some(url) = shared_database() else {
        return;
    };
    let password = std::env::var("PGPASSWORD").unwrap();
    let (desk_1, desk_2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sandbox = start_sandbox();
    add_profile(desk_1.path(), sandbox.listing("sensecore"), "demo", None);
    // Nothing answers there as a sandbox: a real profile, whose history moves.
    ok(&at_desk(
        desk_1.path(),
        "desk-1",
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
    for (profile, order_no) in [("shop", "OWN-1"), ("demo", "DEMO-1")] {
        ok(&at_desk(
            desk_1.path(),
            "desk-1",
            &[
                "order",
                "add",
                "--profile",
                profile,
                "--order-no",
                order_no,
                "--amount",
                "3.30",
            ],
            None,
        ));
    }

    // A password the keyring refuses (a pasted tab) is refused before anything moves: the
    // history moves in whole at the next connect, below.
    let refused = at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "connect", &url],
        Some(&format!("{password}\twith-tab")),
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("control characters"), "{said}");
    assert_eq!(status(desk_1.path(), "desk-1")["kind"], "sqlite");

    let said = ok(&at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "connect", &url],
        Some(&password),
    ));
    assert!(
        said.contains("moved in from this desk's file: 1 profiles, 1 orders, 0 attempts"),
        "{said}"
    );
    ok(&at_desk(
        desk_2.path(),
        "desk-2",
        &["store", "connect", &url],
        Some(&password),
    ));
    let seen: Value = serde_json::from_str(&ok(&at_desk(
        desk_2.path(),
        "desk-2",
        &["status", "OWN-1", "--json"],
        None,
    )))
    .unwrap();
    assert_eq!(
        (&seen["order_no"], &seen["state"]),
        (&Value::from("OWN-1"), &Value::from("created")),
        "{seen}"
    );
    let demo = at_desk(desk_2.path(), "desk-2", &["status", "DEMO-1"], None);
    assert_eq!(
        demo.status.code(),
        Some(2),
        "the demo stays behind: {demo:?}"
    );

    // Connecting again adds nothing.
    ok(&at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "disconnect"],
        None,
    ));
    let again = ok(&at_desk(
        desk_1.path(),
        "desk-1",
        &["store", "connect", &url],
        Some(&password),
    ));
    assert!(
        again.contains(
            "0 profiles, 0 orders, 0 attempts (0 events, 0 review decisions); 2 were there already"
        ),
        "{again}"
    );
}
