//! Processes die and race: two `paydesk pay` processes on one order send one request; a pay
//! process killed with SIGKILL at random points leaves nothing the next start cannot settle.

mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn add_order(data: &std::path::Path, order_no: &str, amount: &str) {
    ok(&paydesk(
        data,
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            order_no,
            "--amount",
            amount,
        ],
        None,
    ));
}

#[test]
fn two_processes_paying_one_order_send_one_request() {
    let data = tempfile::tempdir().unwrap();
    // Latency keeps the first payment in flight while the second process starts.
    let sandbox = start_sandbox_with(&["--fault", "sensecore:latency_ms=400"]);
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    for round in 0..3 {
        let order_no = format!("RACE-{round}");
        add_order(data.path(), &order_no, "8.88");
        let spawn = || {
            command(data.path())
                .args(["pay", &order_no, "--channel", "balance", "--json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let mut codes: Vec<i32> = outputs.iter().map(|o| o.status.code().unwrap()).collect();
        codes.sort();
        assert_eq!(codes, [0, 2], "one pays, the other is refused: {outputs:?}");
        let refused = outputs.iter().find(|o| o.status.code() == Some(2)).unwrap();
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(
            message.contains("already in progress") || message.contains("already paid"),
            "{message}"
        );
        assert_eq!(
            sandbox.pay_requests(&order_no),
            1,
            "exactly one request reached the gateway"
        );
    }
}

/// A tiny deterministic generator for kill delays.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn sigkill_at_random_points_loses_nothing_and_charges_nothing_twice() {
    let kills: usize = std::env::var("PAYDESK_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox_with(&["--fault", "sensecore:latency_ms=60"]);
    add_profile(data.path(), sandbox.listing("sensecore"), "sc", None);
    // Kills are spread over the time a whole payment takes on this machine, measured once: a
    // fixed window would, on a slow machine, kill every process before its journal is written.
    add_order(data.path(), "KILL-MEASURE", "3.21");
    let started = Instant::now();
    ok(&paydesk(
        data.path(),
        &["pay", "KILL-MEASURE", "--channel", "balance", "--json"],
        None,
    ));
    let whole_payment_ms = (started.elapsed().as_millis() as u64).max(50);
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut killed = 0;
    for i in 0..kills {
        let order_no = format!("KILL-{i}");
        add_order(data.path(), &order_no, "3.21");
        let mut child = command(data.path())
            .args(["pay", &order_no, "--channel", "balance", "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Anywhere from before the journal is written to after the answer is recorded.
        std::thread::sleep(Duration::from_millis(next(&mut seed) % whole_payment_ms));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().ok(); // SIGKILL on Unix
        child.wait().unwrap();
    }
    assert!(
        killed * 2 >= kills,
        "most processes were killed mid-flight ({killed} of {kills})"
    );

    // The next start settles everything; a second pass finds nothing left.
    let before: Value =
        serde_json::from_str(&ok(&paydesk(data.path(), &["history", "--json"], None))).unwrap();
    let interrupted = before
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "submitting")
        .count();
    eprintln!("{killed} of {kills} killed mid-run; {interrupted} attempts left submitting");
    assert!(
        interrupted > 0,
        "some kills landed between the journal and the answer"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let report: Value =
            serde_json::from_str(&ok(&paydesk(data.path(), &["reconcile", "--json"], None)))
                .unwrap();
        let history: Value =
            serde_json::from_str(&ok(&paydesk(data.path(), &["history", "--json"], None))).unwrap();
        let open = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                matches!(
                    r["state"].as_str(),
                    Some("submitting" | "pending" | "unknown")
                )
            })
            .count();
        if open == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still open after reconciling: {report}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let history: Value =
        serde_json::from_str(&ok(&paydesk(data.path(), &["history", "--json"], None))).unwrap();
    let ledger = sandbox.admin("ledger");
    let mut charges: HashMap<String, usize> = HashMap::new();
    for charge in ledger.as_array().unwrap() {
        *charges
            .entry(charge["order_no"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (order, count) in &charges {
        assert_eq!(*count, 1, "{order} charged {count} times");
        let states: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["order_no"] == order.as_str())
            .map(|r| r["state"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"succeeded"),
            "lost payment {order}: {states:?}"
        );
    }
    for row in history.as_array().unwrap() {
        let state = row["state"].as_str().unwrap();
        assert!(
            matches!(state, "succeeded" | "failed" | "needs_review"),
            "{row}"
        );
        if state == "succeeded" {
            assert!(
                charges.contains_key(row["order_no"].as_str().unwrap()),
                "phantom success {row}"
            );
        }
    }
}
