//! The demo and the live data at the command line: the real binary on one data directory.
//! Scripts work on the live data; `--demo` works on the demo, which keeps its own file, takes
//! only paydesk sandbox profiles and never joins a shared store. Needs the OS keyring
//! (secrets are stored with `paydesk secret set`).

mod common;

use common::*;

#[test]
fn the_demo_and_the_live_data_never_see_each_other() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let sensecore = sandbox
        .listings
        .iter()
        .find(|l| l["gateway"] == "sensecore")
        .unwrap();
    let base_url = sensecore["base_url"].as_str().unwrap();
    let demo = |args: &[&str]| {
        let mut all = vec!["--demo"];
        all.extend_from_slice(args);
        paydesk(data.path(), &all, None)
    };

    // The demo takes a profile at a paydesk sandbox, and an order for it.
    ok(&demo(&[
        "profile",
        "add",
        "sc",
        "--gateway",
        "sensecore",
        "--base-url",
        base_url,
    ]));
    ok(&demo(&[
        "order",
        "add",
        "--profile",
        "sc",
        "--order-no",
        "DEMO-9",
        "--amount",
        "9.90",
    ]));
    assert!(data.path().join("demo").join("paydesk.sqlite").is_file());

    // A real gateway's profile is refused there, and nothing is added.
    let real = demo(&[
        "profile",
        "add",
        "shop",
        "--gateway",
        "yian",
        "--base-url",
        "https://gw.example",
    ]);
    assert_eq!(real.status.code(), Some(2));
    let said = String::from_utf8_lossy(&real.stderr);
    assert!(said.contains("this is the demo"), "{said}");
    assert!(!ok(&demo(&["profile", "list"])).contains("shop"));

    // The live data has neither the demo's profile nor its order, and takes the real profile.
    let status = paydesk(data.path(), &["status", "DEMO-9"], None);
    assert_eq!(status.status.code(), Some(2), "the live data has no DEMO-9");
    assert!(!ok(&paydesk(data.path(), &["profile", "list"], None)).contains("sc"));
    ok(&paydesk(
        data.path(),
        &[
            "profile",
            "add",
            "shop",
            "--gateway",
            "yian",
            "--base-url",
            "https://gw.example",
        ],
        None,
    ));
    assert!(ok(&demo(&["status", "DEMO-9"])).contains("DEMO-9"));
    assert!(!ok(&demo(&["profile", "list"])).contains("shop"));

    // The demo never joins a shared store: refused before any server is dialled.
    let connect = run(
        command(data.path()),
        &[
            "--demo",
            "store",
            "connect",
            "postgres://desk@127.0.0.1:9/paydesk",
        ],
        Some("pw\n"),
    );
    assert_eq!(connect.status.code(), Some(2));
    let said = String::from_utf8_lossy(&connect.stderr);
    assert!(said.contains("never in a shared store"), "{said}");
}
