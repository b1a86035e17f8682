//! A desk whose shared PostgreSQL server stops: it answers lookups from its copy of the
//! history (and says so), refuses to pay with one clear line and sends nothing, and pays
//! again once the server is back. The test stops and starts the test command's server, so it
//! is a test binary of its own (binaries run one at a time; the tests in one run together).

mod common;

use common::*;
use serde_json::Value;

fn order_add(data: &std::path::Path, order_no: &str) {
    ok(&at_desk(
        data,
        "desk-1",
        &[
            "order",
            "add",
            "--profile",
            "sc",
            "--order-no",
            order_no,
            "--amount",
            "2.50",
            "--attr",
            &format!("resource_pack_id=rp-{order_no}"),
        ],
        None,
    ));
}

#[test]
fn with_its_server_stopped_a_desk_looks_up_from_its_copy_and_pays_nothing_until_it_is_back() {
    let Some(url) = shared_database() else {
        return;
    };
    let password = std::env::var("PGPASSWORD").unwrap();
    let desk = tempfile::tempdir().unwrap();
    let data = desk.path();
    ok(&at_desk(
        data,
        "desk-1",
        &["store", "connect", &url],
        Some(&password),
    ));
    let sandbox = start_sandbox();
    add_profile(data, sandbox.listing("sensecore"), "sc", None);
    order_add(data, "OFF-1");
    order_add(data, "OFF-2");
    ok(&at_desk(
        data,
        "desk-1",
        &["pay", "OFF-1", "--channel", "balance"],
        None,
    ));
    // Looked up while the server answers: kept in the copy.
    ok(&at_desk(data, "desk-1", &["status", "OFF-2"], None));

    pg_cluster("stop");
    let stopped = std::panic::catch_unwind(|| {
        let seen: Value = serde_json::from_str(&ok(&at_desk(
            data,
            "desk-1",
            &["status", "OFF-1", "--json"],
            None,
        )))
        .unwrap();
        assert_eq!(seen["state"], "succeeded", "{seen}");
        assert_eq!(seen["source"], "cache", "{seen}");
        assert!(seen.get("as_of").is_some(), "{seen}");

        let refused = at_desk(
            data,
            "desk-1",
            &["pay", "OFF-2", "--channel", "balance"],
            None,
        );
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("offline: history as of") && said.contains("paying is paused"),
            "{said}"
        );
        assert_eq!(said.trim().lines().count(), 1, "one clear line: {said}");
        assert_eq!(sandbox.pay_requests("OFF-2"), 0, "nothing was sent");

        let status: Value = serde_json::from_str(&ok(&at_desk(
            data,
            "desk-1",
            &["store", "status", "--json"],
            None,
        )))
        .unwrap();
        assert_eq!(status["reachable"], false, "{status}");
    });
    pg_cluster("start");
    if let Err(panic) = stopped {
        std::panic::resume_unwind(panic);
    }

    ok(&at_desk(
        data,
        "desk-1",
        &["pay", "OFF-2", "--channel", "balance"],
        None,
    ));
    assert_eq!(sandbox.pay_requests("OFF-2"), 1);
}
