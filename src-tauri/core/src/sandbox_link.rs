//! How paydesk talks to a paydesk sandbox (never to a real gateway): recognising one when a
//! profile is added, and registering orders in its order book before they are paid, because
//! the emulators — like the real systems — only accept orders they know.

use std::collections::BTreeMap;

use paydesk_gateways::transport::Transport;
use serde::Serialize;

/// A sandbox serves each gateway under `{root}/{gateway}`; this is `{root}`.
pub fn sandbox_root(base_url: &str, gateway: &str) -> String {
    let trimmed = base_url.trim().trim_end_matches('/');
    trimmed
        .strip_suffix(&format!("/{gateway}"))
        .unwrap_or(trimmed)
        .to_string()
}

/// True when the URL's host is this machine (127.0.0.0/8, ::1, localhost).
pub fn is_loopback(base_url: &str) -> bool {
    let lower = base_url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(bracketed) = host.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// True when `base_url` is served by a paydesk sandbox. Only loopback URLs are asked.
pub async fn is_sandbox(transport: &Transport, base_url: &str, gateway: &str) -> bool {
    if !is_loopback(base_url) {
        return false;
    }
    let url = format!("{}/_sandbox/info", sandbox_root(base_url, gateway));
    let Ok(request) = http::Request::get(url).body(Vec::new()) else {
        return false;
    };
    match transport.send(request).await {
        Ok(response) if response.status().is_success() => {
            serde_json::from_slice::<serde_json::Value>(response.body())
                .is_ok_and(|v| v["sandbox"] == "paydesk")
        }
        _ => false,
    }
}

#[derive(Serialize)]
struct Registration<'a> {
    gateway: &'a str,
    order_no: &'a str,
    amount_minor: i64,
    currency: &'a str,
    subject: &'a str,
    attributes: &'a BTreeMap<String, String>,
}

/// Puts an order in the sandbox's order book (a no-op if it is already there).
#[allow(clippy::too_many_arguments)]
pub async fn register_order(
    transport: &Transport,
    base_url: &str,
    gateway: &str,
    order_no: &str,
    amount_minor: i64,
    currency: &str,
    subject: &str,
    attributes: &BTreeMap<String, String>,
) -> Result<(), String> {
    let body = serde_json::to_vec(&Registration {
        gateway,
        order_no,
        amount_minor,
        currency,
        subject,
        attributes,
    })
    .expect("serializable");
    let request = http::Request::post(format!(
        "{}/_sandbox/orders",
        sandbox_root(base_url, gateway)
    ))
    .header("content-type", "application/json")
    .body(body)
    .map_err(|e| e.to_string())?;
    match transport.send(request).await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!(
            "the sandbox refused the order: HTTP {} {}",
            response.status(),
            String::from_utf8_lossy(response.body())
        )),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_root_and_loopback_hosts() {
        assert_eq!(
            sandbox_root("http://127.0.0.1:5/top/", "top"),
            "http://127.0.0.1:5"
        );
        assert_eq!(
            sandbox_root("http://127.0.0.1:5", "top"),
            "http://127.0.0.1:5"
        );
        assert!(is_loopback("http://127.0.0.1:5/top"));
        assert!(is_loopback("http://localhost/x"));
        assert!(is_loopback("http://[::1]:8080/x"));
        assert!(!is_loopback("https://gw.api.taobao.com/router/rest"));
        assert!(!is_loopback("http://127.0.0.1.evil.example/"));
    }
}
