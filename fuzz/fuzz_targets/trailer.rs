//! The signed configuration trailer at the end of a downloaded helper (C1, M11), read by the
//! helper from its own executable at start.
//!
//! Input: one mode byte, then
//! - mode 0: a whole file (binary ‖ payload ‖ certificate ‖ signature ‖ footer);
//! - mode 1: a trailer payload (postcard `EmbeddedConfig`), what `read` decodes once the
//!   signature has verified (a fuzzer cannot forge one, so it is fuzzed directly too).
//!
//! Decoders: `porpoise_quic::trailer::read` (footer, certificate parse, ECDSA P-256 signature
//! check, payload decode and checks) and `trailer::content_len`;
//! `postcard::from_bytes::<EmbeddedConfig>` and `Branding::validate`.
//! Checks: no panic; no I/O error from memory; a file without a trailer keeps its whole
//! length; an accepted trailer has a non-empty relay address within limits and valid
//! branding, survives a postcard round trip and reads the same when moved onto another
//! binary.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use porpoise_fuzz::roundtrip;
use porpoise_quic::trailer::{
    self, EmbeddedConfig, TrailerError, FOOTER_BYTES, MAGIC, MAX_RELAY_ADDR_CHARS,
};

fn accepted(config: &EmbeddedConfig) {
    roundtrip(config);
    assert!(!config.relay_addr.trim().is_empty());
    assert!(config.relay_addr.chars().count() <= MAX_RELAY_ADDR_CHARS);
    if let Some(b) = &config.branding {
        assert!(b.validate().is_ok());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        if let Ok(config) = postcard::from_bytes::<EmbeddedConfig>(rest) {
            roundtrip(&config);
            if let Some(b) = &config.branding {
                let _ = b.validate();
            }
        }
        return;
    }
    let len = rest.len() as u64;
    let content = trailer::content_len(&mut Cursor::new(rest)).expect("no I/O error from memory");
    assert!(content <= len);
    match trailer::read(&mut Cursor::new(rest)) {
        Ok(config) => {
            accepted(&config);
            assert!(rest.ends_with(&MAGIC));
            assert!(content + FOOTER_BYTES as u64 <= len);
            // The same trailer on another binary says the same.
            let mut moved = b"another helper binary".to_vec();
            moved.extend_from_slice(&rest[content as usize..]);
            let again = trailer::read(&mut Cursor::new(&moved)).expect("moved trailer");
            assert_eq!(again, config);
            assert_eq!(
                trailer::content_len(&mut Cursor::new(&moved)).expect("len"),
                b"another helper binary".len() as u64
            );
        }
        Err(TrailerError::NoTrailer) => assert_eq!(content, len),
        Err(TrailerError::Io(e)) => panic!("I/O error from memory: {e}"),
        Err(_) => {}
    }
});
