//! The one HTTP transport: carries a connector's request and brings back the response.
//!
//! It never retries and never follows redirects: a payment request is sent at most once per
//! call, and whether a failure means "not sent" or "fate unknown" is reported exactly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Answers larger than this are not read: no gateway documents anything close.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The request never reached the gateway (no connection): nothing can have happened.
    #[error("the gateway could not be reached, nothing was sent: {0}")]
    NotSent(String),
    /// The request may have reached the gateway, but its answer was not read.
    #[error("the gateway's answer was lost: {0}")]
    AnswerLost(String),
}

/// What carries requests when it is not HTTP: a simulation's in-memory path to the
/// emulators, with the faults its seed picks (`tests/simulation.rs`). It answers exactly as
/// the HTTP path would: a response, `NotSent`, or `AnswerLost`.
#[doc(hidden)]
pub trait Carrier: Send + Sync {
    fn carry(&self, request: http::Request<Vec<u8>>) -> Carried;
}

/// A [`Carrier`]'s answer, to be awaited.
pub type Carried = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send>,
>;

/// The destinations a profile's proxy never carries, in `NO_PROXY`'s syntax.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    /// Set only in a simulation: requests go to it instead of the network.
    carrier: Option<Arc<dyn Carrier>>,
    timeout: Duration,
    /// The clients that reach gateways through a profile's own proxy, one per proxy URL,
    /// shared by every clone.
    proxied: Arc<Mutex<HashMap<String, reqwest::Client>>>,
}

impl Transport {
    pub fn new(timeout: Duration) -> Self {
        // A proxy named only by the environment (HTTP_PROXY, ALL_PROXY…) is never used: it
        // would be handed every request, a plain-http gateway's Authorization header with it.
        let client = Self::builder(timeout)
            .no_proxy()
            .build()
            .expect("a TLS backend is compiled in");
        Transport {
            client,
            carrier: None,
            timeout,
            proxied: Arc::default(),
        }
    }

    /// A transport whose requests `carrier` takes instead of the network, as if each had
    /// waited up to `timeout`.
    #[doc(hidden)]
    pub fn carried_by(carrier: Arc<dyn Carrier>, timeout: Duration) -> Self {
        Transport {
            carrier: Some(carrier),
            ..Transport::new(timeout)
        }
    }

    fn builder(timeout: Duration) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("paydesk/", env!("CARGO_PKG_VERSION")))
    }

    /// This transport, reaching gateways through `proxy` (a URL the caller has checked, as a
    /// profile's proxy setting is) instead of directly.
    pub fn through_proxy(&self, proxy: &str) -> Result<Transport, TransportError> {
        if self.carrier.is_some() {
            return Ok(self.clone());
        }
        let mut proxied = self.proxied.lock().unwrap_or_else(|e| e.into_inner());
        let client = match proxied.get(proxy) {
            Some(client) => client.clone(),
            None => {
                let refused = |e: reqwest::Error| {
                    TransportError::NotSent(format!(
                        "the proxy cannot be used: {}",
                        e.without_url()
                    ))
                };
                // A gateway on this machine (a sandbox, a local forwarder) is reached directly:
                // the proxy's own loopback is not this machine's.
                let through = reqwest::Proxy::all(proxy)
                    .map_err(refused)?
                    .no_proxy(reqwest::NoProxy::from_string(LOOPBACK));
                let client = Self::builder(self.timeout)
                    .proxy(through)
                    .build()
                    .map_err(refused)?;
                proxied.insert(proxy.to_string(), client.clone());
                client
            }
        };
        Ok(Transport {
            client,
            carrier: None,
            timeout: self.timeout,
            proxied: self.proxied.clone(),
        })
    }

    /// How long one request may take before its answer counts as lost.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        crate::test_panic::point("send", || format!("test panic sending {request:?}"));
        if let Some(carrier) = &self.carrier {
            return carrier.carry(request).await;
        }
        let request = reqwest::Request::try_from(request)
            .map_err(|e| TransportError::NotSent(e.to_string()))?;
        // Errors drop the URL: a query string may carry a session or a signature, and the
        // message is stored with the attempt and shown to people.
        let mut response = self.client.execute(request).await.map_err(|e| {
            let e = e.without_url();
            if e.is_connect() || e.is_builder() {
                TransportError::NotSent(e.to_string())
            } else {
                TransportError::AnswerLost(e.to_string())
            }
        })?;
        let mut builder = http::Response::builder()
            .status(response.status())
            .version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| TransportError::AnswerLost(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(TransportError::AnswerLost(format!(
                    "answer larger than {MAX_RESPONSE_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        builder
            .body(body)
            .map_err(|e| TransportError::AnswerLost(e.to_string()))
    }
}

impl Default for Transport {
    fn default() -> Self {
        Transport::new(Duration::from_secs(30))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_is_not_sent() {
        // Bind then drop a listener to get a loopback port nobody is listening on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = http::Request::post(format!("http://127.0.0.1:{port}/x"))
            .body(Vec::new())
            .unwrap();
        let err = Transport::default().send(request).await.unwrap_err();
        assert!(matches!(err, TransportError::NotSent(_)), "{err:?}");
    }

    /// A loopback listener that answers every request with 200 and hands back what it was
    /// sent: a gateway, or a proxy.
    async fn recording_listener() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (seen, heard) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut head = vec![0; 4096];
                let n = socket.read(&mut head).await.unwrap_or(0);
                let _ = seen.send(String::from_utf8_lossy(&head[..n]).to_string());
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
            }
        });
        (format!("http://{address}"), heard)
    }

    fn request_to(gateway: &str) -> http::Request<Vec<u8>> {
        http::Request::post(format!("{gateway}/pay"))
            .header("authorization", "canary-access-key")
            .body(Vec::new())
            .unwrap()
    }

    #[tokio::test]
    async fn a_profiles_proxy_carries_its_requests_and_no_other() {
        let (gateway, mut at_gateway) = recording_listener().await;
        let (proxy, mut at_proxy) = recording_listener().await;
        let direct = Transport::new(Duration::from_secs(5));
        let proxied = direct.through_proxy(&proxy).unwrap();

        // A gateway elsewhere: the proxy resolves its name, so nothing here has to.
        let remote = "http://gateway.example";
        proxied.send(request_to(remote)).await.unwrap();
        let forwarded = at_proxy.recv().await.unwrap();
        assert!(
            forwarded.starts_with(&format!("POST {remote}/pay ")),
            "{forwarded}"
        );
        direct.send(request_to(&gateway)).await.unwrap();
        assert!(at_gateway.recv().await.unwrap().starts_with("POST /pay "));
        assert!(
            at_proxy.try_recv().is_err(),
            "the direct transport used the proxy"
        );
    }

    #[tokio::test]
    async fn a_gateway_on_this_machine_is_reached_past_the_proxy() {
        let (gateway, mut at_gateway) = recording_listener().await;
        let (proxy, mut at_proxy) = recording_listener().await;
        let proxied = Transport::new(Duration::from_secs(5))
            .through_proxy(&proxy)
            .unwrap();
        let port = gateway.rsplit(':').next().unwrap();
        for local in [gateway.clone(), format!("http://localhost:{port}")] {
            proxied.send(request_to(&local)).await.unwrap();
            let arrived = tokio::time::timeout(Duration::from_secs(5), at_gateway.recv())
                .await
                .expect("the request never reached the gateway")
                .unwrap();
            assert!(arrived.starts_with("POST /pay "), "{arrived}");
        }
        assert!(
            at_proxy.try_recv().is_err(),
            "the proxy was handed a request for this machine"
        );
    }

    #[tokio::test]
    async fn errors_never_quote_the_url_and_its_query() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = http::Request::post(format!(
            "http://127.0.0.1:{port}/router/rest?session=canary-session&sign=canary-sign"
        ))
        .body(Vec::new())
        .unwrap();
        let err = Transport::default().send(request).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("canary"), "{shown}");
    }
}
