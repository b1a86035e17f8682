//! Chaos across desks: three desk processes at a time, at three desks sharing one PostgreSQL
//! store, pay overlapping orders while the sandbox injects faults on a quarter of the
//! requests; desk processes are killed with SIGKILL at random points and the server is
//! restarted mid-run. Then the storm passes and the desks' reconcilers settle what is open.
//! The sandbox's ledger is the judge: no order charged twice, no charge the history does not
//! show as paid (or hand to a person), no success without a charge, nothing left in between.
//!
//! It restarts the test command's server, so it is a test binary of its own.
//! `PAYDESK_DESK_CHAOS_ROUNDS` sets the rounds of three payments (default 40).

mod common;

use std::collections::HashMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const DESKS: [&str; 3] = ["desk-1", "desk-2", "desk-3"];
const ORDERS: usize = 40;

/// A tiny deterministic generator: which order, which kill, when.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn pay(data: &std::path::Path, desk: &str, order_no: &str) -> Child {
    command(data)
        .env("PAYDESK_DESK", desk)
        .args(["pay", order_no, "--channel", "balance", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn history(data: &std::path::Path) -> Vec<Value> {
    let rows: Value =
        serde_json::from_str(&ok(&at_desk(data, "desk-1", &["history", "--json"], None))).unwrap();
    rows.as_array().unwrap().clone()
}

fn is_open(row: &Value) -> bool {
    matches!(
        row["state"].as_str(),
        Some("created" | "submitting" | "pending" | "unknown")
    )
}

#[test]
fn desks_killed_and_a_server_restarted_under_gateway_faults_charge_nothing_twice_and_lose_nothing()
{
    let Some(url) = shared_database() else {
        return;
    };
    let rounds: usize = std::env::var("PAYDESK_DESK_CHAOS_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let password = std::env::var("PGPASSWORD").unwrap();
    let dirs: Vec<_> = DESKS.iter().map(|_| tempfile::tempdir().unwrap()).collect();
    for (dir, desk) in dirs.iter().zip(DESKS) {
        ok(&at_desk(
            dir.path(),
            desk,
            &["store", "connect", &url],
            Some(&password),
        ));
    }
    let sandbox = start_sandbox_with(&[
        "--fault",
        "sensecore:server_error=0.08",
        "--fault",
        "sensecore:lost_response=0.08",
        "--fault",
        "sensecore:reset=0.05",
        "--fault",
        "sensecore:timeout=0.04",
        "--fault",
        "sensecore:hold_ms=2500",
        "--fault",
        "sensecore:latency_ms=40",
    ]);
    // One profile in the shared store; its secrets are in this session's keyring under the
    // shared profile's name, which every desk reads.
    add_profile(dirs[0].path(), sandbox.listing("sensecore"), "sc", None);
    for n in 0..ORDERS {
        ok(&at_desk(
            dirs[n % 3].path(),
            DESKS[n % 3],
            &[
                "order",
                "add",
                "--profile",
                "sc",
                "--order-no",
                &format!("CHAOS-{n}"),
                "--amount",
                "4.20",
            ],
            None,
        ));
    }

    // Kills land anywhere in a whole payment's time on this machine, measured once.
    let started = Instant::now();
    let measure = pay(dirs[0].path(), "desk-1", "CHAOS-0").wait_with_output();
    measure.unwrap();
    let whole_payment_ms = (started.elapsed().as_millis() as u64).max(100);

    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let (mut killed, mut restarted) = (0, false);
    for round in 0..rounds {
        let mut racing: Vec<Child> = dirs
            .iter()
            .zip(DESKS)
            .map(|(dir, desk)| {
                let order_no = format!("CHAOS-{}", next(&mut seed) % ORDERS as u64);
                pay(dir.path(), desk, &order_no)
            })
            .collect();
        if round == rounds / 2 {
            // The server goes away under the payments in flight and comes back.
            std::thread::sleep(Duration::from_millis(whole_payment_ms / 3));
            pg_cluster("restart");
            restarted = true;
        }
        std::thread::sleep(Duration::from_millis(next(&mut seed) % whole_payment_ms));
        for child in &mut racing {
            if next(&mut seed) % 3 == 0 && child.try_wait().unwrap().is_none() {
                child.kill().ok(); // SIGKILL
                killed += 1;
            }
        }
        for mut child in racing {
            child.wait().unwrap();
        }
    }
    assert!(restarted);
    eprintln!("{rounds} rounds of three desks; {killed} desk processes killed mid-payment");
    assert!(killed > 0, "some desk processes were killed mid-payment");

    // The storm passes: each desk's reconciler in turn settles what is open, claiming the
    // attempts it asks about so that no two ask at once.
    sandbox.clear_faults("sensecore");
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut turn = 0;
    while history(dirs[0].path()).iter().any(is_open) {
        assert!(
            Instant::now() < deadline,
            "still open: {:?}",
            history(dirs[0].path())
                .iter()
                .filter(|r| is_open(r))
                .collect::<Vec<_>>()
        );
        let (dir, desk) = (&dirs[turn % 3], DESKS[turn % 3]);
        at_desk(dir.path(), desk, &["reconcile", "--json"], None);
        turn += 1;
        std::thread::sleep(Duration::from_millis(300));
    }

    let history = history(dirs[0].path());
    let ledger = sandbox.admin("ledger");
    let mut charges: HashMap<String, usize> = HashMap::new();
    for charge in ledger.as_array().unwrap() {
        *charges
            .entry(charge["order_no"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let states_of = |order: &str| -> Vec<&str> {
        history
            .iter()
            .filter(|r| r["order_no"] == order)
            .map(|r| r["state"].as_str().unwrap())
            .collect()
    };
    for (order, count) in &charges {
        assert_eq!(*count, 1, "{order} charged {count} times");
        let states = states_of(order);
        assert!(
            states.contains(&"succeeded") || states.contains(&"needs_review"),
            "lost payment {order}: {states:?}"
        );
    }
    for row in &history {
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
    let paid = history.iter().filter(|r| r["state"] == "succeeded").count();
    let mut desks = std::collections::BTreeSet::new();
    for order in charges.keys() {
        // Its exit code is the latest attempt's state; the JSON is what is read here.
        let said = at_desk(dirs[1].path(), "desk-2", &["status", order, "--json"], None);
        let seen: Value = serde_json::from_slice(&said.stdout).unwrap();
        for attempt in seen["attempts"].as_array().unwrap() {
            desks.insert(attempt["desk"].as_str().unwrap().to_string());
        }
    }
    eprintln!(
        "{} attempts, {} charges, {paid} succeeded, at desks {desks:?}",
        history.len(),
        charges.len()
    );
    assert!(paid > 0 && desks.len() > 1, "desks paid: {desks:?}");
}
