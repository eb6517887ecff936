//! The chat link over TLS, as through `TrueConf`'s Web Manager: a loopback TLS front (a private
//! CA's certificate for 127.0.0.1) forwarding to the chat simulator's plain port. wss:// for
//! the socket, https:// for OAuth and files; the download URL the server builds (plain http,
//! its own port) is rewritten to the address we connected to.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use trueconf_console::chat::methods::{GetChatHistory, SendMessage, text_content};
use trueconf_console::chat::{self, ChatLinkOptions, ChatTarget};
use trueconf_console::link::{Backoff, LinkStatus};
use trueconf_console::sim::{ChatSim, ChatSimConfig, World};

const WAIT: Duration = Duration::from_secs(10);

/// A CA and a server certificate for 127.0.0.1 signed by it: (CA PEM, server config).
fn pki() -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    (ca_cert.pem(), Arc::new(cfg))
}

/// TLS in front of `backend`, like the Web Manager in front of Bridge. Returns its port.
async fn tls_front(cfg: Arc<rustls::ServerConfig>, backend: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(("127.0.0.1", backend)).await
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    port
}

async fn setup() -> (ChatSim, String, u16, tempfile::TempDir) {
    trueconf_console::tls::init();
    let sim = ChatSim::start(
        ChatSimConfig::new(Arc::new(World::demo())),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let (ca, cfg) = pki();
    let port = tls_front(cfg, sim.port()).await;
    let dir = tempfile::tempdir().unwrap();
    (sim, ca, port, dir)
}

fn target(port: u16) -> ChatTarget {
    let mut t = ChatTarget::loopback(port, "operator", "operator");
    t.tls = true;
    t
}

fn opts() -> ChatLinkOptions {
    ChatLinkOptions {
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(200),
            max_retries: Some(1),
        },
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        ..ChatLinkOptions::default()
    }
}

#[tokio::test]
async fn wss_and_https_with_a_private_ca() {
    let (sim, ca, port, dir) = setup().await;
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let mut t = target(port);
    t.ca_file = Some(ca_file);
    let (h, _rx) = chat::spawn(t, opts()).unwrap();
    h.wait_status(WAIT, LinkStatus::is_up)
        .await
        .expect("authorised over TLS");
    assert!(h.target().ws_url().starts_with("wss://"));
    let chat_id = sim.chat_id("alice+operator").unwrap();
    h.send_message(SendMessage {
        chat_id: chat_id.clone(),
        reply_message_id: None,
        content: text_content("over TLS", "text"),
    })
    .await
    .unwrap();
    // A file through https both ways (the download URL names the plain backend; rewritten).
    let src = dir.path().join("a.txt");
    std::fs::write(&src, "secret minutes\n".repeat(1000)).unwrap();
    let posted = h
        .send_file_from_path(&chat_id, &src, None, None)
        .await
        .unwrap();
    let dest = dir.path().join("b.txt");
    h.download_to(posted.file_id.as_deref().unwrap(), &dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&src).unwrap(), std::fs::read(&dest).unwrap());
    let hist = h
        .get_chat_history(GetChatHistory {
            chat_id,
            count: 5,
            from_message_id: None,
        })
        .await
        .unwrap();
    assert!(hist.messages.iter().any(|m| m.summary() == "over TLS"));
}

#[tokio::test]
async fn an_unknown_ca_is_refused_unless_insecure_is_asked_for() {
    let (_sim, _ca, port, _dir) = setup().await;
    let (h, _rx) = chat::spawn(target(port), opts()).unwrap();
    let s = h
        .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
        .await
        .unwrap();
    assert!(
        s.label().to_ascii_lowercase().contains("certificate"),
        "{}",
        s.label()
    );
    assert!(!h.status().is_up());
    let mut t = target(port);
    t.insecure = true;
    let (h, _rx) = chat::spawn(t, opts()).unwrap();
    h.wait_status(WAIT, LinkStatus::is_up)
        .await
        .expect("insecure = true skips the check");
}
