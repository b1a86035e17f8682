//! Writes the fuzz seed corpus (`fuzz/seeds/`) from real exchanges between each connector and
//! its emulator: the requests the connectors build (seeds for the sandbox target) and the
//! answers the emulators give (seeds for the response targets and debit's callback).
//!
//! Ignored in the normal run; regenerate with
//! `cargo test -p paydesk-gateways --test fuzz_seeds -- --ignored`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use paydesk_gateways::transport::Transport;
use paydesk_gateways::*;
use paydesk_sandbox::{RunningSandbox, SandboxConfig};

fn seeds_dir(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_seed(target: &str, name: &str, data: &[u8]) {
    std::fs::write(seeds_dir(target).join(name), data).unwrap();
}

/// A request in the sandbox target's text form, the path relative to the sandbox root.
fn request_text(root: &str, request: &http::Request<Vec<u8>>) -> Vec<u8> {
    let uri = request.uri().to_string();
    let path = uri.strip_prefix(root).unwrap_or(&uri);
    let mut text = format!("{} {path}\n", request.method());
    for (name, value) in request.headers() {
        text.push_str(&format!("{name}: {}\n", value.to_str().unwrap()));
    }
    text.push('\n');
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(request.body());
    bytes
}

fn response_text(response: &http::Response<Vec<u8>>) -> Vec<u8> {
    let mut bytes = format!("{} ", response.status().as_u16()).into_bytes();
    bytes.extend_from_slice(response.body());
    bytes
}

fn register(gateway: &str, order_no: &str, amount_minor: i64) -> http::Request<Vec<u8>> {
    let body = serde_json::json!({
        "gateway": gateway,
        "order_no": order_no,
        "amount_minor": amount_minor,
        "currency": if gateway == "debit" { "INR" } else { "CNY" },
        "subject": "seed",
        "attributes": attributes(gateway),
    });
    http::Request::post("/_sandbox/orders")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap()
}

fn attributes(gateway: &str) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match gateway {
        "partner" => &[
            ("user_id", "41840909af844632885424fbc20cae79"),
            ("gift_pos_id", "55fca782f55f406d94e2cecb23d0140b"),
            ("address_id", "1"),
        ],
        "sensecore" => &[("resource_pack_id", "rp-1")],
        _ => &[],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn channel(gateway: &str) -> Channel {
    match gateway {
        "yian" => Channel::Alipay,
        "debit" => Channel::Bank,
        _ => Channel::Balance,
    }
}

fn pay_request(
    gateway: &str,
    order_no: &str,
    amount_minor: i64,
    settings: &BTreeMap<String, String>,
) -> PayRequest {
    let currency = if gateway == "debit" {
        Currency::INR
    } else {
        Currency::CNY
    };
    PayRequest {
        order_no: order_no.into(),
        amount: Money::from_minor(amount_minor, currency),
        subject: "seed".into(),
        channel: channel(gateway),
        idempotency_key: format!("{order_no}-key"),
        deductions: vec![],
        settings: settings.clone(),
        attributes: attributes(gateway),
        coupon: None,
        credit_amount: None,
        subscription_refunds: Vec::new(),
    }
}

async fn send(
    sandbox: &RunningSandbox,
    request: http::Request<Vec<u8>>,
) -> http::Response<Vec<u8>> {
    let (mut parts, body) = request.into_parts();
    if parts.uri.host().is_none() {
        parts.uri = format!("{}{}", sandbox.root_url(), parts.uri)
            .parse()
            .unwrap();
    }
    Transport::default()
        .send(http::Request::from_parts(parts, body))
        .await
        .expect("the sandbox answers")
}

#[tokio::test]
#[ignore = "writes fuzz/seeds; run by hand to regenerate the corpus"]
async fn write_fuzz_seeds() {
    let config = SandboxConfig::default();
    for gateway in GATEWAYS {
        let versions: &[&str] = if *gateway == "debit" {
            &["v1", "v2"]
        } else {
            &[""]
        };
        for version in versions {
            let sandbox = paydesk_sandbox::start("127.0.0.1:0", config.clone())
                .await
                .unwrap();
            let root = sandbox.root_url();
            let base = sandbox.base_url(gateway);
            let connector = connector_for(gateway).unwrap();
            let mut settings = config.gateways[*gateway].settings.clone();
            if !version.is_empty() {
                settings.insert("api_version".into(), version.to_string());
            }
            let secrets = config.gateways[*gateway]
                .secrets
                .iter()
                .fold(Secrets::new(), |s, (k, v)| s.with(k, v));
            let tag = format!("{gateway}{version}");
            let target = format!("response_{gateway}");
            // Small amounts settle at once; debit keeps large payouts processing.
            for (n, amount) in [(1, 1234_i64), (2, 5_000_000)] {
                let order_no = format!("SEED-{n}");
                let registration = register(gateway, &order_no, amount);
                let registration_text = request_text(&root, &registration);
                assert!(send(&sandbox, registration).await.status().is_success());
                let request = pay_request(gateway, &order_no, amount, &settings);
                let pay = connector.build_pay(&base, &request, &secrets).unwrap();
                let mut exchange = registration_text;
                exchange.extend_from_slice(b"\0\0");
                exchange.extend_from_slice(&request_text(&root, &pay));
                let answer = send(&sandbox, pay.clone()).await;
                write_seed(&target, &format!("{tag}-pay-{n}"), &response_text(&answer));
                // The same request again: a duplicate or an "already paid" answer.
                let again = send(&sandbox, pay.clone()).await;
                write_seed(
                    &target,
                    &format!("{tag}-pay-again-{n}"),
                    &response_text(&again),
                );
                if let Some(status) = connector.build_status(
                    &base,
                    &StatusQuery {
                        order_no: order_no.clone(),
                        amount: request.amount,
                        channel: request.channel,
                        idempotency_key: request.idempotency_key.clone(),
                        gateway_ref: None,
                        settings: settings.clone(),
                        attributes: request.attributes.clone(),
                        credit_amount: None,
                        subscription_refunds: Vec::new(),
                    },
                    &secrets,
                ) {
                    let status = status.unwrap();
                    exchange.extend_from_slice(b"\0\0");
                    exchange.extend_from_slice(&request_text(&root, &status));
                    let answer = send(&sandbox, status).await;
                    write_seed(
                        &target,
                        &format!("{tag}-status-{n}"),
                        &response_text(&answer),
                    );
                    if *gateway == "debit" && *version == "v1" {
                        debit_callback_seed(&answer, &format!("{tag}-{n}"));
                    }
                }
                write_seed("sandbox_requests", &format!("{tag}-{n}"), &exchange);
            }
            // Wrong credentials: the emulator's authentication refusal.
            let wrong_value = match *gateway {
                "debit" => "0123456789abcdef0123456789abcdef",
                "yian" => "0000000000000000000000000000000000000000",
                _ => "wrong",
            };
            let wrong = config.gateways[*gateway]
                .secrets
                .keys()
                .fold(Secrets::new(), |s, k| s.with(k, wrong_value));
            let request = pay_request(gateway, "SEED-1", 1234, &settings);
            let pay = connector.build_pay(&base, &request, &wrong).unwrap();
            write_seed(
                "sandbox_requests",
                &format!("{tag}-wrong-secret"),
                &request_text(&root, &pay),
            );
            let answer = send(&sandbox, pay).await;
            write_seed(
                &target,
                &format!("{tag}-wrong-secret"),
                &response_text(&answer),
            );
            // An order the emulator does not know.
            let request = pay_request(gateway, "SEED-UNKNOWN", 1234, &settings);
            let pay = connector.build_pay(&base, &request, &secrets).unwrap();
            let answer = send(&sandbox, pay).await;
            write_seed(
                &target,
                &format!("{tag}-unknown-order"),
                &response_text(&answer),
            );
        }
    }
}

/// A callback in the debit_callback target's form (`s`, sourceNo, newline, the JSON to seal),
/// built from a V1 status answer's plain `data`, and the same data as a sealed V2 answer.
fn debit_callback_seed(answer: &http::Response<Vec<u8>>, name: &str) {
    let envelope: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
    let data = &envelope["data"];
    let source_no = data["channelDebitOrderSimpleInfo"]["merchantSourceNo"]
        .as_str()
        .unwrap_or_default();
    let mut seed = format!("s{source_no}\n").into_bytes();
    seed.extend_from_slice(data.to_string().as_bytes());
    write_seed("debit_callback", name, &seed);
    // The same data for the response target's sealing mode (`200s` + the JSON to seal).
    let mut sealed = b"200s".to_vec();
    sealed.extend_from_slice(data.to_string().as_bytes());
    write_seed("response_debit", &format!("sealed-{name}"), &sealed);
}
