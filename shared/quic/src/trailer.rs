//! The signed configuration trailer of a downloaded helper (C1, M11).
//!
//! The relay appends it to the helper binary it serves; the helper reads it from the end of its
//! own executable at start, so the customer types nothing. Layout, at the very end of the file:
//!
//! ```text
//! original binary ‖ payload ‖ certificate DER ‖ signature ‖ footer (FOOTER_BYTES)
//! footer = payload_len u32 ‖ cert_len u32 ‖ sig_len u32 ‖ version u16 ‖ 0u16 ‖ MAGIC (8 bytes)
//!          (integers little-endian)
//! ```
//!
//! The payload is a postcard [`EmbeddedConfig`] (relay address, certificate fingerprint, center
//! ID, branding). The signature is ECDSA P-256 / SHA-256 in the fixed 64-byte `r ‖ s` form (so a
//! trailer's length does not vary between downloads) by the relay's TLS key over
//! [`SIGNING_DOMAIN`] ‖ version ‖ payload. A reader accepts the trailer only if the signature
//! verifies against the public key of the carried certificate **and** SHA-256(certificate) is
//! the fingerprint in the payload, which the helper then pins for QUIC. So no byte of the address,
//! center, branding or fingerprint can change without the relay's private key; a trailer made
//! with another key names another fingerprint (another relay). What this does not protect
//! against (a wholly replaced binary) is for OS code signing: see ARCHITECTURE.md.

use std::io::{self, Read, Seek, SeekFrom};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::SignatureScheme;
use serde::{Deserialize, Serialize};

use crate::tls::Fingerprint;
use porpoise_protocol::wire::{Branding, BrandingError, CenterId};

/// The last 8 bytes of a file with a trailer.
pub const MAGIC: [u8; 8] = *b"PRPSCFG\x01";
/// Version of the trailer layout written by this build.
pub const TRAILER_VERSION: u16 = 1;
/// Size of the fixed footer at the end of the file, in bytes.
pub const FOOTER_BYTES: usize = 24;
/// Most bytes of payload + certificate + signature; larger footers are refused before anything is
/// allocated.
pub const MAX_TRAILER_BYTES: usize = 512 * 1024;
/// Most characters of the relay address (`host:port`) in a trailer.
pub const MAX_RELAY_ADDR_CHARS: usize = 255;
/// Size of the signature: ECDSA P-256 `r ‖ s`, 32 bytes each.
pub const SIGNATURE_BYTES: usize = 64;
/// Size of one ECDSA P-256 scalar.
const SCALAR_BYTES: usize = 32;

/// ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` → fixed `r ‖ s`. `None` if malformed.
fn der_to_fixed(der: &[u8]) -> Option<[u8; SIGNATURE_BYTES]> {
    let (&tag, rest) = der.split_first()?;
    let (&len, mut rest) = rest.split_first()?;
    if tag != 0x30 || usize::from(len) != rest.len() {
        return None;
    }
    let mut out = [0u8; SIGNATURE_BYTES];
    for half in out.chunks_exact_mut(SCALAR_BYTES) {
        let (&tag, r) = rest.split_first()?;
        let (&len, r) = r.split_first()?;
        let len = usize::from(len);
        if tag != 0x02 || r.len() < len {
            return None;
        }
        let (int, r) = r.split_at(len);
        let first = int.iter().position(|&b| b != 0).unwrap_or(int.len());
        let int = &int[first..];
        if int.len() > SCALAR_BYTES {
            return None;
        }
        half[SCALAR_BYTES - int.len()..].copy_from_slice(int);
        rest = r;
    }
    rest.is_empty().then_some(out)
}

/// Fixed `r ‖ s` → ASN.1 DER, as webpki verifies it.
fn fixed_to_der(fixed: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(SIGNATURE_BYTES + 8);
    for half in fixed.chunks(SCALAR_BYTES) {
        let first = half.iter().position(|&b| b != 0).unwrap_or(half.len() - 1);
        let int = &half[first..];
        let pad = int.first().is_some_and(|b| b & 0x80 != 0);
        body.push(0x02);
        body.push((int.len() + usize::from(pad)) as u8);
        if pad {
            body.push(0);
        }
        body.extend_from_slice(int);
    }
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

/// Prefix of the signed message, so a trailer signature can never be taken for a TLS one.
pub const SIGNING_DOMAIN: &[u8] = b"porpoise helper configuration trailer\0";

/// What a downloaded helper needs to reach its center with no typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedConfig {
    /// The relay as customers reach it, `host:port` (UDP for QUIC).
    pub relay_addr: String,
    /// SHA-256 of the relay certificate (pinned for QUIC).
    pub fingerprint: [u8; 32],
    /// The center asked for help.
    pub center_id: CenterId,
    /// The center's branding at download time (`None`: default look).
    pub branding: Option<Branding>,
}

impl EmbeddedConfig {
    /// The pinned fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint(self.fingerprint)
    }
}

/// Why a trailer was not accepted. [`TrailerError::NoTrailer`] is the plain helper's normal case;
/// every other variant means the file was modified or damaged.
#[derive(Debug, thiserror::Error)]
pub enum TrailerError {
    /// The file does not end with [`MAGIC`]: a plain helper.
    #[error("no configuration trailer")]
    NoTrailer,
    /// Reading the file failed.
    #[error("cannot read the configuration trailer: {0}")]
    Io(#[from] io::Error),
    /// The footer is of a version this build does not know.
    #[error(
        "configuration trailer version {0} is not supported (this helper reads {TRAILER_VERSION})"
    )]
    UnsupportedVersion(u16),
    /// The footer's lengths do not fit the file or break [`MAX_TRAILER_BYTES`].
    #[error("configuration trailer lengths are invalid ({0})")]
    BadLength(String),
    /// The signature does not verify against the carried certificate.
    #[error("configuration trailer signature does not verify: the file was modified")]
    BadSignature,
    /// The carried certificate is not the one whose fingerprint the payload names.
    #[error(
        "configuration trailer certificate does not match its fingerprint: the file was modified"
    )]
    FingerprintMismatch,
    /// The carried certificate cannot be parsed.
    #[error("configuration trailer certificate is invalid: {0}")]
    BadCertificate(String),
    /// The payload cannot be decoded, or breaks a limit.
    #[error("configuration trailer payload is invalid: {0}")]
    BadPayload(String),
    /// The relay's key cannot sign (not ECDSA P-256).
    #[error("cannot sign the configuration trailer: {0}")]
    Signing(String),
}

impl From<BrandingError> for TrailerError {
    fn from(e: BrandingError) -> Self {
        TrailerError::BadPayload(e.to_string())
    }
}

fn signed_message(version: u16, payload: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNING_DOMAIN.len() + 2 + payload.len());
    msg.extend_from_slice(SIGNING_DOMAIN);
    msg.extend_from_slice(&version.to_le_bytes());
    msg.extend_from_slice(payload);
    msg
}

fn check_payload(config: &EmbeddedConfig) -> Result<(), TrailerError> {
    if config.relay_addr.trim().is_empty()
        || config.relay_addr.chars().count() > MAX_RELAY_ADDR_CHARS
    {
        return Err(TrailerError::BadPayload(format!(
            "relay address must be 1..={MAX_RELAY_ADDR_CHARS} characters"
        )));
    }
    if let Some(b) = &config.branding {
        b.validate()?;
    }
    Ok(())
}

/// Builds the trailer bytes to append to a helper binary: `config` signed with the relay's
/// ECDSA P-256 `key`, carrying `cert` (whose SHA-256 must be `config.fingerprint`).
///
/// Errors: [`TrailerError::Signing`] for a key that is not ECDSA P-256,
/// [`TrailerError::FingerprintMismatch`] if `cert` is not the pinned certificate,
/// [`TrailerError::BadPayload`] / [`TrailerError::BadLength`] when a limit is broken.
pub fn build(
    config: &EmbeddedConfig,
    cert: &CertificateDer<'_>,
    key: &PrivateKeyDer<'_>,
) -> Result<Vec<u8>, TrailerError> {
    check_payload(config)?;
    if Fingerprint::of_der(cert.as_ref()) != config.fingerprint() {
        return Err(TrailerError::FingerprintMismatch);
    }
    let payload =
        postcard::to_stdvec(config).map_err(|e| TrailerError::BadPayload(e.to_string()))?;
    let signing_key = rustls::crypto::ring::sign::any_ecdsa_type(key)
        .map_err(|e| TrailerError::Signing(e.to_string()))?;
    let signer = signing_key
        .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
        .ok_or_else(|| TrailerError::Signing("the key is not ECDSA P-256".into()))?;
    let der = signer
        .sign(&signed_message(TRAILER_VERSION, &payload))
        .map_err(|e| TrailerError::Signing(e.to_string()))?;
    let signature = der_to_fixed(&der)
        .ok_or_else(|| TrailerError::Signing("unexpected signature encoding".into()))?;
    let total = payload.len() + cert.len() + signature.len();
    if total > MAX_TRAILER_BYTES {
        return Err(TrailerError::BadLength(format!(
            "{total} bytes > {MAX_TRAILER_BYTES}"
        )));
    }
    let mut out = Vec::with_capacity(total + FOOTER_BYTES);
    out.extend_from_slice(&payload);
    out.extend_from_slice(cert.as_ref());
    out.extend_from_slice(&signature);
    for len in [payload.len(), cert.len(), signature.len()] {
        // Fits: total ≤ MAX_TRAILER_BYTES.
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(&TRAILER_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&MAGIC);
    Ok(out)
}

/// A parsed footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Footer {
    payload: usize,
    cert: usize,
    sig: usize,
    version: u16,
}

impl Footer {
    fn body(&self) -> usize {
        self.payload + self.cert + self.sig
    }
}

/// Reads and checks the footer of `file` (of `len` bytes), leaving the position undefined.
fn read_footer(file: &mut (impl Read + Seek), len: u64) -> Result<Footer, TrailerError> {
    if len < FOOTER_BYTES as u64 {
        return Err(TrailerError::NoTrailer);
    }
    file.seek(SeekFrom::Start(len - FOOTER_BYTES as u64))?;
    let mut raw = [0u8; FOOTER_BYTES];
    file.read_exact(&mut raw)?;
    if raw[16..24] != MAGIC {
        return Err(TrailerError::NoTrailer);
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]) as usize;
    let footer = Footer {
        payload: u32_at(0),
        cert: u32_at(4),
        sig: u32_at(8),
        version: u16::from_le_bytes([raw[12], raw[13]]),
    };
    if footer.version != TRAILER_VERSION {
        return Err(TrailerError::UnsupportedVersion(footer.version));
    }
    let body = footer
        .payload
        .checked_add(footer.cert)
        .and_then(|n| n.checked_add(footer.sig))
        .ok_or_else(|| TrailerError::BadLength("overflow".into()))?;
    if body > MAX_TRAILER_BYTES {
        return Err(TrailerError::BadLength(format!(
            "{body} bytes > {MAX_TRAILER_BYTES}"
        )));
    }
    if (body + FOOTER_BYTES) as u64 > len {
        return Err(TrailerError::BadLength(format!(
            "{body} bytes do not fit in a {len}-byte file"
        )));
    }
    if footer.payload == 0 || footer.cert == 0 {
        return Err(TrailerError::BadLength("an empty part".into()));
    }
    if footer.sig != SIGNATURE_BYTES {
        return Err(TrailerError::BadLength(format!(
            "signature of {} bytes, not {SIGNATURE_BYTES}",
            footer.sig
        )));
    }
    Ok(footer)
}

/// Reads and verifies the trailer at the end of `file`.
///
/// Errors: [`TrailerError::NoTrailer`] for a file without one; any other [`TrailerError`] for a
/// modified or damaged one (the helper must then refuse to connect).
pub fn read(file: &mut (impl Read + Seek)) -> Result<EmbeddedConfig, TrailerError> {
    let len = file.seek(SeekFrom::End(0))?;
    let footer = read_footer(file, len)?;
    let start = len - (footer.body() + FOOTER_BYTES) as u64;
    file.seek(SeekFrom::Start(start))?;
    let mut body = vec![0u8; footer.body()];
    file.read_exact(&mut body)?;
    let (payload, rest) = body.split_at(footer.payload);
    let (cert, signature) = rest.split_at(footer.cert);
    let cert = CertificateDer::from(cert);
    let end_entity = webpki::EndEntityCert::try_from(&cert)
        .map_err(|e| TrailerError::BadCertificate(format!("{e:?}")))?;
    end_entity
        .verify_signature(
            webpki::ring::ECDSA_P256_SHA256,
            &signed_message(footer.version, payload),
            &fixed_to_der(signature),
        )
        .map_err(|_| TrailerError::BadSignature)?;
    let config: EmbeddedConfig =
        postcard::from_bytes(payload).map_err(|e| TrailerError::BadPayload(e.to_string()))?;
    if Fingerprint::of_der(cert.as_ref()) != config.fingerprint() {
        return Err(TrailerError::FingerprintMismatch);
    }
    check_payload(&config)?;
    Ok(config)
}

/// Reads and verifies the trailer of the file at `path` (e.g. `std::env::current_exe()`).
///
/// Errors: as [`read`]; [`TrailerError::Io`] if the file cannot be opened.
pub fn read_path(path: &std::path::Path) -> Result<EmbeddedConfig, TrailerError> {
    read(&mut std::fs::File::open(path)?)
}

/// Length of `file` without its trailer: the whole length when it has none (or an unreadable
/// one), so that a relay can serve a helper that already carries a trailer with a fresh one.
///
/// Errors: I/O errors only.
pub fn content_len(file: &mut (impl Read + Seek)) -> io::Result<u64> {
    let len = file.seek(SeekFrom::End(0))?;
    match read_footer(file, len) {
        Ok(footer) => Ok(len - (footer.body() + FOOTER_BYTES) as u64),
        Err(TrailerError::Io(e)) => Err(e),
        Err(_) => Ok(len),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use porpoise_protocol::wire::{Notice, Rgb};

    fn identity() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
        let cert = CertificateDer::from(made.cert.der().to_vec());
        let key = PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
        (cert, key)
    }

    fn config(cert: &CertificateDer<'_>) -> EmbeddedConfig {
        EmbeddedConfig {
            relay_addr: "relay.example.com:18000".into(),
            fingerprint: Fingerprint::of_der(cert.as_ref()).0,
            center_id: CenterId(8_000_001),
            branding: Some(Branding {
                product_name: "海豚远程协助".into(),
                icon_png: Vec::new(),
                primary: Some(Rgb([0x0B, 0x5F, 0xA5])),
                accent: None,
                notice: Notice {
                    text: "客服热线 400-000-0000".into(),
                    image_png: Vec::new(),
                    link: "https://example.com/help".into(),
                },
            }),
        }
    }

    fn signed_file() -> (Vec<u8>, EmbeddedConfig, usize) {
        let (cert, key) = identity();
        let config = config(&cert);
        let mut file = b"\x7fELF pretend this is the helper binary".to_vec();
        let binary_len = file.len();
        file.extend(build(&config, &cert, &key).expect("build"));
        (file, config, binary_len)
    }

    #[test]
    fn round_trip() {
        let (file, config, binary_len) = signed_file();
        let read_back = read(&mut Cursor::new(&file)).expect("valid");
        assert_eq!(read_back, config);
        assert_eq!(
            content_len(&mut Cursor::new(&file)).expect("len"),
            binary_len as u64
        );
    }

    #[test]
    fn signature_encodings_round_trip() {
        let mut fixed = [0u8; SIGNATURE_BYTES];
        fixed[0] = 0x80; // r needs a 0x00 pad in DER
        fixed[40] = 0x01; // s has leading zeros
        fixed[63] = 0xFF;
        assert_eq!(der_to_fixed(&fixed_to_der(&fixed)), Some(fixed));
        assert_eq!(der_to_fixed(b"\x30\x00"), None);
        // Every download of the same configuration has the same length.
        let (cert, key) = identity();
        let config = config(&cert);
        let a = build(&config, &cert, &key).expect("a");
        let b = build(&config, &cert, &key).expect("b");
        assert_eq!(a.len(), b.len());
    }

    #[test]
    fn plain_file_has_no_trailer() {
        let plain = b"just a binary, no trailer at all".to_vec();
        assert!(matches!(
            read(&mut Cursor::new(&plain)),
            Err(TrailerError::NoTrailer)
        ));
        assert!(matches!(
            read(&mut Cursor::new(b"tiny")),
            Err(TrailerError::NoTrailer)
        ));
        assert_eq!(content_len(&mut Cursor::new(&plain)).expect("len"), 32);
    }

    #[test]
    fn every_payload_byte_is_protected() {
        let (file, _, binary_len) = signed_file();
        let footer = read_footer(&mut Cursor::new(&file), file.len() as u64).expect("footer");
        for i in binary_len..binary_len + footer.payload {
            let mut bad = file.clone();
            bad[i] ^= 0x01;
            let err = read(&mut Cursor::new(&bad)).expect_err("tampered payload accepted");
            assert!(matches!(err, TrailerError::BadSignature), "byte {i}: {err}");
            assert!(err.to_string().contains("modified"));
        }
    }

    #[test]
    fn tampered_signature_certificate_or_lengths_are_refused() {
        let (file, _, _) = signed_file();
        let footer = read_footer(&mut Cursor::new(&file), file.len() as u64).expect("footer");
        let sig_start = file.len() - FOOTER_BYTES - footer.sig;
        let mut bad_sig = file.clone();
        bad_sig[sig_start + footer.sig / 2] ^= 0x40;
        assert!(matches!(
            read(&mut Cursor::new(&bad_sig)),
            Err(TrailerError::BadSignature)
        ));

        // Another relay's certificate and a valid signature by its key, over the same payload
        // (which pins the first certificate): the fingerprint check refuses it.
        let (cert, key) = identity();
        let (other_cert, other_key) = identity();
        let cfg = config(&cert);
        let payload = postcard::to_stdvec(&cfg).expect("encode");
        let signer = rustls::crypto::ring::sign::any_ecdsa_type(&other_key)
            .expect("key")
            .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
            .expect("scheme");
        let sig = der_to_fixed(
            &signer
                .sign(&signed_message(TRAILER_VERSION, &payload))
                .expect("sign"),
        )
        .expect("fixed");
        let mut swapped = payload.clone();
        swapped.extend_from_slice(other_cert.as_ref());
        swapped.extend_from_slice(&sig);
        for len in [payload.len(), other_cert.len(), sig.len()] {
            swapped.extend_from_slice(&(len as u32).to_le_bytes());
        }
        swapped.extend_from_slice(&TRAILER_VERSION.to_le_bytes());
        swapped.extend_from_slice(&[0, 0]);
        swapped.extend_from_slice(&MAGIC);
        assert!(matches!(
            read(&mut Cursor::new(&swapped)),
            Err(TrailerError::FingerprintMismatch)
        ));
        // Building with a certificate that is not the pinned one is refused too.
        assert!(matches!(
            build(&cfg, &other_cert, &key),
            Err(TrailerError::FingerprintMismatch)
        ));

        // Footer lengths: payload length changed, or beyond the limit, or beyond the file.
        let at = file.len() - FOOTER_BYTES;
        let mut shifted = file.clone();
        shifted[at] = shifted[at].wrapping_add(1);
        assert!(read(&mut Cursor::new(&shifted)).is_err());
        let mut huge = file.clone();
        huge[at..at + 4].copy_from_slice(&(MAX_TRAILER_BYTES as u32 + 1).to_le_bytes());
        assert!(matches!(
            read(&mut Cursor::new(&huge)),
            Err(TrailerError::BadLength(_))
        ));
        let mut beyond = file.clone();
        beyond[at..at + 4].copy_from_slice(&(file.len() as u32).to_le_bytes());
        assert!(matches!(
            read(&mut Cursor::new(&beyond)),
            Err(TrailerError::BadLength(_))
        ));
        let mut version = file.clone();
        version[at + 12] = 9;
        assert!(matches!(
            read(&mut Cursor::new(&version)),
            Err(TrailerError::UnsupportedVersion(9))
        ));
    }
}
