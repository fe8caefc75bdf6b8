//! TLS 1.3 configuration for QUIC with certificate pinning.
//!
//! The relay makes a self-signed certificate on first start; clients pin its SHA-256
//! fingerprint ([`Fingerprint`]) instead of trusting a CA. A wrong pin fails the handshake with
//! [`FingerprintMismatch`] inside the rustls error, which the client core turns into a clear
//! message.

use std::{fmt, str::FromStr, sync::Arc, time::Duration};

use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{ring::default_provider, CryptoProvider, WebPkiSupportedAlgorithms},
    pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime},
    DigitallySignedStruct, SignatureScheme,
};
use sha2::{Digest, Sha256};

use porpoise_protocol::wire::ALPN;

/// QUIC keep-alive interval: keeps NAT bindings open and detects a dead peer.
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(5);
/// A connection with no traffic (not even keep-alives) for this long is closed.
pub const MAX_IDLE_TIMEOUT: Duration = Duration::from_secs(20);

/// SHA-256 fingerprint of a DER certificate; shown as 32 colon-separated uppercase hex bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// Fingerprint of a DER-encoded certificate.
    pub fn of_der(der: &[u8]) -> Self {
        Fingerprint(Sha256::digest(der).into())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A fingerprint string that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a certificate fingerprint is 64 hex digits (colons and spaces allowed), got {0:?}")]
pub struct FingerprintParseError(pub String);

impl FromStr for Fingerprint {
    type Err = FingerprintParseError;

    /// Accepts upper or lower case, with or without `:`/space/`-` separators.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: Vec<u8> = s
            .bytes()
            .filter(|b| !matches!(b, b':' | b' ' | b'-'))
            .collect();
        if hex.len() != 64 {
            return Err(FingerprintParseError(s.to_owned()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            let text =
                std::str::from_utf8(pair).map_err(|_| FingerprintParseError(s.to_owned()))?;
            out[i] =
                u8::from_str_radix(text, 16).map_err(|_| FingerprintParseError(s.to_owned()))?;
        }
        Ok(Fingerprint(out))
    }
}

/// The relay presented a certificate whose fingerprint is not the pinned one.
#[derive(Debug, Clone, thiserror::Error)]
#[error("certificate fingerprint mismatch: expected {expected}, relay presented {presented}")]
pub struct FingerprintMismatch {
    /// Pinned fingerprint.
    pub expected: Fingerprint,
    /// Fingerprint of the presented certificate.
    pub presented: Fingerprint,
}

/// TLS setup errors.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rustls rejected the certificate, key or protocol settings.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// quinn rejected the TLS configuration (e.g. no TLS 1.3 cipher suite).
    #[error("QUIC TLS configuration: {0}")]
    Quic(String),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(default_provider())
}

fn transport() -> Arc<quinn::TransportConfig> {
    let mut t = quinn::TransportConfig::default();
    t.keep_alive_interval(Some(KEEP_ALIVE_INTERVAL));
    if let Ok(idle) = quinn::IdleTimeout::try_from(MAX_IDLE_TIMEOUT) {
        t.max_idle_timeout(Some(idle));
    }
    Arc::new(t)
}

/// QUIC server configuration: TLS 1.3 only, ALPN `porpoise/1`, the given certificate and key.
///
/// Errors: [`TlsError`] if the key does not match or is unsupported.
pub fn server_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<quinn::ServerConfig, TlsError> {
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = quinn::crypto::rustls::QuicServerConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(transport());
    Ok(config)
}

/// QUIC client configuration that trusts exactly the certificate with fingerprint `pin`, and the
/// [`PinCheck`] that tells afterwards whether a handshake failed on the pin.
///
/// Errors: [`TlsError`] only if the crypto provider lacks TLS 1.3 (not expected).
pub fn client_config(pin: Fingerprint) -> Result<(quinn::ClientConfig, PinCheck), TlsError> {
    let provider = provider();
    let check = PinCheck::default();
    let verifier = Arc::new(PinnedVerifier {
        pin,
        algorithms: provider.signature_verification_algorithms,
        check: check.clone(),
    });
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(tls)
        .map_err(|e| TlsError::Quic(e.to_string()))?;
    let mut config = quinn::ClientConfig::new(Arc::new(crypto));
    config.transport_config(transport());
    Ok((config, check))
}

/// A rustls client configuration (TLS 1.3, no ALPN) that trusts exactly the certificate
/// with fingerprint `pin`: for HTTPS to the relay, e.g. downloading a helper (C1, M11).
///
/// Errors: [`TlsError`] only if the crypto provider lacks the protocol versions (not expected).
pub fn pinned_https_config(pin: Fingerprint) -> Result<rustls::ClientConfig, TlsError> {
    let provider = provider();
    let verifier = Arc::new(PinnedVerifier {
        pin,
        algorithms: provider.signature_verification_algorithms,
        check: PinCheck::default(),
    });
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Records the outcome of pinning for one client configuration, so that a failed handshake can
/// be explained as a fingerprint mismatch rather than a generic TLS error.
#[derive(Debug, Clone, Default)]
pub struct PinCheck(Arc<std::sync::Mutex<Option<FingerprintMismatch>>>);

impl PinCheck {
    /// The last mismatch seen by the verifier, if any.
    pub fn mismatch(&self) -> Option<FingerprintMismatch> {
        self.0.lock().ok().and_then(|m| m.clone())
    }

    fn record(&self, mismatch: FingerprintMismatch) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(mismatch);
        }
    }
}

/// Verifies that the server certificate is exactly the pinned one, and that the handshake
/// signatures are made with its key.
#[derive(Debug)]
struct PinnedVerifier {
    pin: Fingerprint,
    algorithms: WebPkiSupportedAlgorithms,
    check: PinCheck,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of_der(end_entity.as_ref());
        if presented == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            let mismatch = FingerprintMismatch {
                expected: self.pin,
                presented,
            };
            self.check.record(mismatch.clone());
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Other(rustls::OtherError(Arc::new(mismatch))),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::Tls12NotOffered,
        ))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_text_roundtrip() {
        let fp = Fingerprint::of_der(b"certificate");
        let text = fp.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert_eq!(text.parse::<Fingerprint>(), Ok(fp));
        assert_eq!(
            text.replace(':', "").to_lowercase().parse::<Fingerprint>(),
            Ok(fp)
        );
    }

    #[test]
    fn fingerprint_rejects_short_or_non_hex() {
        assert!("AB:CD".parse::<Fingerprint>().is_err());
        assert!("zz".repeat(32).parse::<Fingerprint>().is_err());
    }
}
