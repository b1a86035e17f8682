//! What the fuzz targets share: turning fuzzer bytes into gateway answers, callbacks and
//! sandbox requests. The formats are plain text so the seed corpus can be real answers and
//! requests, readable and editable by hand:
//!
//! - an answer is `SSS` (HTTP status, three digits), one mode byte (`s`: seal the body as a
//!   debit V2 `data` under the profile's access key; anything else: the body as is), then the
//!   body;
//! - a callback is `s` + `sourceNo` + `\n` + the JSON to seal, or any other bytes as the body;
//! - sandbox requests are separated by `\0\0`; each is `METHOD PATH`, header lines `Name:
//!   value`, an empty line, then the body;
//! - an import file is one mode byte (its lowest bit: 0 CSV, 1 JSON; the next: 0 rows without
//!   a profile get the default one, 1 they get none), then the file.

use std::collections::{BTreeMap, HashMap, HashSet};

use paydesk_gateways::{connector_for, debit, Asked, Channel, Secrets};
use paydesk_rules::input_rules::{check_order_fields, OrderFields};
use paydesk_rules::parse::{self, ImportFormat, Profiles, MAX_LIBRARY_MESSAGE_CHARS};
use paydesk_sandbox::SandboxConfig;
use tower::ServiceExt;

/// The credentials of the built-in sandbox, so the fuzzer reaches past authentication.
fn sandbox_secret(gateway: &str, key: &str) -> String {
    SandboxConfig::default().secret(gateway, key).to_string()
}

fn secrets() -> Secrets {
    Secrets::new()
        .with("token", sandbox_secret("sensecore", "token"))
        .with("app_secret", sandbox_secret("top", "app_secret"))
        .with("sign_key", sandbox_secret("partner", "sign_key"))
        .with("access_key", debit_key())
}

fn debit_key() -> String {
    sandbox_secret("debit", "access_key")
}

fn seal(plain: &[u8]) -> String {
    paydesk_crypto::aes256_ecb_encrypt_b64(debit_key().as_bytes(), plain)
        .expect("the sandbox key is 32 bytes")
}

fn status_of(head: &[u8]) -> u16 {
    std::str::from_utf8(head)
        .ok()
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=599).contains(s))
        .unwrap_or(200)
}

/// Feeds one answer to every parser of `gateway`'s connector.
pub fn responses(gateway: &str, data: &[u8]) {
    let connector = connector_for(gateway).expect("a known gateway");
    let (head, rest) = data.split_at(data.len().min(3));
    let status = status_of(head);
    let body = match rest.split_first() {
        Some((b's', plain)) => {
            serde_json::to_vec(&serde_json::json!({"code": 0, "message": "", "data": seal(plain)}))
                .expect("JSON")
        }
        Some((_, body)) => body.to_vec(),
        None => Vec::new(),
    };
    let response = http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid status");
    let secrets = secrets();
    let _ = connector.parse_pay(&response);
    let _ = connector.parse_status(&response);
    // Held against a payment the answer may or may not name (the seeds' order, source and
    // partner user), on a channel of each kind.
    let attributes = BTreeMap::from([
        ("user_id".to_string(), "u-1".to_string()),
        ("gift_pos_id".to_string(), "g-1".to_string()),
    ]);
    for (version, channel) in [
        ("v1", Channel::Alipay),
        ("v2", Channel::Balance),
        ("v1", Channel::Bank),
    ] {
        let settings = BTreeMap::from([("api_version".to_string(), version.to_string())]);
        let asked = Asked {
            order_no: "12134676899915430002",
            idempotency_key: "src-1",
            channel,
            attributes: &attributes,
            gateway_ref: (channel == Channel::Alipay).then_some("ch_WrHW58Ki5unLCSuf54OuHKCS"),
            live: version == "v1",
        };
        let _ = connector.parse_pay_with(&response, &secrets, &settings, asked);
        let _ = connector.parse_status_with(&response, &secrets, &settings, asked);
        let _ = connector.parse_pay_with(&response, &Secrets::new(), &settings, asked);
    }
}

/// Feeds one callback body to debit's decoder, with the right key, no key and a wrong one.
pub fn debit_callback(data: &[u8]) {
    let body = match data.split_first() {
        Some((b's', rest)) => {
            let split = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let source_no = String::from_utf8_lossy(&rest[..split]);
            let plain = rest.get(split + 1..).unwrap_or_default();
            serde_json::to_vec(&serde_json::json!({"sourceNo": source_no, "data": seal(plain)}))
                .expect("JSON")
        }
        _ => data.to_vec(),
    };
    let _ = debit::parse_callback(&body, &debit_key());
    let _ = debit::parse_callback(&body, "");
    let _ = debit::parse_callback(&body, "0123456789abcdef0123456789abcdef");
}

/// At most this many requests per input: enough to register an order, pay it and ask again.
const MAX_REQUESTS: usize = 6;

fn request_of(text: &[u8]) -> Option<http::Request<axum::body::Body>> {
    let split = text
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(text.len());
    let head = std::str::from_utf8(&text[..split]).ok()?;
    let body = text.get(split + 2..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let (method, path) = lines.next()?.split_once(' ')?;
    let mut builder = http::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1{path}"));
    for line in lines {
        let (name, value) = line.split_once(':')?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(axum::body::Body::from(body)).ok()
}

/// Sends a few requests, in order, to one fresh sandbox (its own ledger).
pub fn sandbox_requests(data: &[u8]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let app = paydesk_sandbox::service(SandboxConfig::default());
    runtime.block_on(async {
        let mut rest = data;
        for _ in 0..MAX_REQUESTS {
            if rest.is_empty() {
                break;
            }
            let end = rest
                .windows(2)
                .position(|w| w == b"\0\0")
                .unwrap_or(rest.len());
            let (one, tail) = rest.split_at(end);
            rest = tail.get(2..).unwrap_or_default();
            let Some(request) = request_of(one) else {
                continue;
            };
            let response = app.clone().oneshot(request).await.expect("infallible");
            let _ = axum::body::to_bytes(response.into_body(), 8 * 1024 * 1024).await;
        }
    });
}

/// The longest reason a refused row (or an unreadable file) may give: the import's own sentence
/// around either a quoted head of a value (`input_rules::shown`: 40 characters, each escaped to
/// at most 10) or a library's message cut to [`MAX_LIBRARY_MESSAGE_CHARS`].
const MAX_REASON_CHARS: usize = 40 * 10 + MAX_LIBRARY_MESSAGE_CHARS;

/// A reason is one short line.
fn assert_short_line(reason: &str) {
    let shown = reason.chars().count();
    assert!(
        shown > 0 && shown <= MAX_REASON_CHARS,
        "{shown} characters: {reason:.600}"
    );
    assert!(
        !reason.contains(['\n', '\r']),
        "more than one line: {reason:?}"
    );
}

/// Reads one import file through the import's parsing layer. Beyond not panicking: every
/// candidate is an order the store itself accepts (`input_rules::check_order_fields`, what
/// `Store::add_order` checks), with a positive amount, a known profile and an order number no
/// earlier candidate has, in the file's order; every refusal is one short line, naming an order
/// number only when it is one the store could hold.
pub fn import_orders(data: &[u8]) {
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let format = if mode & 1 == 0 {
        ImportFormat::Csv
    } else {
        ImportFormat::Json
    };
    let ids = HashMap::from([("shop".to_string(), 1), ("其他 🛒".to_string(), 2)]);
    let currencies = HashMap::new();
    let profiles = Profiles {
        ids: &ids,
        default: (mode & 2 == 0).then_some("shop"),
        currencies: &currencies,
    };
    let rows = match parse::rows(file, format, profiles) {
        Ok(rows) => rows,
        Err(unreadable) => return assert_short_line(&unreadable.to_string()),
    };
    let mut seen = HashSet::new();
    let mut last_line = 0;
    for row in rows {
        match row {
            Ok(order) => {
                assert!(
                    ids.values().any(|id| *id == order.profile_id),
                    "a candidate's profile is one of the known ones: {order:?}"
                );
                assert!(order.amount.minor > 0, "{order:?}");
                assert!(order.line >= last_line, "rows out of order: {order:?}");
                last_line = order.line;
                assert!(seen.insert(order.order_no.clone()), "twice: {order:?}");
                let as_store_sees_it = OrderFields {
                    order_no: &order.order_no,
                    amount: order.amount,
                    subject: &order.subject,
                    attributes: &order.attributes,
                };
                if let Err(why) = check_order_fields(as_store_sees_it) {
                    panic!("the store would refuse a candidate ({why}): {order:?}");
                }
            }
            Err(refused) => {
                assert_short_line(&refused.reason);
                if let Some(named) = &refused.order_no {
                    assert!(parse::check_order_no(named).is_ok(), "{refused:.300?}");
                }
            }
        }
    }
}
