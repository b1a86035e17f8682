//! The sandbox's bad-input matrix: every emulator, served over loopback HTTP, gets requests
//! with empty values, 1 MB strings, control characters, mixed scripts and emoji, path-like and
//! URL-like order numbers, wrong JSON types, duplicate fields and headers, and bad signatures.
//! Each must be answered in that gateway's own error shape (PROTOCOLS.md and the emulator's
//! module docs), in one short body, and leave the ledger — orders, charges, every emulator's
//! memory and id counters — exactly as it was. At the end the unmutated request is sent and
//! does pay, so every refusal above was about the one thing each probe changed.
//!
//! Requests go out as raw bytes over a TCP socket, so nothing between the test and the server
//! (a client's URL normalisation, its header rules) tidies them up first.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use paydesk_sandbox::{bind_gift_order, start, RunningSandbox, SandboxConfig, SandboxOrder};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The order every gateway's book holds, unpaid: a probe that pays it has failed.
const ORDER: &str = "A-1";
/// Its amount, in fen.
const AMOUNT: i64 = 1234;
/// The pair a partner pay request names to pay `A-1` (the wire carries no order number).
const PARTNER_USER: &str = "41840909af844632885424fbc20cae79";
const PARTNER_GIFT: &str = "gift-pack-matrix";
/// What a refusal may weigh: one clear message, not an echo of a megabyte.
const MAX_ERROR_BODY: usize = 2048;
const MEGABYTE: usize = 1 << 20;

/// Everything but RFC 3986's unreserved characters escaped: one path segment or form value.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn enc(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Order numbers that are not the book's `A-1`, many of them made to be mistaken for it.
fn hostile_order_numbers() -> Vec<(&'static str, String)> {
    vec![
        ("empty", String::new()),
        ("blank", "   ".into()),
        ("1 MB", "9".repeat(MEGABYTE)),
        ("NUL", format!("{ORDER}\u{0}")),
        ("line feed", format!("{ORDER}\n{ORDER}")),
        ("header injection", format!("{ORDER}\r\nX-Injected: 1")),
        ("escape sequence", format!("\u{1b}[31m{ORDER}")),
        ("DEL", format!("{ORDER}\u{7f}")),
        ("C1 control", format!("{ORDER}\u{85}")),
        ("right-to-left override", format!("{ORDER}\u{202e}")),
        ("zero-width space", "A\u{200b}-1".into()),
        ("mixed scripts and emoji", "订单-Ω-ذ-Ж-🧾💳".into()),
        ("fullwidth look-alike", "Ａ－１".into()),
        ("case variant", "a-1".into()),
        ("padded", format!(" {ORDER} ")),
        ("relative path", format!("../{ORDER}")),
        ("dot segments", format!("{ORDER}/../{ORDER}")),
        ("absolute path", "/etc/passwd".into()),
        ("backslash path", format!("..\\{ORDER}")),
        ("encoded once more", "A%2D1".into()),
        ("encoded traversal", format!("..%2F{ORDER}")),
        ("URL", format!("http://127.0.0.1/{ORDER}")),
        ("query-like", format!("{ORDER}?order_no={ORDER}")),
        ("fragment-like", format!("{ORDER}#x")),
    ]
}

/// What came back.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "status {}, not JSON ({e}): {:?}",
                self.status,
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
}

fn raw_request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = find(body, b"\r\n") {
        let size = std::str::from_utf8(&body[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&body[start..(start + size).min(body.len())]);
        body = body.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// Sends raw bytes and reads the answer to the end (the request says `Connection: close`).
/// The request is written while the answer is read: a server may answer before reading a
/// large body.
async fn exchange(addr: SocketAddr, request: Vec<u8>) -> Answer {
    let stream = TcpStream::connect(addr).await.expect("the sandbox listens");
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&request).await;
        writer
    });
    let mut bytes = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
        }
    }
    drop(writing.await);
    let split = find(&bytes, b"\r\n\r\n").unwrap_or_else(|| {
        panic!(
            "no answer head: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        )
    });
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &bytes[split + 4..];
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// One bad request and the shape its answer must have.
struct Probe {
    label: String,
    request: Vec<u8>,
    /// Too large for the HTTP layer itself (a request line or header block over its limits):
    /// the server's HTTP layer refuses it before any gateway sees it, as a real server's does.
    http_layer: bool,
}

struct Harness {
    sandbox: RunningSandbox,
    config: SandboxConfig,
}

impl Harness {
    async fn new() -> Harness {
        let config = SandboxConfig::default();
        let sandbox = start("127.0.0.1:0", config.clone()).await.unwrap();
        for gateway in ["sensecore", "yian", "top", "partner"] {
            sandbox.ledger.register(
                gateway,
                SandboxOrder::new(ORDER, AMOUNT, "CNY", "matrix").with_attributes(BTreeMap::from(
                    [
                        ("user_id".to_string(), PARTNER_USER.to_string()),
                        ("gift_pos_id".to_string(), PARTNER_GIFT.to_string()),
                    ],
                )),
            );
        }
        bind_gift_order(&sandbox.ledger, ORDER, PARTNER_USER, PARTNER_GIFT).unwrap();
        Harness { sandbox, config }
    }

    fn addr(&self) -> SocketAddr {
        self.sandbox.addr
    }

    fn secret(&self, gateway: &str, key: &str) -> String {
        self.config.secret(gateway, key).to_string()
    }

    fn setting(&self, gateway: &str, key: &str) -> String {
        self.config.setting(gateway, key).to_string()
    }

    fn probe(
        &self,
        label: impl Into<String>,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Probe {
        Probe {
            label: label.into(),
            request: raw_request(self.addr(), method, target, headers, body),
            http_layer: false,
        }
    }

    /// Sends every probe; each must be refused in `shape` and change nothing.
    async fn run(
        &self,
        gateway: &str,
        probes: Vec<Probe>,
        shape: fn(&Answer) -> Result<(), String>,
    ) {
        let before = self.sandbox.ledger.snapshot();
        let mut failures = Vec::new();
        let count = probes.len();
        for probe in probes {
            let answer = exchange(self.addr(), probe.request).await;
            let verdict = if probe.http_layer {
                if (400..500).contains(&answer.status) {
                    Ok(())
                } else {
                    Err(format!("the HTTP layer answered {}", answer.status))
                }
            } else if answer.body.len() > MAX_ERROR_BODY {
                Err(format!(
                    "{} bytes: {:?}…",
                    answer.body.len(),
                    String::from_utf8_lossy(&answer.body[..300])
                ))
            } else {
                shape(&answer)
            };
            if let Err(why) = verdict {
                failures.push(format!("{gateway} / {}: {why}", probe.label));
            }
            let after = self.sandbox.ledger.snapshot();
            if after != before {
                failures.push(format!(
                    "{gateway} / {}: the ledger changed: {after:#}",
                    probe.label
                ));
                break;
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {count} probes:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// The unmutated request pays the order: the probes were refused for what they changed.
    async fn pays(&self, gateway: &str, request: Vec<u8>) {
        let answer = exchange(self.addr(), request).await;
        assert_eq!(
            self.sandbox.ledger.charges_for(gateway, ORDER),
            1,
            "{gateway}: the good request pays: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
}

fn check(ok: bool, what: &str, answer: &Answer) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ))
    }
}

fn non_empty_text(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------------
// SenseCore: google.rpc.Status JSON, its HTTP status by grpc-gateway's table.

fn grpc_http_status(code: i64) -> u16 {
    match code {
        1 => 408,
        3 | 9 | 11 => 400,
        4 => 504,
        5 => 404,
        6 | 10 => 409,
        7 => 403,
        8 => 429,
        12 => 501,
        14 => 503,
        16 => 401,
        _ => 500,
    }
}

fn sensecore_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let code = body["code"].as_i64().unwrap_or(0);
    check(
        (1..=16).contains(&code)
            && non_empty_text(&body["message"])
            && body["details"].is_array()
            && answer.status == grpc_http_status(code)
            && body.get("order_id").is_none(),
        "not a google.rpc.Status refusal",
        answer,
    )
}

fn sensecore_pay(h: &Harness, path_id: &str, body: &str, token: &str) -> Vec<u8> {
    let auth = format!("Bearer {token}");
    raw_request(
        h.addr(),
        "POST",
        &format!("/sensecore/v1/orders/{}:pay", enc(path_id)),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

fn sensecore_body(order_id: &Value, channel: &Value) -> String {
    json!({"order_id": order_id, "payment_channel": channel}).to_string()
}

#[tokio::test]
async fn sensecore_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let token = h.secret("sensecore", "token");
    let bearer = format!("Bearer {token}");
    let good = sensecore_body(&json!(ORDER), &json!("PC_BALANCE"));
    let mut probes = Vec::new();
    for (label, value) in hostile_order_numbers() {
        let body = sensecore_body(&json!(value), &json!("PC_BALANCE"));
        if value.len() >= MEGABYTE {
            // A megabyte cannot be a request line: the HTTP layer refuses it. In the body only,
            // it no longer matches the path.
            probes.push(Probe {
                http_layer: true,
                ..Probe {
                    label: format!("order id {label} in the path"),
                    request: sensecore_pay(&h, &value, &body, &token),
                    http_layer: false,
                }
            });
            probes.push(Probe {
                label: format!("order id {label} in the body"),
                request: sensecore_pay(&h, ORDER, &body, &token),
                http_layer: false,
            });
            continue;
        }
        probes.push(Probe {
            label: format!("order id {label}"),
            request: sensecore_pay(&h, &value, &body, &token),
            http_layer: false,
        });
        probes.push(Probe {
            label: format!("order id {label} in the body only"),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
        probes.push(h.probe(
            format!("status of order id {label}"),
            "GET",
            &format!("/sensecore/v1/orders/{}", enc(&value)),
            &[("Authorization", &bearer)],
            b"",
        ));
    }
    // The path as a client that does not encode would send it.
    for raw in [
        format!("/sensecore/v1/orders/../{ORDER}:pay"),
        format!("/sensecore/v1/orders/x/../{ORDER}:pay"),
        format!("/sensecore/v1/orders/./{ORDER}:pay"),
        format!("/sensecore/v1/orders//{ORDER}:pay"),
        format!("/sensecore/v1/orders/{ORDER}:pay/"),
        format!("/sensecore/v1/orders/{ORDER}?:pay"),
        format!("/sensecore/v1/orders/{ORDER}%00:pay"),
        format!("/sensecore/v1/orders/{ORDER}%FF:pay"),
        format!("/sensecore/v1/orders/{ORDER}:PAY"),
        "/sensecore/v1/orders/:pay".to_string(),
    ] {
        probes.push(h.probe(
            format!("raw path {raw}"),
            "POST",
            &raw,
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            good.as_bytes(),
        ));
    }
    let channels = [
        ("empty channel", json!("")),
        ("unspecified channel", json!("PC_UNSPECIFIED")),
        ("unknown channel", json!("PC_BITCOIN")),
        ("lowercase channel", json!("pc_balance")),
        ("channel with NUL", json!("PC_BALANCE\u{0}")),
        ("1 MB channel", json!("B".repeat(MEGABYTE - 100))),
        ("channel number out of range", json!(99)),
        ("negative channel number", json!(-1)),
        ("fractional channel number", json!(1.5)),
        ("channel as object", json!({"name": "PC_BALANCE"})),
        ("channel as list", json!(["PC_BALANCE"])),
        ("channel true", json!(true)),
        ("channel null", Value::Null),
    ];
    for (label, channel) in channels {
        let body = sensecore_body(&json!(ORDER), &channel);
        probes.push(Probe {
            label: label.into(),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
    }
    let bodies = [
        ("empty body", String::new()),
        ("not JSON", "order_id=A-1&payment_channel=PC_BALANCE".into()),
        ("JSON list", format!("[{good}]")),
        ("JSON string", json!(good).to_string()),
        ("JSON null", "null".into()),
        ("order id as number", json!({"order_id": 1, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id as list", json!({"order_id": [ORDER], "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id as object", json!({"order_id": {"id": ORDER}, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id null", json!({"order_id": null, "payment_channel": "PC_BALANCE"}).to_string()),
        ("order id missing", json!({"payment_channel": "PC_BALANCE"}).to_string()),
        ("order id given twice", format!(r#"{{"order_id":"other","order_id":"{ORDER}","payment_channel":"PC_BALANCE"}}"#)),
        ("order id in both spellings", format!(r#"{{"order_id":"other","orderId":"{ORDER}","payment_channel":"PC_BALANCE"}}"#)),
        ("channel given twice", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_UNSPECIFIED","payment_channel":"PC_BALANCE"}}"#)),
        ("1 MB body", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_BALANCE","pad":"{}"}}"#, "x".repeat(MEGABYTE))),
        ("vouchers as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": "v-1"}).to_string()),
        ("selected vouchers as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"billing_account_id": "sandbox-ba-1", "selected_vouchers": "v-1"}]}).to_string()),
        ("voucher group as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": ["v-1"]}).to_string()),
        ("voucher without amount", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1"}]}]}).to_string()),
        ("voucher amount as string", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": "1.00"}]}]}).to_string()),
        ("voucher units not an int64", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "1".repeat(MEGABYTE / 2)}}]}]}).to_string()),
        ("voucher nanos out of range", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "1", "nanos": 1_000_000_000}}]}]}).to_string()),
        ("voucher above the amount", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "CNY", "units": "13"}}]}]}).to_string()),
        ("voucher in another currency", json!({"order_id": ORDER, "payment_channel": "PC_BALANCE", "ba_vouchers": [{"selected_vouchers": [{"id": "v-1", "deduction_amount": {"currency_code": "USD", "units": "1"}}]}]}).to_string()),
        ("voucher key given twice", format!(r#"{{"order_id":"{ORDER}","payment_channel":"PC_BALANCE","ba_vouchers":[{{"selected_vouchers":[{{"id":"v-1","deduction_amount":{{"currency_code":"CNY","units":"1","units":"99"}}}}]}}]}}"#)),
    ];
    for (label, body) in bodies {
        probes.push(Probe {
            label: label.into(),
            request: sensecore_pay(&h, ORDER, &body, &token),
            http_layer: false,
        });
    }
    let wrong_token = format!("Bearer {token}x");
    let token_scheme = format!("Token {token}");
    let lower_scheme = format!("bearer {token}");
    let with_nul = format!("Bearer {token}%00");
    let megabyte_token = format!("Bearer {}", "t".repeat(MEGABYTE));
    for (label, headers) in [
        ("no Authorization", vec![]),
        ("empty Authorization", vec![("Authorization", "")]),
        ("Bearer without a token", vec![("Authorization", "Bearer ")]),
        ("wrong token", vec![("Authorization", wrong_token.as_str())]),
        (
            "Token scheme",
            vec![("Authorization", token_scheme.as_str())],
        ),
        (
            "lowercase scheme",
            vec![("Authorization", lower_scheme.as_str())],
        ),
        (
            "token with an encoded NUL",
            vec![("Authorization", with_nul.as_str())],
        ),
        (
            "Authorization twice, the second wrong",
            vec![
                ("Authorization", bearer.as_str()),
                ("Authorization", wrong_token.as_str()),
            ],
        ),
        (
            "Authorization twice, the first wrong",
            vec![
                ("Authorization", wrong_token.as_str()),
                ("Authorization", bearer.as_str()),
            ],
        ),
    ] {
        let mut headers = headers;
        headers.push(("Content-Type", "application/json"));
        probes.push(h.probe(
            label,
            "POST",
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &headers,
            good.as_bytes(),
        ));
    }
    probes.push(Probe {
        http_layer: true,
        ..h.probe(
            "1 MB token",
            "POST",
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &[("Authorization", &megabyte_token)],
            good.as_bytes(),
        )
    });
    for method in ["PUT", "DELETE", "PATCH"] {
        probes.push(h.probe(
            format!("{method} instead of POST"),
            method,
            &format!("/sensecore/v1/orders/{ORDER}:pay"),
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            good.as_bytes(),
        ));
    }
    h.run("sensecore", probes, sensecore_shape).await;
    h.pays("sensecore", sensecore_pay(&h, ORDER, &good, &token))
        .await;
}

// ---------------------------------------------------------------------------------------------
// 益安 (yian): DRF's `{"detail"}` (401 with `WWW-Authenticate: Token`, 4xx) or the view's
// `{"status": -4, "message"}` with HTTP 200.

fn yian_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let ok = match answer.status {
        401 => {
            non_empty_text(&body["detail"]) && answer.header("www-authenticate") == Some("Token")
        }
        400..=499 => non_empty_text(&body["detail"]),
        200 => body["status"] == -4 && non_empty_text(&body["message"]) && body.get("ch").is_none(),
        _ => false,
    };
    check(ok, "not a DRF detail or a status -4 refusal", answer)
}

fn yian_request(
    h: &Harness,
    method: &str,
    content_type: &str,
    body: &str,
    auth: &[&str],
) -> Vec<u8> {
    let mut headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
    if !content_type.is_empty() {
        headers.push(("Content-Type", content_type));
    }
    raw_request(
        h.addr(),
        method,
        "/yian/pay/pay_for_order/",
        &headers,
        body.as_bytes(),
    )
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn yian_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let auth = format!("Token {}", h.secret("yian", "token"));
    let good = form(&[("order_no", ORDER), ("channel", "alipay")]);
    let pay =
        |content_type: &str, body: &str| yian_request(&h, "PUT", content_type, body, &[&auth]);
    let mut probes = Vec::new();
    for (label, value) in hostile_order_numbers() {
        probes.push(Probe {
            label: format!("order_no {label} (form)"),
            request: pay(FORM, &form(&[("order_no", &value), ("channel", "alipay")])),
            http_layer: false,
        });
        probes.push(Probe {
            label: format!("order_no {label} (JSON)"),
            request: pay(
                "application/json",
                &json!({"order_no": value, "channel": "wx"}).to_string(),
            ),
            http_layer: false,
        });
        if value.len() < MEGABYTE {
            probes.push(h.probe(
                format!("charge of order_no {label}"),
                "GET",
                &format!("/yian/pay/charge/{}/", enc(&value)),
                &[("Authorization", &auth)],
                b"",
            ));
        }
    }
    for (label, channel) in [
        ("empty", String::new()),
        ("upper case", "WX".into()),
        ("with NUL", "wx\u{0}".into()),
        ("padded", "alipay ".into()),
        ("another channel", "alipay_qr".into()),
        ("two channels", "wx,alipay".into()),
        ("emoji", "💳".into()),
        ("1 MB", "w".repeat(MEGABYTE - 100)),
    ] {
        probes.push(Probe {
            label: format!("channel {label}"),
            request: pay(FORM, &form(&[("order_no", ORDER), ("channel", &channel)])),
            http_layer: false,
        });
    }
    let bodies: Vec<(&str, &str, String)> = vec![
        ("no fields", FORM, String::new()),
        ("no Content-Type", "", good.clone()),
        ("text/plain", "text/plain", good.clone()),
        ("multipart", "multipart/form-data; boundary=x", good.clone()),
        (
            "order_no twice (form)",
            FORM,
            format!("order_no=other&order_no={ORDER}&channel=alipay"),
        ),
        (
            "order_no twice, the same (form)",
            FORM,
            format!("order_no={ORDER}&order_no={ORDER}&channel=alipay"),
        ),
        (
            "channel twice (form)",
            FORM,
            format!("order_no={ORDER}&channel=bad&channel=alipay"),
        ),
        (
            "not UTF-8 (form)",
            FORM,
            format!("order_no={ORDER}%FF&channel=alipay"),
        ),
        (
            "order_no twice (JSON)",
            "application/json",
            format!(r#"{{"order_no":"other","order_no":"{ORDER}","channel":"alipay"}}"#),
        ),
        ("not JSON", "application/json", good.clone()),
        (
            "JSON list",
            "application/json",
            format!(r#"[{{"order_no":"{ORDER}","channel":"alipay"}}]"#),
        ),
        (
            "order_no as list",
            "application/json",
            json!({"order_no": [ORDER], "channel": "alipay"}).to_string(),
        ),
        (
            "order_no as object",
            "application/json",
            json!({"order_no": {"no": ORDER}, "channel": "alipay"}).to_string(),
        ),
        (
            "order_no true",
            "application/json",
            json!({"order_no": true, "channel": "alipay"}).to_string(),
        ),
        (
            "order_no null",
            "application/json",
            json!({"order_no": null, "channel": "alipay"}).to_string(),
        ),
        (
            "channel as list",
            "application/json",
            json!({"order_no": ORDER, "channel": ["alipay"]}).to_string(),
        ),
        (
            "1 MB body",
            FORM,
            format!("{good}&pad={}", "x".repeat(MEGABYTE)),
        ),
    ];
    for (label, content_type, body) in bodies {
        probes.push(Probe {
            label: label.into(),
            request: pay(content_type, &body),
            http_layer: false,
        });
    }
    let megabyte_type = format!("{FORM}; charset={}", "x".repeat(MEGABYTE));
    probes.push(Probe {
        http_layer: true,
        ..h.probe(
            "1 MB Content-Type",
            "PUT",
            "/yian/pay/pay_for_order/",
            &[("Authorization", &auth), ("Content-Type", &megabyte_type)],
            good.as_bytes(),
        )
    });
    let long_type = format!("{FORM}x{}", "x".repeat(20_000));
    probes.push(h.probe(
        "20 KB unknown Content-Type",
        "PUT",
        "/yian/pay/pay_for_order/",
        &[("Authorization", &auth), ("Content-Type", &long_type)],
        good.as_bytes(),
    ));
    let key = h.secret("yian", "token");
    let wrong = format!("Token {}", "0".repeat(40));
    let bearer = format!("Bearer {key}");
    let spaced = format!("Token {key} {key}");
    let lower = format!("token {key}x");
    let no_scheme = key.clone();
    for (label, headers) in [
        ("no Authorization", vec![]),
        ("empty Authorization", vec![""]),
        ("Token alone", vec!["Token"]),
        ("wrong key", vec![wrong.as_str()]),
        ("Bearer scheme", vec![bearer.as_str()]),
        ("key with spaces", vec![spaced.as_str()]),
        ("wrong key, lower-case scheme", vec![lower.as_str()]),
        ("no scheme", vec![no_scheme.as_str()]),
        (
            "Authorization twice, both right",
            vec![auth.as_str(), auth.as_str()],
        ),
        (
            "Authorization twice, the second wrong",
            vec![auth.as_str(), wrong.as_str()],
        ),
    ] {
        probes.push(Probe {
            label: label.into(),
            request: yian_request(&h, "PUT", FORM, &good, &headers),
            http_layer: false,
        });
    }
    for method in ["POST", "GET", "DELETE"] {
        probes.push(Probe {
            label: format!("{method} instead of PUT"),
            request: yian_request(&h, method, FORM, &good, &[&auth]),
            http_layer: false,
        });
    }
    probes.push(h.probe(
        "charge without an order",
        "GET",
        "/yian/pay/charge//",
        &[("Authorization", &auth)],
        b"",
    ));
    probes.push(h.probe(
        "charge of a path",
        "GET",
        &format!("/yian/pay/charge/../{ORDER}/"),
        &[("Authorization", &auth)],
        b"",
    ));
    probes.push(h.probe(
        "charge with a wrong key",
        "GET",
        &format!("/yian/pay/charge/{ORDER}/"),
        &[("Authorization", &wrong)],
        b"",
    ));
    h.run("yian", probes, yian_shape).await;
    h.pays("yian", pay(FORM, &good)).await;
}

// ---------------------------------------------------------------------------------------------
// TOP: HTTP 200 and `{"error_response": {"code", "msg", "sub_code"?, "sub_msg"?, "request_id"}}`.

fn top_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let error = &body["error_response"];
    check(
        answer.status == 200
            && body.as_object().is_some_and(|o| o.len() == 1)
            && error["code"].as_i64().is_some_and(|c| c > 0)
            && non_empty_text(&error["msg"])
            && non_empty_text(&error["request_id"])
            && (error.get("sub_code").is_none() || non_empty_text(&error["sub_code"])),
        "not a TOP error_response",
        answer,
    )
}

struct Top<'a> {
    h: &'a Harness,
    secret: String,
}

impl Top<'_> {
    fn system(&self) -> BTreeMap<String, String> {
        let now = chrono::Utc::now().timestamp_millis().to_string();
        [
            ("method", "alibaba.cloudgame.tradeplatform.payorder"),
            ("app_key", &self.h.setting("top", "app_key")),
            ("timestamp", &now),
            ("v", "2.0"),
            ("sign_method", "md5"),
            ("format", "json"),
            ("partner_id", "paydesk"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn param(&self) -> Value {
        let setting = |k: &str| self.h.setting("top", k);
        json!({
            "charge_item_code": setting("charge_item_code"),
            "order_id": ORDER,
            "category_code": setting("category_code"),
            "user_country": setting("user_country"),
            "commodity_code": setting("commodity_code"),
            "currency": "CNY",
            "pay_idempotent_code": "matrix-1",
            "pay_serial_id": "matrix-1",
            "balance_pay_amount": AMOUNT,
            "tenant_id": setting("tenant_id").parse::<i64>().unwrap(),
            "pay_start_time": chrono::Utc::now().timestamp_millis(),
        })
    }

    /// TOP's md5 signature over every parameter but `sign`, empty keys and values left out.
    fn sign(&self, params: &BTreeMap<String, String>) -> String {
        let base: String = params
            .iter()
            .filter(|(k, v)| !k.is_empty() && !v.is_empty() && k.as_str() != "sign")
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect();
        paydesk_crypto::md5_hex(format!("{}{base}{}", self.secret, self.secret).as_bytes())
            .to_ascii_uppercase()
    }

    /// A request with `system` in the query and `request_param` (raw text) in the form body,
    /// signed over both unless `sign` is given.
    fn request(
        &self,
        mut system: BTreeMap<String, String>,
        request_param: &str,
        sign: Option<&str>,
    ) -> Vec<u8> {
        let mut all = system.clone();
        all.insert("request_param".into(), request_param.into());
        let sign = sign.map_or_else(|| self.sign(&all), str::to_string);
        system.insert("sign".into(), sign);
        let query: Vec<(&str, &str)> = system
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        raw_request(
            self.h.addr(),
            "POST",
            &format!("/top/router/rest?{}", form(&query)),
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded;charset=utf-8",
            )],
            form(&[("request_param", request_param)]).as_bytes(),
        )
    }

    /// Every parameter in the form body (TOP takes system parameters there too), signed over
    /// them all unless `sign` is given: room for values too large for a query string.
    fn request_in_body(
        &self,
        mut system: BTreeMap<String, String>,
        request_param: &str,
        sign: Option<&str>,
    ) -> Vec<u8> {
        system.insert("request_param".into(), request_param.into());
        let sign = sign.map_or_else(|| self.sign(&system), str::to_string);
        system.insert("sign".into(), sign);
        let pairs: Vec<(&str, &str)> = system
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        raw_request(
            self.h.addr(),
            "POST",
            "/top/router/rest",
            &[("Content-Type", FORM)],
            form(&pairs).as_bytes(),
        )
    }

    fn with_param(&self, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
        let mut param = self.param();
        change(param.as_object_mut().unwrap());
        self.request(self.system(), &param.to_string(), None)
    }

    fn with_system(&self, change: impl FnOnce(&mut BTreeMap<String, String>)) -> Vec<u8> {
        let mut system = self.system();
        change(&mut system);
        self.request(system, &self.param().to_string(), None)
    }
}

#[tokio::test]
async fn top_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let top = Top {
        h: &h,
        secret: h.secret("top", "app_secret"),
    };
    let mut probes = Vec::new();
    let mut add = |label: String, request: Vec<u8>| {
        probes.push(Probe {
            label,
            request,
            http_layer: false,
        })
    };
    for (label, value) in hostile_order_numbers() {
        add(
            format!("order_id {label}"),
            top.with_param(|p| {
                p.insert("order_id".into(), value.clone().into());
            }),
        );
    }
    for key in [
        "charge_item_code",
        "category_code",
        "user_country",
        "commodity_code",
        "currency",
    ] {
        for (label, value) in [
            ("empty", json!("")),
            ("1 MB", json!("x".repeat(MEGABYTE / 2))),
            ("control character", json!("1\u{0}")),
            ("emoji", json!("🧾")),
            ("a number", json!(1)),
            ("a list", json!(["1"])),
            ("null", Value::Null),
        ] {
            add(
                format!("{key} {label}"),
                top.with_param(|p| {
                    p.insert(key.into(), value);
                }),
            );
        }
        add(
            format!("{key} missing"),
            top.with_param(|p| {
                p.remove(key);
            }),
        );
    }
    for (key, label, value) in [
        (
            "balance_pay_amount",
            "as a string",
            json!(AMOUNT.to_string()),
        ),
        ("balance_pay_amount", "with a fraction", json!(12.34)),
        ("balance_pay_amount", "negative", json!(-AMOUNT)),
        ("balance_pay_amount", "one fen short", json!(AMOUNT - 1)),
        ("balance_pay_amount", "beyond int64", json!(u64::MAX)),
        ("balance_pay_amount", "a list", json!([AMOUNT])),
        ("balance_pay_amount", "null", Value::Null),
        ("credit_pay_amount", "as a string", json!("0")),
        ("credit_pay_amount", "negative", json!(-1)),
        ("credit_pay_amount", "too much", json!(1)),
        ("tenant_id", "as a string", json!("1")),
        ("tenant_id", "another tenant", json!(2)),
        ("pay_start_time", "as a date", json!("2025-11-21 12:40:00")),
        ("huijin_account_id", "present", json!(1)),
        ("pay_idempotent_code", "empty", json!("")),
        ("pay_idempotent_code", "a number", json!(1)),
        ("pay_serial_id", "an object", json!({"id": 1})),
    ] {
        add(
            format!("{key} {label}"),
            top.with_param(|p| {
                p.insert(key.into(), value);
            }),
        );
    }
    let param = top.param().to_string();
    for (label, raw) in [
        ("request_param empty", String::new()),
        ("request_param not JSON", "order_id=A-1".to_string()),
        ("request_param a list", format!("[{param}]")),
        ("request_param a string", json!(param).to_string()),
        ("request_param null", "null".into()),
        (
            "request_param naming order_id twice",
            param.replacen('{', r#"{"order_id":"other","#, 1),
        ),
        (
            "request_param naming the amount twice",
            param.replacen('{', r#"{"balance_pay_amount":1,"#, 1),
        ),
    ] {
        add(label.into(), top.request(top.system(), &raw, None));
    }
    for (key, label, value) in [
        ("method", "empty", String::new()),
        ("method", "another method", "taobao.user.seller.get".into()),
        (
            "method",
            "with a line feed",
            "alibaba.cloudgame.tradeplatform.payorder\n".into(),
        ),
        ("app_key", "empty", String::new()),
        ("app_key", "wrong", "87654321".into()),
        (
            "app_key",
            "with NUL",
            format!("{}\u{0}", h.setting("top", "app_key")),
        ),
        ("timestamp", "empty", String::new()),
        ("timestamp", "garbage", "yesterday".into()),
        (
            "timestamp",
            "eleven minutes ago",
            (chrono::Utc::now().timestamp_millis() - 660_000).to_string(),
        ),
        (
            "timestamp",
            "fullwidth digits",
            "１７６３７０００００００００".into(),
        ),
        ("sign_method", "sha1", "sha1".into()),
        ("sign_method", "upper case", "MD5".into()),
        ("v", "empty", String::new()),
        ("v", "3.0", "3.0".into()),
        ("format", "xml", "xml".into()),
        ("format", "empty", String::new()),
    ] {
        add(
            format!("{key} {label}"),
            top.with_system(|s| {
                s.insert(key.into(), value);
            }),
        );
    }
    let mut signed = top.system();
    signed.insert("request_param".into(), param.clone());
    let right = top.sign(&signed);
    let other_secret = Top {
        h: &h,
        secret: "not-the-app-secret".into(),
    };
    for (label, sign) in [
        ("sign empty", String::new()),
        ("sign lower case", right.to_ascii_lowercase()),
        ("sign with another secret", other_secret.sign(&signed)),
        (
            "sign of nothing",
            paydesk_crypto::md5_hex(b"").to_ascii_uppercase(),
        ),
        ("sign with a control character", format!("{right}\u{7}")),
    ] {
        add(label.into(), top.request(top.system(), &param, Some(&sign)));
    }
    // Values too large for a query string, in the body.
    let mut system = top.system();
    system.insert("timestamp".into(), "9".repeat(MEGABYTE / 2));
    add(
        "timestamp 1 MB of digits".into(),
        top.request_in_body(system, &param, None),
    );
    add(
        "sign 1 MB".into(),
        top.request_in_body(top.system(), &param, Some(&"A".repeat(MEGABYTE / 2))),
    );
    let mut system = top.system();
    system.insert("app_key".into(), "k".repeat(MEGABYTE / 2));
    add(
        "app_key 1 MB".into(),
        top.request_in_body(system, &param, None),
    );
    // Signed as HMAC-SHA256 but declared md5; a parameter added after signing.
    let hmac = paydesk_crypto::hmac_sha256_hex(
        top.secret.as_bytes(),
        signed
            .iter()
            .flat_map(|(k, v)| [k.as_str(), v.as_str()])
            .collect::<String>()
            .as_bytes(),
    )
    .to_ascii_uppercase();
    add(
        "sign made another way".into(),
        top.request(top.system(), &param, Some(&hmac)),
    );
    let mut system = top.system();
    let mut all = system.clone();
    all.insert("request_param".into(), param.clone());
    system.insert("sign".into(), top.sign(&all));
    system.insert("session".into(), "added-after-signing".into());
    let query: Vec<(&str, &str)> = system
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    add(
        "a parameter added after signing".into(),
        raw_request(
            h.addr(),
            "POST",
            &format!("/top/router/rest?{}", form(&query)),
            &[("Content-Type", FORM)],
            form(&[("request_param", &param)]).as_bytes(),
        ),
    );
    // The same parameter twice: in the query and the body, twice in the body.
    let mut system = top.system();
    system.insert("sign".into(), top.sign(&all));
    let query: Vec<(&str, &str)> = system
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let target = format!("/top/router/rest?{}", form(&query));
    add(
        "request_param in the query and the body".into(),
        raw_request(
            h.addr(),
            "POST",
            &format!("{target}&{}", form(&[("request_param", &param)])),
            &[("Content-Type", FORM)],
            form(&[("request_param", &param)]).as_bytes(),
        ),
    );
    add(
        "request_param twice in the body".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!("{0}&{0}", form(&[("request_param", &param)])).as_bytes(),
        ),
    );
    add(
        "the body not UTF-8".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            b"request_param=%FF",
        ),
    );
    add(
        "the body 1 MB".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!(
                "{}&pad={}",
                form(&[("request_param", &param)]),
                "x".repeat(MEGABYTE)
            )
            .as_bytes(),
        ),
    );
    add(
        "a parameter named by 1 MB twice".into(),
        raw_request(
            h.addr(),
            "POST",
            &target,
            &[("Content-Type", FORM)],
            format!("{0}=1&{0}=2", "k".repeat(MEGABYTE / 3)).as_bytes(),
        ),
    );
    add(
        "no parameters at all".into(),
        raw_request(
            h.addr(),
            "POST",
            "/top/router/rest",
            &[("Content-Type", FORM)],
            b"",
        ),
    );
    h.run("top", probes, top_shape).await;
    h.pays("top", top.request(top.system(), &param, None)).await;
}

// ---------------------------------------------------------------------------------------------
// Partner: HTTP 200 and `{"code" (not 1), "errors": {...}, "msg", "result": {}}`.

fn partner_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    check(
        answer.status == 200
            && body["code"].as_i64().is_some_and(|c| c != 1)
            && body["errors"].is_object()
            && non_empty_text(&body["msg"])
            && body["result"] == json!({}),
        "not a partner refusal",
        answer,
    )
}

fn partner_params() -> BTreeMap<String, String> {
    [
        ("user_id", PARTNER_USER),
        ("pay_type", "1"),
        ("gift_pos_id", PARTNER_GIFT),
        ("address_id", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn partner_sign(params: &BTreeMap<String, String>, key: &str) -> String {
    let mut text = String::new();
    for (name, value) in params {
        if !name.is_empty() && !value.is_empty() && name != "sign" {
            text.push_str(&format!("{name}={value}&"));
        }
    }
    paydesk_crypto::md5_hex(format!("{text}key={key}").as_bytes())
}

fn partner_form(h: &Harness, params: &BTreeMap<String, String>) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    raw_request(
        h.addr(),
        "POST",
        "/partner/app/partner/order/pay",
        &[("Content-Type", FORM)],
        form(&pairs).as_bytes(),
    )
}

fn partner_raw(h: &Harness, content_type: &str, body: &str) -> Vec<u8> {
    let mut headers = vec![];
    if !content_type.is_empty() {
        headers.push(("Content-Type", content_type));
    }
    raw_request(
        h.addr(),
        "POST",
        "/partner/app/partner/order/pay",
        &headers,
        body.as_bytes(),
    )
}

#[tokio::test]
async fn partner_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let key = h.secret("partner", "sign_key");
    let signed = |change: &dyn Fn(&mut BTreeMap<String, String>)| {
        let mut params = partner_params();
        change(&mut params);
        let sign = partner_sign(&params, &key);
        params.insert("sign".into(), sign);
        partner_form(&h, &params)
    };
    let mut probes = Vec::new();
    let mut add = |label: String, request: Vec<u8>| {
        probes.push(Probe {
            label,
            request,
            http_layer: false,
        })
    };
    for (label, value) in hostile_order_numbers() {
        for field in ["user_id", "gift_pos_id", "coupon_id"] {
            if field == "coupon_id" && value.is_empty() {
                continue; // no coupon: the request would be the good one
            }
            add(
                format!("{field} {label}"),
                signed(&|p| {
                    p.insert(field.into(), value.clone());
                }),
            );
        }
    }
    for (label, value) in [
        ("empty", ""),
        ("3", "3"),
        ("0", "0"),
        ("1.0", "1.0"),
        ("padded", " 1"),
        ("fullwidth", "１"),
        ("with NUL", "1\u{0}"),
        ("emoji", "💳"),
    ] {
        add(
            format!("pay_type {label}"),
            signed(&|p| {
                p.insert("pay_type".into(), value.into());
            }),
        );
    }
    for (label, value) in [
        ("empty", "".to_string()),
        ("a word", "home".into()),
        ("a fraction", "1.5".into()),
        ("not in the book", "99".into()),
        ("negative", "-1".into()),
        ("1 MB of digits", "1".repeat(MEGABYTE / 2)),
        ("path-like", "../1".into()),
    ] {
        add(
            format!("address_id {label}"),
            signed(&|p| {
                p.insert("address_id".into(), value.clone());
            }),
        );
    }
    let right = {
        let params = partner_params();
        partner_sign(&params, &key)
    };
    for (label, sign) in [
        ("sign missing", None),
        ("sign empty", Some(String::new())),
        (
            "sign with another key",
            Some(partner_sign(&partner_params(), "not-the-key")),
        ),
        ("sign of nothing", Some(paydesk_crypto::md5_hex(b""))),
        (
            "sign with a control character",
            Some(format!("{right}\u{7}")),
        ),
        ("sign 1 MB", Some("a".repeat(MEGABYTE / 2))),
    ] {
        let mut params = partner_params();
        if let Some(sign) = sign {
            params.insert("sign".into(), sign);
        }
        add(label.into(), partner_form(&h, &params));
    }
    let mut params = partner_params();
    params.insert("sign".into(), right.clone());
    params.insert("coupon_id".into(), "sandbox-coupon-100".into());
    add(
        "a coupon added after signing".into(),
        partner_form(&h, &params),
    );
    let mut with_sign = partner_params();
    with_sign.insert("sign".into(), right.clone());
    let good_form = {
        let pairs: Vec<(&str, &str)> = with_sign
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form(&pairs)
    };
    let good_json = serde_json::to_string(&with_sign).unwrap();
    let json_signed = |value: Value| {
        // The fields as JSON, signed over the text the emulator reads them as.
        let mut object = serde_json::Map::new();
        let mut text = BTreeMap::new();
        for (k, v) in partner_params() {
            object.insert(k.clone(), v.clone().into());
            text.insert(k, v);
        }
        for (k, v) in value.as_object().unwrap() {
            object.insert(k.clone(), v.clone());
            text.insert(
                k.clone(),
                match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            );
        }
        object.insert("sign".into(), partner_sign(&text, &key).into());
        Value::Object(object).to_string()
    };
    for (label, content_type, body) in [
        ("no Content-Type", "", good_form.clone()),
        ("text/plain", "text/plain", good_form.clone()),
        ("form as JSON", "application/json", good_form.clone()),
        ("JSON as form", FORM, good_json.clone()),
        ("JSON list", "application/json", format!("[{good_json}]")),
        ("JSON null", "application/json", "null".into()),
        (
            "user_id twice (form)",
            FORM,
            format!("user_id=other&{good_form}"),
        ),
        (
            "user_id twice (JSON)",
            "application/json",
            good_json.replacen('{', r#"{"user_id":"other","#, 1),
        ),
        (
            "sign twice (JSON)",
            "application/json",
            good_json.replacen('{', r#"{"sign":"0","#, 1),
        ),
        ("not UTF-8", FORM, format!("{good_form}%FF")),
        (
            "pay_type as a list",
            "application/json",
            json_signed(json!({"pay_type": [1]})),
        ),
        (
            "pay_type as an object",
            "application/json",
            json_signed(json!({"pay_type": {"type": 1}})),
        ),
        (
            "pay_type true",
            "application/json",
            json_signed(json!({"pay_type": true})),
        ),
        (
            "address_id as a list",
            "application/json",
            json_signed(json!({"address_id": [1]})),
        ),
        (
            "user_id as an object",
            "application/json",
            json_signed(json!({"user_id": {"id": PARTNER_USER}})),
        ),
        (
            "user_id null",
            "application/json",
            json_signed(json!({"user_id": null})),
        ),
        (
            "1 MB body",
            FORM,
            format!("{good_form}&pad={}", "x".repeat(MEGABYTE)),
        ),
    ] {
        add(label.into(), partner_raw(&h, content_type, &body));
    }
    h.run("partner", probes, partner_shape).await;
    h.pays("partner", partner_raw(&h, FORM, &good_form)).await;
}

// ---------------------------------------------------------------------------------------------
// BharatPay debit: `{"code" (not 0), "message", "data": null}`, 401 for 1001, 400 for the
// request's faults, 200 for "order not found" (1) and 1007.

fn debit_shape(answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    let code = body["code"].as_i64().unwrap_or(0);
    let status = match code {
        1 | 1007 => 200,
        1001 => 401,
        1002..=1006 => 400,
        _ => 0,
    };
    check(
        answer.status == status
            && non_empty_text(&body["message"])
            && body.get("data") == Some(&Value::Null)
            && body.as_object().is_some_and(|o| o.len() == 3),
        "not a debit refusal",
        answer,
    )
}

/// A payout the gateway holds, still processing (above ₹1,000.00): a Get that finds it settles
/// it, so a probe that finds it changes the ledger.
const PAYOUT: &str = "P-1";

struct Debit<'a> {
    h: &'a Harness,
    key: String,
    merchant: String,
}

impl Debit<'_> {
    fn v1(&self, path: &str, body: &str, auth: &[&str]) -> Vec<u8> {
        let mut headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", *a)).collect();
        headers.push(("Content-Type", "application/json"));
        raw_request(
            self.h.addr(),
            "POST",
            &format!("/debit/api/channel/Debit/{path}"),
            &headers,
            body.as_bytes(),
        )
    }

    fn set(&self, body: &str) -> Vec<u8> {
        self.v1("Set", body, &[&self.key])
    }

    fn get(&self, body: &str) -> Vec<u8> {
        self.v1("Get", body, &[&self.key])
    }

    fn seal(&self, plain: &str, key: &str) -> String {
        paydesk_crypto::aes256_ecb_encrypt_b64(key.as_bytes(), plain.as_bytes()).unwrap()
    }

    /// A V2 request: `plain` sealed under the merchant's key.
    fn v2(&self, path: &str, plain: &str) -> Vec<u8> {
        let body = json!({"data": self.seal(plain, &self.key)}).to_string();
        self.v1(path, &body, &[&self.merchant])
    }
}

#[tokio::test]
async fn debit_refuses_bad_requests_in_its_shape_and_changes_nothing() {
    let h = Harness::new().await;
    let debit = Debit {
        h: &h,
        key: h.secret("debit", "access_key"),
        merchant: h.setting("debit", "merchant_id"),
    };
    let placed = exchange(
        h.addr(),
        debit.set(&json!({"amount": 1500.25, "sourceNo": PAYOUT}).to_string()),
    )
    .await;
    assert_eq!(placed.json().unwrap()["code"], 0, "{placed:?}");
    let mut probes = Vec::new();
    let mut add = |label: String, request: Vec<u8>| {
        probes.push(Probe {
            label,
            request,
            http_layer: false,
        })
    };
    for (label, value) in hostile_order_numbers() {
        let near = value.replace(ORDER, PAYOUT);
        let get = json!({"sourceNo": near}).to_string();
        add(format!("Get sourceNo {label}"), debit.get(&get));
        add(format!("GetV2 sourceNo {label}"), debit.v2("GetV2", &get));
        // A Set with a well-formed sourceNo of any script is a new payout, not bad input; those
        // that are not a key at all must be refused.
        let not_a_key =
            near.trim().is_empty() || near.len() >= MEGABYTE || near.chars().any(char::is_control);
        if not_a_key {
            let set = json!({"amount": 1, "sourceNo": near}).to_string();
            add(format!("Set sourceNo {label}"), debit.set(&set));
            add(format!("Place sourceNo {label}"), debit.v2("Place", &set));
        }
    }
    let fresh = "NEW-1";
    for (label, body) in [
        (
            "amount as a string",
            json!({"amount": "12.34", "sourceNo": fresh}),
        ),
        ("amount zero", json!({"amount": 0, "sourceNo": fresh})),
        ("amount negative", json!({"amount": -1, "sourceNo": fresh})),
        (
            "amount with three decimals",
            json!({"amount": 1.005, "sourceNo": fresh}),
        ),
        ("amount 1e300", json!({"amount": 1e300, "sourceNo": fresh})),
        ("amount true", json!({"amount": true, "sourceNo": fresh})),
        ("amount a list", json!({"amount": [1], "sourceNo": fresh})),
        ("amount null", json!({"amount": null, "sourceNo": fresh})),
        ("amount missing", json!({"sourceNo": fresh})),
        ("sourceNo a number", json!({"amount": 1, "sourceNo": 1})),
        ("sourceNo a list", json!({"amount": 1, "sourceNo": [fresh]})),
        ("sourceNo missing", json!({"amount": 1})),
        (
            "callbackUrl remote",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "http://example.com/cb"}),
        ),
        (
            "callbackUrl a file",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "file:///etc/passwd"}),
        ),
        (
            "callbackUrl script",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": "javascript:alert(1)"}),
        ),
        (
            "callbackUrl 1 MB",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": format!("http://127.0.0.1/{}", "x".repeat(MEGABYTE / 2))}),
        ),
        (
            "callbackUrl a number",
            json!({"amount": 1, "sourceNo": fresh, "callbackUrl": 5}),
        ),
        ("a list", json!([{"amount": 1, "sourceNo": fresh}])),
        ("a string", json!("amount=1")),
        ("null", Value::Null),
    ] {
        add(format!("Set {label}"), debit.set(&body.to_string()));
        add(
            format!("Place {label}"),
            debit.v2("Place", &body.to_string()),
        );
    }
    for (label, body) in [
        ("neither id nor sourceNo", json!({})),
        ("id negative", json!({"channelDebitOrderId": -1})),
        ("id a fraction", json!({"channelDebitOrderId": 1.5})),
        ("id a string", json!({"channelDebitOrderId": "1"})),
        ("id beyond u64", json!({"channelDebitOrderId": 1e30})),
        ("id unknown", json!({"channelDebitOrderId": 999})),
        (
            "id of P-1 with another sourceNo",
            json!({"channelDebitOrderId": 1, "sourceNo": "P-2"}),
        ),
        ("sourceNo an object", json!({"sourceNo": {"no": PAYOUT}})),
    ] {
        add(format!("Get {label}"), debit.get(&body.to_string()));
        add(
            format!("GetV2 {label}"),
            debit.v2("GetV2", &body.to_string()),
        );
    }
    let set_twice = format!(r#"{{"amount":1,"sourceNo":"","sourceNo":"{fresh}"}}"#);
    let get_twice = format!(r#"{{"sourceNo":"P-2","sourceNo":"{PAYOUT}"}}"#);
    add("Set naming sourceNo twice".into(), debit.set(&set_twice));
    add(
        "Place naming sourceNo twice".into(),
        debit.v2("Place", &set_twice),
    );
    add("Get naming sourceNo twice".into(), debit.get(&get_twice));
    add(
        "GetV2 naming sourceNo twice".into(),
        debit.v2("GetV2", &get_twice),
    );
    let sealed_get = debit.seal(&json!({"sourceNo": PAYOUT}).to_string(), &debit.key);
    add(
        "GetV2 naming data twice".into(),
        debit.v1(
            "GetV2",
            &format!(r#"{{"data":"x","data":"{sealed_get}"}}"#),
            &[&debit.merchant],
        ),
    );
    let plain_get = json!({"sourceNo": PAYOUT}).to_string();
    for (label, body) in [
        ("data empty", json!({"data": ""}).to_string()),
        ("data missing", json!({}).to_string()),
        ("data a number", json!({"data": 5}).to_string()),
        ("data not Base64", json!({"data": "%%%"}).to_string()),
        (
            "data under another key",
            json!({"data": debit.seal(&plain_get, "0123456789abcdef0123456789abcdef")}).to_string(),
        ),
        (
            "data sealing no JSON",
            json!({"data": debit.seal("sourceNo=P-1", &debit.key)}).to_string(),
        ),
        (
            "data 1 MB",
            json!({"data": "A".repeat(MEGABYTE - 100)}).to_string(),
        ),
        ("the plain V1 body", plain_get.clone()),
        ("not JSON", "data=x".into()),
        ("empty", String::new()),
    ] {
        add(
            format!("GetV2 {label}"),
            debit.v1("GetV2", &body, &[&debit.merchant]),
        );
    }
    let wrong = format!("{}x", debit.key);
    for (label, path, body, auth) in [
        (
            "Get without Authorization",
            "Get",
            plain_get.clone(),
            vec![],
        ),
        (
            "Get with an empty Authorization",
            "Get",
            plain_get.clone(),
            vec![""],
        ),
        (
            "Get with a wrong key",
            "Get",
            plain_get.clone(),
            vec![wrong.as_str()],
        ),
        (
            "Get with the merchant id",
            "Get",
            plain_get.clone(),
            vec![debit.merchant.as_str()],
        ),
        (
            "Get with the key twice",
            "Get",
            plain_get.clone(),
            vec![debit.key.as_str(), debit.key.as_str()],
        ),
        (
            "Get with the key and a wrong one",
            "Get",
            plain_get.clone(),
            vec![debit.key.as_str(), wrong.as_str()],
        ),
        (
            "GetV2 with the access key",
            "GetV2",
            json!({"data": sealed_get}).to_string(),
            vec![debit.key.as_str()],
        ),
        (
            "GetV2 with the merchant id twice",
            "GetV2",
            json!({"data": sealed_get}).to_string(),
            vec![debit.merchant.as_str(), debit.merchant.as_str()],
        ),
    ] {
        add(label.into(), debit.v1(path, &body, &auth));
    }
    h.run("debit", probes, debit_shape).await;
    // The unmutated Get finds the payout and settles it (₹1,500.25 is paid out).
    let settled = exchange(h.addr(), debit.get(&plain_get)).await;
    assert_eq!(settled.json().unwrap()["code"], 0, "{settled:?}");
    assert_eq!(h.sandbox.ledger.charges_for("debit", PAYOUT), 1);
}
