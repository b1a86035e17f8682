//! Certificate errors are never ignored: the transport refuses a loopback HTTPS server whose
//! certificate no trusted authority signed, before any byte of the request is sent.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use paydesk_gateways::transport::{Transport, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName,
};

struct Server {
    port: u16,
    certificate: CertificateDer<'static>,
    handshakes_failed: Arc<AtomicUsize>,
    requests_read: Arc<AtomicUsize>,
}

async fn self_signed_server() -> Server {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let certificate = generated.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(generated.key_pair.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate.clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes_failed = Arc::new(AtomicUsize::new(0));
    let requests_read = Arc::new(AtomicUsize::new(0));
    let (failed, read) = (handshakes_failed.clone(), requests_read.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, failed, read) = (acceptor.clone(), failed.clone(), read.clone());
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Err(_) => {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(mut tls) => {
                        let mut buffer = [0_u8; 4096];
                        if tls.read(&mut buffer).await.is_ok_and(|n| n > 0) {
                            read.fetch_add(1, Ordering::SeqCst);
                        }
                        let _ = tls
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                            .await;
                        let _ = tls.shutdown().await;
                    }
                }
            });
        }
    });
    Server {
        port,
        certificate,
        handshakes_failed,
        requests_read,
    }
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_and_nothing_is_sent() {
    let server = self_signed_server().await;
    for host in ["localhost", "127.0.0.1"] {
        let request =
            http::Request::post(format!("https://{host}:{}/v1/orders/A-1:pay", server.port))
                .header("authorization", "Bearer canary-token")
                .body(b"{}".to_vec())
                .unwrap();
        let refused = Transport::default().send(request).await.unwrap_err();
        // A failed handshake happens before the request: nothing can have been paid.
        assert!(
            matches!(refused, TransportError::NotSent(_)),
            "{host}: {refused:?}"
        );
    }
    // Give the server's handshake tasks a moment to record how they ended.
    for _ in 0..50 {
        if server.handshakes_failed.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(server.handshakes_failed.load(Ordering::SeqCst), 2);
    assert_eq!(server.requests_read.load(Ordering::SeqCst), 0);
}

/// The control: the same server is reachable by a client that trusts its certificate, so the
/// refusal above is the certificate's doing, not a broken server.
#[tokio::test]
async fn the_same_server_answers_a_client_that_trusts_its_certificate() {
    let server = self_signed_server().await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server.certificate.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("a client that trusts the certificate completes the handshake");
    tls.write_all(b"GET / HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer).await;
    assert!(answer.starts_with(b"HTTP/1.1 200 OK"), "{answer:?}");
    assert_eq!(server.requests_read.load(Ordering::SeqCst), 1);
}
