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
use trueconf_console::tls::Fingerprint;

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

/// A server certificate as `openssl req -x509` makes it: self-signed, CA:TRUE, and (as often
/// in-house) not naming the address it is reached at. (PEM, DER, server config.)
fn self_signed() -> (String, Vec<u8>, Arc<rustls::ServerConfig>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "video.example.com");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    (cert.pem(), cert.der().to_vec(), Arc::new(cfg))
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
    let (ca, cfg) = pki();
    let (sim, port, dir) = setup_with(cfg).await;
    (sim, ca, port, dir)
}

async fn setup_with(cfg: Arc<rustls::ServerConfig>) -> (ChatSim, u16, tempfile::TempDir) {
    trueconf_console::tls::init();
    let sim = ChatSim::start(
        ChatSimConfig::new(Arc::new(World::demo())),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let port = tls_front(cfg, sim.port()).await;
    let dir = tempfile::tempdir().unwrap();
    (sim, port, dir)
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

/// A self-signed server certificate with CA:TRUE (what `openssl req -x509` makes, the usual
/// state of an in-house TrueConf Server), put in `ca_file`: trusted as that server's own
/// certificate, for the socket and for HTTP (the token and a file) alike.
#[tokio::test]
async fn a_self_signed_ca_true_certificate_in_ca_file_connects() {
    let (pem, _, cfg) = self_signed();
    let (sim, port, dir) = setup_with(cfg).await;
    let ca_file = dir.path().join("server.pem");
    std::fs::write(&ca_file, pem).unwrap();
    let mut t = target(port);
    t.ca_file = Some(ca_file);
    let (h, _rx) = chat::spawn(t, opts()).unwrap();
    h.wait_status(WAIT, LinkStatus::is_up)
        .await
        .expect("the certificate in ca_file is trusted as it is");
    let chat_id = sim.chat_id("alice+operator").unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, "over https\n").unwrap();
    h.send_file_from_path(&chat_id, &src, None, None)
        .await
        .expect("https with the same trust");
}

/// The certificate pinned by its SHA-256 fingerprint, in the form a refusal prints it (and
/// as openssl prints it, and without colons): trusted, with no ca_file at all.
#[tokio::test]
async fn the_fingerprint_pin_connects() {
    let (_, der, cfg) = self_signed();
    let (_sim, port, _dir) = setup_with(cfg).await;
    let shown = Fingerprint::of(&der).to_string();
    let bare: String = shown["SHA256:".len()..].replace(':', "").to_lowercase();
    for written in [shown.clone(), bare] {
        let mut t = target(port);
        t.pin_sha256 = Some(written.parse().unwrap());
        let (h, _rx) = chat::spawn(t, opts()).unwrap();
        h.wait_status(WAIT, LinkStatus::is_up)
            .await
            .unwrap_or_else(|s| panic!("pinned as {written}: {}", s.label()));
    }
}

/// Another certificate in ca_file, or another pin: refused, and the refusal names what the
/// server presented and how to trust it.
#[tokio::test]
async fn a_different_certificate_is_refused_naming_the_presented_fingerprint() {
    let (_, der, cfg) = self_signed();
    let (other_pem, other_der, _) = self_signed();
    let (_sim, port, dir) = setup_with(cfg).await;
    let presented = Fingerprint::of(&der).to_string();
    let ca_file = dir.path().join("other.pem");
    std::fs::write(&ca_file, other_pem).unwrap();
    let mut by_file = target(port);
    by_file.ca_file = Some(ca_file);
    let mut by_pin = target(port);
    by_pin.pin_sha256 = Some(Fingerprint::of(&other_der));
    for t in [by_file, by_pin] {
        let (h, _rx) = chat::spawn(t, opts()).unwrap();
        let s = h
            .wait_status(WAIT, |s| matches!(s, LinkStatus::Disconnected { .. }))
            .await
            .unwrap();
        let label = s.label();
        assert!(
            label.contains(&format!("the server presented {presented}")),
            "{label}"
        );
        assert!(
            label.contains(&format!("--pin-sha256 {presented}")),
            "{label}"
        );
        assert!(!h.status().is_up());
    }
}

/// The same from the command line: `--pin-sha256` connects; a refusal prints the
/// fingerprint to pin, and `--insecure` is warned about.
#[tokio::test]
async fn the_cli_pins_and_says_what_to_pin() {
    let (_, der, cfg) = self_signed();
    let (_sim, port, dir) = setup_with(cfg).await;
    let presented = Fingerprint::of(&der).to_string();
    let home = dir.path().to_path_buf();
    let run = |extra: Vec<String>| {
        let port = port.to_string();
        let home = home.clone();
        tokio::task::spawn_blocking(move || {
            let mut args: Vec<String> = [
                "chat",
                "chats",
                "--server",
                "127.0.0.1",
                "--port",
                &port,
                "--tls",
                "--user",
                "operator",
                "--timeout",
                "5",
            ]
            .iter()
            .map(ToString::to_string)
            .collect();
            args.extend(extra);
            std::process::Command::new(env!("CARGO_BIN_EXE_trueconf-console"))
                .args(&args)
                .env_clear()
                .env("HOME", &home)
                .env("XDG_DATA_HOME", home.join("data"))
                .env("XDG_STATE_HOME", home.join("state"))
                .env("XDG_CONFIG_HOME", home.join("config"))
                .env("TRUECONF_PASSWORD", "operator")
                .output()
                .unwrap()
        })
    };
    let ok = run(vec!["--pin-sha256".into(), presented.clone()])
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    // The personal chat with alice, by her name.
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Alice Johnson"));

    let refused = run(vec![]).await.unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("the server presented {presented}")),
        "{err}"
    );

    let bad = run(vec!["--pin-sha256".into(), "SHA256:12:34".into()])
        .await
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a SHA-256 fingerprint"));

    let insecure = run(vec!["--insecure".into()]).await.unwrap();
    let err = String::from_utf8_lossy(&insecure.stderr);
    assert!(insecure.status.success(), "{err}");
    assert!(err.contains("certificate is not checked"), "{err}");
}
