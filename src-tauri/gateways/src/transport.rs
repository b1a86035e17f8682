//! The one HTTP transport: carries a connector's request and brings back the response.
//!
//! It never retries and never follows redirects: a payment request is sent at most once per
//! call, and whether a failure means "not sent" or "fate unknown" is reported exactly.

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

#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

impl Transport {
    pub fn new(timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("paydesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a TLS backend is compiled in");
        Transport { client, timeout }
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
