//! A proxy named only by the environment is never used: it would be handed every request,
//! and for a plain-http loopback gateway (a local forwarder, debit's V1 API) the
//! Authorization header with it. Its own test binary: it sets process-wide variables.

use std::time::Duration;

use paydesk_gateways::transport::Transport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback listener that answers 200 and counts the requests it was sent.
async fn listener() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (seen, heard) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = vec![0; 4096];
            let n = socket.read(&mut head).await.unwrap_or(0);
            let _ = seen.send(String::from_utf8_lossy(&head[..n]).to_string());
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });
    (format!("http://{address}"), heard)
}

#[tokio::test]
async fn the_environments_proxy_never_sees_a_gateway_request() {
    let (gateway, mut at_gateway) = listener().await;
    let (proxy, mut at_proxy) = listener().await;
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(name, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    let request = http::Request::post(format!("{gateway}/api/channel/Debit/Set"))
        .header("authorization", "canary-access-key")
        .body(b"{}".to_vec())
        .unwrap();
    Transport::new(Duration::from_secs(5))
        .send(request)
        .await
        .unwrap();
    let arrived = tokio::time::timeout(Duration::from_secs(5), at_gateway.recv())
        .await
        .expect("the request never reached the gateway")
        .unwrap();
    assert!(arrived.contains("canary-access-key"), "{arrived}");
    assert!(
        at_proxy.try_recv().is_err(),
        "the environment's proxy was handed the request"
    );
}
