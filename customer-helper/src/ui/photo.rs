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

use porpoise_ui::png_image::PNG_DATA_URL;

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
    let bytes = porpoise_ui::png_image::png_of_data_url(photo, MAX_PHOTO_BYTES)?;
    crate::branding::decode_png(&bytes, MAX_PHOTO_BYTES, MAX_PHOTO_SIDE)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn png_data_urls_decode_within_limits() {
        let url = porpoise_ui::png_image::png_data_url(&png_of(4, 3));
        let image = decode_png_data_url(&url).expect("decodes");
        assert_eq!(image.size, [4, 3]);
        assert_eq!(image.pixels[0], egui::Color32::from_rgb(200, 10, 20));
        let big = porpoise_ui::png_image::png_data_url(&png_of(MAX_PHOTO_SIDE + 1, 1));
        assert!(decode_png_data_url(&big).is_none());
        assert!(decode_png_data_url("https://example.com/a.png").is_none());
        assert!(decode_png_data_url(&format!("{PNG_DATA_URL}bm90IGEgcG5n")).is_none());
    }
}
