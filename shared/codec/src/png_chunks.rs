//! A walk over a PNG's chunks before any PNG decoder sees the file, refusing what the `png`
//! crate (0.18.1, the newest) would panic on: a `PLTE` chunk whose length is not a whole number
//! of RGB entries makes its palette expansion index past the end of the palette
//! (`decoder/transform/palette.rs`; found by the `branding` fuzz target, reproducer in
//! `fuzz/artifacts/branding/`). The apps' picture and branding decoders and the relay's branding
//! check call [`check`] first: in the helper a panic aborts the process (`panic = "abort"`).
//!
//! Pure byte reading: the relay, which never decodes pixels, uses it too.

use porpoise_protocol::wire::PNG_SIGNATURE;

/// Most palette entries a PNG may have.
pub const MAX_PALETTE_ENTRIES: usize = 256;

/// Checks the chunk layout of `bytes` where it matters for decoder safety.
///
/// Errors (a reason in English, for logs and coded errors' detail): not a PNG signature; a
/// `PLTE` chunk that is empty, not a multiple of 3 bytes, or over 256 entries. A truncated
/// file is not refused here (the decoder reports it as damaged).
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.get(..8) != Some(&PNG_SIGNATURE[..]) {
        return Err("not a PNG file".into());
    }
    let mut pos = 8usize;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        match kind {
            b"PLTE"
                if length == 0 || !length.is_multiple_of(3) || length > MAX_PALETTE_ENTRIES * 3 =>
            {
                return Err(format!(
                    "palette chunk of {length} bytes (a multiple of 3, at most {} bytes)",
                    MAX_PALETTE_ENTRIES * 3
                ));
            }
            b"IEND" => break,
            _ => {}
        }
        // Length, type, data and CRC; a length beyond the file ends the walk.
        match pos
            .checked_add(12)
            .and_then(|p| p.checked_add(length))
            .filter(|p| *p <= bytes.len())
        {
            Some(next) => pos = next,
            None => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]);
        out
    }

    fn png(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut out = PNG_SIGNATURE.to_vec();
        for c in chunks {
            out.extend_from_slice(c);
        }
        out
    }

    #[test]
    fn palettes_must_be_whole_rgb_entries() {
        let ihdr = chunk(b"IHDR", &[0, 0, 0, 8, 0, 0, 0, 8, 8, 3, 0, 0, 0]);
        let end = chunk(b"IEND", &[]);
        for (len, ok) in [
            (3, true),
            (768, true),
            (0, false),
            (28, false),
            (771, false),
        ] {
            let file = png(&[ihdr.clone(), chunk(b"PLTE", &vec![7; len]), end.clone()]);
            assert_eq!(check(&file).is_ok(), ok, "{len}");
        }
        // A palette after IEND is never read; a truncated chunk is the decoder's to report.
        assert!(check(&png(&[ihdr.clone(), end.clone(), chunk(b"PLTE", &[1; 28])])).is_ok());
        let mut cut = png(&[ihdr, chunk(b"PLTE", &[7; 6])]);
        cut.truncate(cut.len() - 5);
        assert!(check(&cut).is_ok());
        assert!(check(b"GIF89a").is_err());
    }

    /// The fuzzer's reproducer: a 28-byte PLTE that panicked png 0.18.1.
    #[test]
    fn the_fuzzers_palette_is_refused() {
        let file: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R',
            0, 0, 0, 8, 0, 0, 0, 8, 8, 3, 0, 0, 0, 0xf3, 0xd1, 0x4e, 0xb9, 0, 0, 0, 0x1c, b'P',
            b'L', b'T', b'E', 0, 0, 0, 0xff, 0, 0, 0, 0xff, 0, 0, 0, 0xff, 0x9b, 0xc0, 0x13, 0xdc,
        ];
        assert!(matches!(check(file), Err(e) if e.contains("28 bytes")));
    }
}
