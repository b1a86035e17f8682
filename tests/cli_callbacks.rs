//! A payout settled by the gateway's own callback: paydesk receives it on a loopback
//! listener, verifies and decrypts it, and records the payout as paid without asking.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_debit_callback_settles_a_pending_payout() {
    let data = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox();
    let listing = sandbox.listing("debit").clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let callback_url = format!("http://127.0.0.1:{port}/debit/callback");
    // The profile learns its callback URL; the payout request carries it to the gateway.
    let mut listing_with_callback = listing.clone();
    listing_with_callback["settings"]["callback_url"] = Value::from(callback_url.clone());
    add_profile(data.path(), &listing_with_callback, "dbcb", None);

    let mut listener = Killed(
        command(data.path())
            .arg("callbacks")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let first = BufReader::new(listener.0.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let announced: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(announced["url"], callback_url.as_str());

    // Above 1,000.00 the sandbox's payouts are still processing when Place answers.
    ok(&paydesk(
        data.path(),
        &[
            "order",
            "add",
            "--profile",
            "dbcb",
            "--order-no",
            "CB-1",
            "--amount",
            "1500.00",
            "--currency",
            "INR",
        ],
        None,
    ));
    let paid: Value =
        serde_json::from_str(&ok(&paydesk(data.path(), &["pay", "CB-1", "--json"], None))).unwrap();
    assert_eq!(paid["state"], "pending", "{paid}");
    let source_no = paid["idempotency_key"].as_str().unwrap().to_string();

    // Someone else asks the gateway (its own back office): the payout completes, and the
    // gateway calls paydesk back.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let access_key = listing["secrets"]["access_key"]
        .as_str()
        .unwrap()
        .to_string();
    let base = listing["base_url"].as_str().unwrap().to_string();
    runtime.block_on(async {
        let answer = reqwest::Client::new()
            .post(format!("{base}/api/channel/Debit/Get"))
            .header("authorization", access_key)
            .json(&serde_json::json!({"channelDebitOrderId": null, "sourceNo": source_no}))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
    });

    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status: Value = serde_json::from_str(&ok(&paydesk(
            data.path(),
            &["status", "CB-1", "--json"],
            None,
        )))
        .unwrap();
        if status["state"] == "succeeded" {
            let events = status["attempts"][0]["events"].as_array().unwrap();
            assert_eq!(
                events.last().unwrap()["detail"],
                "reported by the gateway's callback"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the callback never settled the payout: {status}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        listener.0.try_wait().unwrap().is_none(),
        "the listener keeps running"
    );
}
