//! TLS for wss:// and https:// to TrueConf Server: one crypto provider (ring) for the whole
//! program, the system's roots plus an optional CA file, and certificate checks off only when
//! the configuration asks for it.

use std::path::Path;
use std::sync::{Arc, Once};

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

/// A client configuration: system roots (and `ca_file`'s certificates), or no checks at all
/// when `insecure`.
pub fn client_config(
    ca_file: Option<&Path>,
    insecure: bool,
) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    init();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?;
    let config = if insecure {
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
        if let Some(path) = ca_file {
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
                roots.add(c).map_err(|e| TlsError::CaRejected {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })?;
            }
        }
        if roots.is_empty() {
            return Err(TlsError::NoRoots);
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
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

    #[test]
    fn a_bad_ca_file_is_a_clear_error() {
        let e = client_config(Some(Path::new("/nonexistent/ca.pem")), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.pem");
        std::fs::write(&p, "not a certificate\n").unwrap();
        let e = client_config(Some(&p), false).unwrap_err().to_string();
        assert!(e.contains("no certificate"), "{e}");
        assert!(client_config(None, true).is_ok());
    }
}
