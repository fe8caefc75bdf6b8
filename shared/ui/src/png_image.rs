//! PNG pictures of the branding, photos and previews decoded into egui images within limits
//! (bytes in, pixels a side), for both apps. Call it on a worker thread
//! ([`crate::job::Job`]) for anything larger than an icon.

use base64::Engine as _;
use egui::ColorImage;

/// The prefix of a PNG data URL (account photos, M13).
pub const PNG_DATA_URL: &str = "data:image/png;base64,";

/// `data:image/png;base64,…` of PNG bytes.
pub fn png_data_url(png: &[u8]) -> String {
    let mut url = String::from(PNG_DATA_URL);
    base64::engine::general_purpose::STANDARD.encode_string(png, &mut url);
    url
}

/// The PNG bytes of a `data:image/png;base64,…` URL whose bytes are at most `max_bytes`;
/// `None` for another URL or malformed base64 (padding optional, whitespace ignored).
pub fn png_of_data_url(url: &str, max_bytes: usize) -> Option<Vec<u8>> {
    let encoded = url.strip_prefix(PNG_DATA_URL)?;
    if encoded.len() > max_bytes.div_ceil(3) * 4 + 4 {
        return None;
    }
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    LENIENT.decode(compact).ok()
}

/// Standard alphabet, padding optional (photos written by other tools).
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Most bytes the PNG decoder may allocate for one branding image (1024×1024 RGBA + slack).
const MAX_DECODE_BYTES: usize = 5 * 1024 * 1024;

/// Decodes a PNG of at most `max_bytes` bytes and `max_px` pixels a side into RGBA.
/// `None` for anything else.
pub fn decode_png(bytes: &[u8], max_bytes: usize, max_px: u32) -> Option<ColorImage> {
    if bytes.is_empty() || bytes.len() > max_bytes {
        return None;
    }
    // What png 0.18.1 would panic on (porpoise_codec::png_chunks).
    porpoise_codec::png_chunks::check(bytes).ok()?;
    let mut decoder = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits {
            bytes: MAX_DECODE_BYTES,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 || w > max_px || h > max_px {
        return None;
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    let pixels = (w * h) as usize;
    let rgba: Vec<u8> = match info.color_type {
        png::ColorType::Rgba => buf.get(..pixels * 4)?.to_vec(),
        png::ColorType::Rgb => buf
            .get(..pixels * 3)?
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .get(..pixels * 2)?
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf
            .get(..pixels)?
            .iter()
            .flat_map(|g| [*g, *g, *g, 255])
            .collect(),
        png::ColorType::Indexed => return None,
    };
    Some(ColorImage::from_rgba_unmultiplied(
        [w as usize, h as usize],
        &rgba,
    ))
}

#[cfg(test)]
mod data_url_tests {
    use super::*;

    /// The `branding` fuzz target's crash (a 28-byte palette that panicked png 0.18.1).
    #[test]
    fn a_palette_the_png_crate_panics_on_is_not_decoded() {
        let input =
            include_bytes!("../../../fuzz/artifacts/branding/palette-28-bytes-valid-crc.png");
        assert!(decode_png(input, 1 << 20, 1024).is_none());
    }

    #[test]
    fn data_urls_round_trip_with_or_without_padding() {
        let bytes = b"\x89PNG\r\n\x1a\nhello";
        let url = png_data_url(bytes);
        assert!(url.starts_with(PNG_DATA_URL));
        assert_eq!(png_of_data_url(&url, 1024).as_deref(), Some(&bytes[..]));
        let unpadded = url.trim_end_matches('=');
        assert_eq!(png_of_data_url(unpadded, 1024).as_deref(), Some(&bytes[..]));
        assert_eq!(png_of_data_url("data:image/jpeg;base64,AAAA", 1024), None);
        assert_eq!(png_of_data_url(&format!("{PNG_DATA_URL}!!!"), 1024), None);
        assert_eq!(
            png_of_data_url(&png_data_url(&[0; 300]), 100),
            None,
            "too big"
        );
    }
}
