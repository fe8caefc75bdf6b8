//! PNG pictures of the branding, photos and previews decoded into egui images within limits
//! (bytes in, pixels a side), for both apps. Call it on a worker thread
//! ([`crate::job::Job`]) for anything larger than an icon.

use egui::ColorImage;

/// Most bytes the PNG decoder may allocate for one branding image (1024×1024 RGBA + slack).
const MAX_DECODE_BYTES: usize = 5 * 1024 * 1024;

/// Decodes a PNG of at most `max_bytes` bytes and `max_px` pixels a side into RGBA.
/// `None` for anything else.
pub fn decode_png(bytes: &[u8], max_bytes: usize, max_px: u32) -> Option<ColorImage> {
    if bytes.is_empty() || bytes.len() > max_bytes {
        return None;
    }
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
