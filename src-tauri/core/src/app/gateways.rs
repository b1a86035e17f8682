//! The gateways paydesk speaks, and whether a profile's gateway can be reached.

use paydesk_gateways::{connector_for, Capabilities, SettingKind, SettingSpec};
use serde::Serialize;
use ts_rs::TS;

/// A gateway paydesk speaks, with what it can do.
#[derive(Debug, Clone, Serialize, TS)]
pub struct GatewayInfo {
    pub id: &'static str,
    pub capabilities: Capabilities,
    /// The settings its profiles take, the proxy every profile may name among them.
    pub settings: Vec<SettingSpec>,
}

pub fn gateways() -> Vec<GatewayInfo> {
    paydesk_gateways::GATEWAYS
        .iter()
        .filter_map(|id| {
            connector_for(id).map(|c| {
                let mut settings = c.settings();
                settings.push(SettingSpec::new(
                    crate::base_url::PROXY_SETTING,
                    false,
                    SettingKind::Url,
                ));
                GatewayInfo {
                    id,
                    capabilities: c.capabilities(),
                    settings,
                }
            })
        })
        .collect()
}

/// Why nothing could be reached where a base URL points, in words for the person asking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub String);

/// Whether something accepts connections where the base URL points: the address it reached.
/// Only a TCP connection, so no gateway ever sees a request from this.
pub async fn reachable(base_url: &str) -> Result<String, Unreachable> {
    crate::base_url::check(base_url).map_err(|e| Unreachable(e.to_string()))?;
    let uri: http::Uri = base_url
        .parse()
        .map_err(|_| Unreachable(format!("{base_url:?} is not a URL")))?;
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(std::time::Duration::from_secs(5), connect).await {
        Ok(Ok(stream)) => Ok(stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| format!("{host}:{port}"))),
        Ok(Err(e)) => Err(Unreachable(format!("{host}:{port}: {e}"))),
        Err(_) => Err(Unreachable(format!(
            "{host}:{port}: no answer within 5 seconds"
        ))),
    }
}
