//! Showcase photos: a PNG `data:` URL is decoded once and kept as a texture; anything else
//! (an http URL, another format, a broken or oversized image) falls back to the
//! initial-letter avatar. The helper never fetches a URL: it talks to its relay only.

use std::hash::{Hash, Hasher};

use egui::{ColorImage, TextureHandle, TextureOptions};
use porpoise_protocol::wire::AgentId;

/// Largest photo accepted, in bytes of the encoded PNG.
pub const MAX_PHOTO_BYTES: usize = 64 * 1024;
/// Largest photo side accepted, in pixels.
pub const MAX_PHOTO_SIDE: u32 = 256;

const PNG_DATA_URL: &str = "data:image/png;base64,";

/// The texture of `photo` (decoded on first use, then cached in egui's memory), or `None` for
/// the initial-letter avatar.
pub fn photo_texture(ctx: &egui::Context, agent_id: AgentId, photo: &str) -> Option<TextureHandle> {
    if !photo.starts_with(PNG_DATA_URL) {
        return None;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    photo.hash(&mut hasher);
    let id = egui::Id::unique(("porpoise_photo", agent_id, hasher.finish()));
    if let Some(cached) = ctx.data(|d| d.get_temp::<Option<TextureHandle>>(id)) {
        return cached;
    }
    let texture = decode_png_data_url(photo)
        .map(|image| ctx.load_texture(format!("photo-{agent_id}"), image, TextureOptions::LINEAR));
    ctx.data_mut(|d| d.insert_temp(id, texture.clone()));
    texture
}

/// Decodes a `data:image/png;base64,…` URL within the size limits.
pub fn decode_png_data_url(photo: &str) -> Option<ColorImage> {
    let encoded = photo.strip_prefix(PNG_DATA_URL)?;
    if encoded.len() > MAX_PHOTO_BYTES / 3 * 4 + 4 {
        return None;
    }
    let bytes = base64_decode(encoded)?;
    crate::branding::decode_png(&bytes, MAX_PHOTO_BYTES, MAX_PHOTO_SIDE)
}

/// Standard base64 (with or without padding; whitespace ignored). `None` if malformed.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let digits = digits
        .strip_suffix(b"==")
        .or_else(|| digits.strip_suffix(b"="))
        .unwrap_or(&digits);
    if digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() / 4 * 3 + 2);
    for chunk in digits.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let mut acc = 0u32;
            for (i, b) in chunk.iter().enumerate() {
                acc |= u32::from(*b) << (16 - 8 * i);
            }
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(acc >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let data: Vec<u8> = (0..width * height).flat_map(|_| [200u8, 10, 20]).collect();
        writer.write_image_data(&data).expect("data");
        drop(writer);
        bytes
    }

    #[test]
    fn base64_roundtrips() {
        for len in 0..10 {
            let bytes: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(37) + 1).collect();
            assert_eq!(base64_decode(&encode(&bytes)), Some(bytes));
        }
        assert_eq!(base64_decode("a"), None);
        assert_eq!(base64_decode("ab!d"), None);
    }

    #[test]
    fn png_data_urls_decode_within_limits() {
        let url = format!("{PNG_DATA_URL}{}", encode(&png_of(4, 3)));
        let image = decode_png_data_url(&url).expect("decodes");
        assert_eq!(image.size, [4, 3]);
        assert_eq!(image.pixels[0], egui::Color32::from_rgb(200, 10, 20));
        let big = format!("{PNG_DATA_URL}{}", encode(&png_of(MAX_PHOTO_SIDE + 1, 1)));
        assert!(decode_png_data_url(&big).is_none());
        assert!(decode_png_data_url("https://example.com/a.png").is_none());
        assert!(decode_png_data_url(&format!("{PNG_DATA_URL}bm90IGEgcG5n")).is_none());
    }
}
