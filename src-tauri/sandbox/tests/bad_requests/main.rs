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

mod debit;
mod partner;
mod sensecore;
mod top;
mod yian;

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
/// The form body type 益安 and the partner gateway take.
const FORM: &str = "application/x-www-form-urlencoded";

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
