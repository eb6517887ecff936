//! TLS for wss:// and https:// to TrueConf Server: one crypto provider (ring) for the whole
//! program, the system's roots plus an optional CA file, and certificate checks off only when
//! the configuration asks for it.
//!
//! What is trusted, besides a chain to a root (the system's, or a CA in `ca_file`) that names
//! the server:
//! - a certificate in `ca_file` presented as it is: a self-signed server certificate, as
//!   `openssl req -x509` makes it (CA:TRUE, which the usual check refuses as an end entity,
//!   and often without the server's name in subjectAltName), is trusted as that server's
//!   certificate: byte for byte the same, like a pin;
//! - a certificate whose SHA-256 fingerprint is pinned (`pin_sha256`).
//!
//! Neither checks the name or the dates: the certificate itself is what is trusted. The
//! handshake's signature is checked against it as always, so only the holder of its key can
//! present it. When a certificate is refused, the link says what the server presented and how
//! to trust it.

use std::path::Path;
use std::sync::{Arc, Mutex, Once};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Installs ring as the process's crypto provider (once; later calls do nothing).
pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Why TLS cannot be set up as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("TLS setup: {0}")]
    Setup(String),
    #[error("cannot read ca_file {}: {reason}", path.display())]
    CaUnreadable {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("ca_file {} is not PEM: {reason}", path.display())]
    CaNotPem {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("ca_file {} holds no certificate", .0.display())]
    CaEmpty(std::path::PathBuf),
    #[error("ca_file {}: {reason}", path.display())]
    CaRejected {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("no trusted certificates: the system has none and no ca_file is set")]
    NoRoots,
    #[error("HTTP client: {0}")]
    HttpClient(String),
}

/// A certificate's SHA-256 fingerprint: the digest of its DER bytes.
///
/// Written `SHA256:` and 32 bytes in hex, pairs separated by colons, as
/// `openssl x509 -noout -fingerprint -sha256` prints them. Read with or without the `SHA256:`
/// prefix (or openssl's `sha256 Fingerprint=`), with or without the colons, in either case,
/// or as base64 (`SHA256:` and 43 characters, as OpenSSH writes its fingerprints).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(der: &[u8]) -> Fingerprint {
        let d = ring::digest::digest(&ring::digest::SHA256, der);
        let mut b = [0u8; 32];
        b.copy_from_slice(d.as_ref());
        Fingerprint(b)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SHA256:")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = String;
    fn from_str(s: &str) -> Result<Fingerprint, String> {
        let bad = || {
            format!(
                "{s:?} is not a SHA-256 fingerprint: expected SHA256: and 64 hex digits \
                 (colons allowed), or SHA256: and 43 base64 characters"
            )
        };
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let body = ["sha256 fingerprint=", "sha256:"]
            .iter()
            .find_map(|p| lower.starts_with(p).then(|| &t[p.len()..]))
            .unwrap_or(t);
        let hex: String = body.chars().filter(|c| *c != ':').collect();
        let mut out = [0u8; 32];
        if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            for (i, b) in out.iter_mut().enumerate() {
                *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
            }
            return Ok(Fingerprint(out));
        }
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(body.trim_end_matches('='))
            .map_err(|_| bad())?;
        if bytes.len() != 32 {
            return Err(bad());
        }
        out.copy_from_slice(&bytes);
        Ok(Fingerprint(out))
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fingerprint, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a client trusts beyond the system's roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust<'a> {
    /// PEM: CAs to trust, and server certificates trusted as they are.
    pub ca_file: Option<&'a Path>,
    /// A certificate trusted by its fingerprint.
    pub pin: Option<Fingerprint>,
    /// No checks at all (the configuration's `insecure = true`).
    pub insecure: bool,
}

/// The fingerprint of the last certificate a [`client_config`]'s verifier refused, for the
/// message that says how to trust it.
#[derive(Debug, Clone, Default)]
pub struct Refused(Arc<Mutex<Option<Fingerprint>>>);

impl Refused {
    /// The refused certificate's fingerprint, once (cleared).
    pub fn take(&self) -> Option<Fingerprint> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn set(&self, f: Fingerprint) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(f);
    }
}

/// A connection that failed because the server's certificate was refused: the failure as it
/// was, and what the server presented.
#[derive(Debug, thiserror::Error)]
#[error("{detail}; {}", trust_hint(*presented))]
pub struct CertificateRefused {
    pub detail: String,
    pub presented: Fingerprint,
}

/// What to tell someone whose server's certificate was refused.
pub fn trust_hint(presented: Fingerprint) -> String {
    format!(
        "the server presented {presented}; to trust it, pass --pin-sha256 {presented} \
         or --ca-file with that certificate (or set pin_sha256 or ca_file in [chat])"
    )
}

/// A client configuration: system roots, `ca_file`'s certificates and the pin, or no checks
/// at all when `insecure`. The second value tells what the verifier last refused.
pub fn client_config(trust: &Trust<'_>) -> Result<(Arc<rustls::ClientConfig>, Refused), TlsError> {
    init();
    let refused = Refused::default();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?;
    let config = if trust.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for c in native.certs {
            let _ = roots.add(c);
        }
        let mut exact = Vec::new();
        if let Some(path) = trust.ca_file {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| TlsError::CaUnreadable {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?
                .collect::<Result<_, _>>()
                .map_err(|e| TlsError::CaNotPem {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(TlsError::CaEmpty(path.to_path_buf()));
            }
            for c in certs {
                roots.add(c.clone()).map_err(|e| TlsError::CaRejected {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
                exact.push(c);
            }
        }
        if roots.is_empty() && trust.pin.is_none() {
            return Err(TlsError::NoRoots);
        }
        let webpki = if roots.is_empty() {
            None
        } else {
            Some(
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TlsError::Setup(e.to_string()))?,
            )
        };
        let verifier = Verifier {
            webpki,
            exact,
            pin: trust.pin,
            provider,
            refused: refused.clone(),
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    };
    Ok((Arc::new(config), refused))
}

/// The usual check (a chain to a root, the server's name, the dates), and besides it the
/// certificates trusted as they are: one of `ca_file`'s, byte for byte, or the pinned one.
#[derive(Debug)]
struct Verifier {
    /// None when nothing is trusted but the pin.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    exact: Vec<CertificateDer<'static>>,
    pin: Option<Fingerprint>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    refused: Refused,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of(end_entity.as_ref());
        if self.pin == Some(presented) {
            tracing::debug!(target: "trueconf_console::tls", "the server's certificate is the pinned one");
            return Ok(ServerCertVerified::assertion());
        }
        if self.exact.iter().any(|c| c.as_ref() == end_entity.as_ref()) {
            tracing::debug!(target: "trueconf_console::tls", "the server's certificate is one of ca_file's");
            return Ok(ServerCertVerified::assertion());
        }
        let r = match &self.webpki {
            Some(v) => v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now),
            None => Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            )),
        };
        if let Err(e) = &r {
            tracing::warn!(target: "trueconf_console::tls", "certificate refused ({e}); the server presented {presented}");
            self.refused.set(presented);
        }
        r
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Accepts any certificate (`insecure = true`), still checking the handshake signatures.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(p: &Path) -> Trust<'_> {
        Trust {
            ca_file: Some(p),
            ..Trust::default()
        }
    }

    #[test]
    fn a_bad_ca_file_is_a_clear_error() {
        let e = client_config(&ca(Path::new("/nonexistent/ca.pem")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "not a certificate\n").unwrap();
        let e = client_config(&ca(&p)).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
        let insecure = Trust {
            insecure: true,
            ..Trust::default()
        };
        assert!(client_config(&insecure).is_ok());
    }

    #[test]
    fn fingerprints_read_as_openssl_and_openssh_write_them() {
        let f = Fingerprint::of(b"a certificate");
        let shown = f.to_string();
        assert!(shown.starts_with("SHA256:"), "{shown}");
        assert_eq!(shown.len(), 7 + 32 * 3 - 1);
        let hex: String = shown[7..].chars().filter(|c| *c != ':').collect();
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(f.0);
        for s in [
            shown.clone(),
            shown.to_lowercase(),
            shown[7..].to_string(),
            format!("sha256 Fingerprint={}", &shown[7..]),
            hex.clone(),
            format!("SHA256:{hex}"),
            format!("SHA256:{b64}"),
            format!("{b64}="),
            format!("  {shown}  "),
        ] {
            assert_eq!(s.parse::<Fingerprint>(), Ok(f), "{s}");
        }
        for s in [
            "",
            "SHA256:",
            "SHA256:abcd",
            &hex[..62],
            "SHA1:00",
            &format!("{hex}00"),
        ] {
            let e = s.parse::<Fingerprint>().unwrap_err();
            assert!(e.contains("not a SHA-256 fingerprint"), "{s}: {e}");
        }
        assert_eq!(format!("{f:?}"), shown);
    }
}
