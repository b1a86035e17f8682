//! The debit connector against its emulator over loopback HTTP, judged by the sandbox's
//! ledger: every charge must be a payout the gateway reports as 30, and no resend pays twice.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paydesk_gateways::debit::{self, Debit};
use paydesk_gateways::transport::Transport;
use paydesk_gateways::*;
use paydesk_sandbox::{RunningSandbox, SandboxConfig, SandboxOrder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GW: &str = "debit";

struct World {
    sandbox: RunningSandbox,
    transport: Transport,
    access_key: String,
    merchant_id: String,
}

async fn world() -> World {
    let config = SandboxConfig::default();
    let access_key = config.secret(GW, "access_key").to_string();
    let merchant_id = config.setting(GW, "merchant_id").to_string();
    let sandbox = paydesk_sandbox::start("127.0.0.1:0", config).await.unwrap();
    World {
        sandbox,
        transport: Transport::default(),
        access_key,
        merchant_id,
    }
}

impl World {
    fn secrets(&self) -> Secrets {
        Secrets::new().with("access_key", self.access_key.as_str())
    }

    fn settings(&self, version: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("merchant_id".to_string(), self.merchant_id.clone()),
            ("api_version".to_string(), version.to_string()),
        ])
    }

    fn request(&self, key: &str, amount: &str, version: &str) -> PayRequest {
        PayRequest {
            order_no: format!("DB-{key}"),
            amount: inr(amount),
            subject: "payout".into(),
            channel: Channel::Bank,
            idempotency_key: key.into(),
            deductions: vec![],
            settings: self.settings(version),
            attributes: BTreeMap::new(),
            coupon: None,
            credit_amount: None,
            subscription_refunds: Vec::new(),
        }
    }

    fn query(&self, key: &str, version: &str) -> StatusQuery {
        StatusQuery {
            order_no: format!("DB-{key}"),
            amount: inr("1.00"),
            channel: Channel::Bank,
            idempotency_key: key.into(),
            gateway_ref: None,
            settings: self.settings(version),
            attributes: BTreeMap::new(),
            credit_amount: None,
            subscription_refunds: Vec::new(),
        }
    }

    async fn send(&self, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.transport.send(request).await.unwrap()
    }

    async fn pay_with(&self, request: &PayRequest, secrets: &Secrets) -> PayOutcome {
        let built = Debit
            .build_pay(&self.sandbox.base_url(GW), request, secrets)
            .unwrap();
        Debit.parse_pay_with(
            &self.send(built).await,
            &self.secrets(),
            &request.settings,
            request.asked(true),
        )
    }

    async fn pay(&self, request: &PayRequest) -> PayOutcome {
        self.pay_with(request, &self.secrets()).await
    }

    async fn status_with(&self, query: &StatusQuery, secrets: &Secrets) -> PayOutcome {
        let built = Debit
            .build_status(&self.sandbox.base_url(GW), query, secrets)
            .expect("debit has a status call")
            .unwrap();
        Debit.parse_status_with(
            &self.send(built).await,
            &self.secrets(),
            &query.settings,
            query.asked(true),
        )
    }

    async fn status(&self, key: &str, version: &str) -> PayOutcome {
        self.status_with(&self.query(key, version), &self.secrets())
            .await
    }

    /// Sends a hand-written V1 Set body, for what the connector refuses to build.
    async fn raw_set(&self, body: &str) -> PayOutcome {
        let request = http::Request::post(format!(
            "{}/api/channel/Debit/Set",
            self.sandbox.base_url(GW)
        ))
        .header("content-type", "application/json")
        .header("authorization", self.access_key.as_str())
        .body(body.as_bytes().to_vec())
        .unwrap();
        Debit.parse_pay(&self.send(request).await)
    }

    fn charges(&self) -> usize {
        self.sandbox.ledger.charges().len()
    }
}

fn inr(amount: &str) -> Money {
    Money::parse(amount, Currency::INR).unwrap()
}

fn receipt(outcome: &PayOutcome) -> &Receipt {
    match outcome {
        PayOutcome::Succeeded(r) | PayOutcome::Pending(r) => r,
        other => panic!("expected a receipt, got {other:?}"),
    }
}

fn error(outcome: &PayOutcome) -> &GatewayError {
    match outcome {
        PayOutcome::Failed(e) | PayOutcome::Unknown(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn process_code(outcome: &PayOutcome) -> i64 {
    receipt(outcome).detail.as_ref().unwrap()["processCode"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn small_payouts_succeed_at_once_in_both_versions() {
    let w = world().await;
    for (version, key, amount, minor) in [
        ("v1", "small-v1", "0.10", 10),
        ("v2", "small-v2", "999.99", 99999),
        ("v1", "whole-v1", "250.00", 25000),
    ] {
        let paid = w.pay(&w.request(key, amount, version)).await;
        assert!(
            matches!(paid, PayOutcome::Succeeded(_)),
            "{version} {amount}: {paid:?}"
        );
        let detail = receipt(&paid).detail.as_ref().unwrap();
        assert_eq!(detail["merchantSourceNo"], key);
        assert_eq!(
            debit::fiat_amount(detail, Currency::INR).unwrap(),
            inr(amount)
        );
        assert_eq!(w.sandbox.ledger.charges_for(GW, key), 1);
        let charge = w.sandbox.ledger.charges().into_iter().last().unwrap();
        assert_eq!(
            (charge.amount_minor, charge.channel.as_str()),
            (minor, "bank")
        );
        let status = w.status(key, version).await;
        assert!(matches!(status, PayOutcome::Succeeded(_)), "{status:?}");
        assert_eq!(receipt(&status).gateway_ref, receipt(&paid).gateway_ref);
    }
    assert_eq!(w.charges(), 3);
}

#[tokio::test]
async fn large_payouts_are_pending_until_a_status_query_resolves_them() {
    let w = world().await;
    for (version, key, amount, minor) in [
        ("v1", "big-v1", "1000.50", 100050),
        ("v2", "big-v2", "12345678.99", 1234567899),
        ("v2", "big-v2b", "1000.01", 100001),
    ] {
        let placed = w.pay(&w.request(key, amount, version)).await;
        assert!(matches!(placed, PayOutcome::Pending(_)), "{placed:?}");
        assert_eq!(process_code(&placed), 20);
        assert_eq!(
            w.sandbox.ledger.charges_for(GW, key),
            0,
            "nothing before 30"
        );
        let resolved = w.status(key, version).await;
        assert!(matches!(resolved, PayOutcome::Succeeded(_)), "{resolved:?}");
        assert_eq!(receipt(&resolved).gateway_ref, receipt(&placed).gateway_ref);
        let detail = receipt(&resolved).detail.as_ref().unwrap();
        assert_eq!(
            debit::fiat_amount(detail, Currency::INR).unwrap().minor,
            minor
        );
        assert_eq!(w.sandbox.ledger.charges_for(GW, key), 1);
        assert_eq!(
            w.sandbox.ledger.charges().last().unwrap().amount_minor,
            minor
        );
        assert!(matches!(
            w.status(key, version).await,
            PayOutcome::Succeeded(_)
        ));
        assert_eq!(w.sandbox.ledger.charges_for(GW, key), 1);
    }
}

#[tokio::test]
async fn failed_payouts_are_never_charged() {
    let w = world().await;
    let at_once = w.pay(&w.request("fail-now", "0.40", "v1")).await;
    let e = error(&at_once);
    assert!(matches!(at_once, PayOutcome::Failed(_)));
    assert_eq!((e.code.as_str(), e.retry), ("40", RetryClass::Not));
    assert!(
        matches!(w.status("fail-now", "v2").await, PayOutcome::Failed(ref e) if e.code == "40")
    );
    let later = w.pay(&w.request("fail-later", "1000.40", "v2")).await;
    assert!(matches!(later, PayOutcome::Pending(_)), "{later:?}");
    let resolved = w.status("fail-later", "v2").await;
    assert!(
        matches!(resolved, PayOutcome::Failed(ref e) if e.code == "40"),
        "{resolved:?}"
    );
    assert_eq!(w.charges(), 0);
}

#[tokio::test]
async fn a_repeated_source_no_returns_the_first_order_and_pays_once() {
    let w = world().await;
    let first = w.pay(&w.request("again", "0.10", "v1")).await;
    let second = w.pay(&w.request("again", "0.10", "v1")).await;
    let third = w.pay(&w.request("again", "0.10", "v2")).await;
    assert_eq!(receipt(&first), receipt(&second));
    assert_eq!(receipt(&first), receipt(&third), "V2 sees the same order");
    assert_eq!(w.sandbox.ledger.charges_for(GW, "again"), 1);
    // A pending payout resent is the same order, settled and charged once.
    let pending = w.pay(&w.request("again-big", "1000.50", "v2")).await;
    let resent = w.pay(&w.request("again-big", "1000.50", "v2")).await;
    assert!(matches!(resent, PayOutcome::Pending(_)));
    assert_eq!(receipt(&pending).gateway_ref, receipt(&resent).gateway_ref);
    assert!(matches!(
        w.status("again-big", "v1").await,
        PayOutcome::Succeeded(_)
    ));
    assert!(matches!(
        w.pay(&w.request("again-big", "1000.50", "v2")).await,
        PayOutcome::Succeeded(_)
    ));
    assert_eq!(w.sandbox.ledger.charges_for(GW, "again-big"), 1);
    assert_eq!(w.charges(), 2);
}

#[tokio::test]
async fn concurrent_resends_pay_once() {
    let w = Arc::new(world().await);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let version = if i % 2 == 0 { "v1" } else { "v2" };
            w.pay(&w.request("race", "0.10", version)).await
        }));
    }
    let mut refs = Vec::new();
    for task in tasks {
        refs.push(receipt(&task.await.unwrap()).gateway_ref.clone());
    }
    refs.dedup();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(w.sandbox.ledger.charges_for(GW, "race"), 1);
}

#[tokio::test]
async fn bad_credentials_are_refused_and_nothing_is_paid() {
    let w = world().await;
    let other_key = Secrets::new().with("access_key", "0123456789abcdef0123456789abcdef");
    let v1 = w
        .pay_with(&w.request("auth-1", "1.00", "v1"), &other_key)
        .await;
    assert!(matches!(v1, PayOutcome::Failed(_)));
    assert_eq!(
        (error(&v1).code.as_str(), error(&v1).retry),
        ("1001", RetryClass::Not)
    );
    assert_eq!(error(&v1).message, "unauthorized");
    let mut wrong_merchant = w.request("auth-2", "1.00", "v2");
    wrong_merchant
        .settings
        .insert("merchant_id".into(), "10002".into());
    let v2 = w.pay(&wrong_merchant).await;
    assert_eq!(error(&v2).code, "1001");
    let v2_key = w
        .pay_with(&w.request("auth-3", "1.00", "v2"), &other_key)
        .await;
    assert!(matches!(v2_key, PayOutcome::Failed(_)));
    assert_eq!(
        (error(&v2_key).code.as_str(), error(&v2_key).retry),
        ("1002", RetryClass::Not)
    );
    // A refused status call says nothing about the order.
    let refused_status = w.status_with(&w.query("auth-1", "v1"), &other_key).await;
    assert!(matches!(refused_status, PayOutcome::Unknown(ref e) if e.code == "1001"));
    assert_eq!(w.charges(), 0);
    for key in ["auth-1", "auth-2", "auth-3"] {
        assert!(
            matches!(w.status(key, "v1").await, PayOutcome::NoSuchPayment(ref e) if e.code == "ORDER_NOT_FOUND")
        );
    }
}

#[tokio::test]
async fn an_unknown_source_no_is_not_found_and_safe_to_send() {
    let w = world().await;
    for version in ["v1", "v2"] {
        let status = w.status("never-sent", version).await;
        assert_eq!(
            status,
            PayOutcome::NoSuchPayment(GatewayError::new(
                "ORDER_NOT_FOUND",
                "order not found",
                RetryClass::Safe
            ))
        );
    }
    assert!(matches!(
        w.pay(&w.request("never-sent", "5.00", "v1")).await,
        PayOutcome::Succeeded(_)
    ));
    assert_eq!(w.sandbox.ledger.charges_for(GW, "never-sent"), 1);
}

#[tokio::test]
async fn the_emulator_refuses_bad_amounts_source_nos_and_json() {
    let w = world().await;
    for (body, code) in [
        (r#"{"amount":0,"sourceNo":"r1","callbackUrl":null}"#, "1004"),
        (r#"{"amount":-1.5,"sourceNo":"r1"}"#, "1004"),
        (r#"{"amount":0.001,"sourceNo":"r1"}"#, "1004"),
        (r#"{"amount":12.345,"sourceNo":"r1"}"#, "1004"),
        (r#"{"amount":"1.00","sourceNo":"r1"}"#, "1003"),
        (r#"{"amount":1,"sourceNo":""}"#, "1005"),
        (r#"{"amount":1}"#, "1005"),
        (
            r#"{"amount":1,"sourceNo":"r1","callbackUrl":"http://203.0.113.9/cb"}"#,
            "1006",
        ),
        ("amount=1&sourceNo=r1", "1003"),
    ] {
        let outcome = w.raw_set(body).await;
        assert!(
            matches!(outcome, PayOutcome::Failed(_)),
            "{body}: {outcome:?}"
        );
        assert_eq!(error(&outcome).code, code, "{body}");
        assert_eq!(error(&outcome).retry, RetryClass::Not);
    }
    assert_eq!(w.charges(), 0);
}

#[tokio::test]
async fn the_connector_refuses_what_the_gateway_cannot_take() {
    let w = world().await;
    let base = w.sandbox.base_url(GW);
    let mut alipay = w.request("c1", "1.00", "v1");
    alipay.channel = Channel::Alipay;
    assert_eq!(
        Debit.build_pay(&base, &alipay, &w.secrets()).unwrap_err(),
        BuildError::UnsupportedChannel("alipay")
    );
    let mut zero = w.request("c2", "1.00", "v1");
    zero.amount = inr("0.00");
    assert!(Debit.build_pay(&base, &zero, &w.secrets()).is_err());
    let short = Secrets::new().with("access_key", "too-short");
    assert!(matches!(
        Debit.build_pay(&base, &w.request("c3", "1.00", "v2"), &short),
        Err(BuildError::Invalid(_))
    ));
    assert_eq!(Debit.capabilities().channels, vec![Channel::Bank]);
}

#[tokio::test]
async fn a_source_no_the_book_holds_as_paid_is_refused() {
    let w = world().await;
    let mut order = SandboxOrder::new("paid-key", 100, "INR", "paid elsewhere");
    order.paid = true;
    w.sandbox.ledger.register(GW, order);
    let outcome = w.pay(&w.request("paid-key", "1.00", "v2")).await;
    assert!(matches!(outcome, PayOutcome::Failed(_)), "{outcome:?}");
    assert_eq!(
        (error(&outcome).code.as_str(), error(&outcome).retry),
        ("1007", RetryClass::Not)
    );
    assert_eq!(w.charges(), 0);
}

#[tokio::test]
async fn through_the_trait_v1_reads_fully_and_v2_needs_the_key() {
    let w = world().await;
    let base = w.sandbox.base_url(GW);
    let v1 = Debit
        .build_pay(&base, &w.request("t1", "1.00", "v1"), &w.secrets())
        .unwrap();
    assert!(matches!(
        Debit.parse_pay(&w.send(v1).await),
        PayOutcome::Succeeded(_)
    ));
    let t2 = w.request("t2", "1.00", "v2");
    let v2 = Debit.build_pay(&base, &t2, &w.secrets()).unwrap();
    let answer = w.send(v2).await;
    assert!(
        matches!(Debit.parse_pay(&answer), PayOutcome::Unknown(ref e) if e.code == "ACCESS_KEY_NEEDED")
    );
    assert!(matches!(
        Debit.parse_pay_with(&answer, &w.secrets(), &w.settings("v2"), t2.asked(true)),
        PayOutcome::Succeeded(_)
    ));
    let status = Debit
        .build_status(&base, &w.query("t1", "v1"), &w.secrets())
        .unwrap()
        .unwrap();
    assert!(matches!(
        Debit.parse_status(&w.send(status).await),
        PayOutcome::Succeeded(_)
    ));
}

/// A loopback HTTP listener that records every request body and answers `status`.
struct Listener {
    url: String,
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

async fn listener(status: u16) -> Listener {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/debit-callback", socket.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = socket.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                if let Some(body) = read_request(&mut stream).await {
                    seen.lock().unwrap().push(body);
                }
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Listener { url, bodies }
}

/// Reads one HTTP/1.1 request with a content-length body.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())?;
    while data.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    }
    Some(data[header_end..header_end + length].to_vec())
}

impl Listener {
    fn count(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }

    async fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        for _ in 0..100 {
            if self.count() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.bodies.lock().unwrap().clone()
    }
}

impl World {
    fn with_callback(&self, key: &str, amount: &str, version: &str, url: &str) -> PayRequest {
        let mut request = self.request(key, amount, version);
        request
            .settings
            .insert("callback_url".into(), url.to_string());
        request
    }
}

#[tokio::test]
async fn callbacks_report_the_final_state() {
    let w = world().await;
    let cb = listener(200).await;
    let paid = w
        .pay(&w.with_callback("cb-ok", "0.10", "v1", &cb.url))
        .await;
    let bodies = cb.wait_for(1).await;
    assert_eq!(bodies.len(), 1);
    let (source_no, outcome) = debit::parse_callback(&bodies[0], &w.access_key).unwrap();
    assert_eq!(source_no, "cb-ok");
    assert!(matches!(outcome, PayOutcome::Succeeded(_)), "{outcome:?}");
    assert_eq!(receipt(&outcome).gateway_ref, receipt(&paid).gateway_ref);
    // The wire shape: plain sourceNo, sealed data.
    let raw: serde_json::Value = serde_json::from_slice(&bodies[0]).unwrap();
    assert_eq!(raw["sourceNo"], "cb-ok");
    assert!(raw["data"].is_string());
    // The gateway records the acknowledgement once the listener's answer is back.
    let mut callback_code = serde_json::Value::Null;
    for _ in 0..50 {
        let status = w.status("cb-ok", "v1").await;
        callback_code = receipt(&status).detail.as_ref().unwrap()["callbackCode"].clone();
        if callback_code == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(callback_code, 200);

    // A pending payout calls back once it is final, not before.
    let pending = w
        .pay(&w.with_callback("cb-big", "1000.50", "v2", &cb.url))
        .await;
    assert!(matches!(pending, PayOutcome::Pending(_)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cb.count(), 1, "no callback while processing");
    assert!(matches!(
        w.status("cb-big", "v2").await,
        PayOutcome::Succeeded(_)
    ));
    let bodies = cb.wait_for(2).await;
    let (source_no, outcome) = debit::parse_callback(&bodies[1], &w.access_key).unwrap();
    assert_eq!(source_no, "cb-big");
    let detail = receipt(&outcome).detail.as_ref().unwrap();
    assert_eq!(
        debit::fiat_amount(detail, Currency::INR).unwrap(),
        inr("1000.50")
    );

    // A failed payout calls back with 40.
    w.pay(&w.with_callback("cb-fail", "0.40", "v1", &cb.url))
        .await;
    let bodies = cb.wait_for(3).await;
    let (source_no, outcome) = debit::parse_callback(&bodies[2], &w.access_key).unwrap();
    assert_eq!(source_no, "cb-fail");
    assert!(matches!(outcome, PayOutcome::Failed(ref e) if e.code == "40"));
    // A repeat of a final payout does not call back again.
    w.pay(&w.with_callback("cb-ok", "0.10", "v1", &cb.url))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cb.count(), 3);
    assert_eq!(w.charges(), 2);
}

#[tokio::test]
async fn an_unacknowledged_callback_is_delivered_one_plus_three_times() {
    let w = world().await;
    let failing = listener(500).await;
    let no_content = listener(204).await;
    w.pay(&w.with_callback("cb-500", "0.10", "v1", &failing.url))
        .await;
    w.pay(&w.with_callback("cb-204", "0.10", "v2", &no_content.url))
        .await;
    // Retries wait 200 + 400 + 800 ms; allow well past that, then make sure nothing follows.
    failing.wait_for(4).await;
    no_content.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(failing.count(), 4);
    assert_eq!(no_content.count(), 4, "only HTTP 200 acknowledges");
    let bodies = failing.bodies.lock().unwrap().clone();
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "the same callback each time"
    );
    let status = w.status("cb-500", "v1").await;
    assert_eq!(
        receipt(&status).detail.as_ref().unwrap()["callbackCode"],
        500
    );
    // The payout itself stands: undelivered callbacks change nothing in the ledger.
    assert_eq!(w.charges(), 2);
}
