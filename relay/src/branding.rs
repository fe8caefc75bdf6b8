//! Center branding of the customer helper (C1, M1): validation of what an admin sets (PNG
//! images decoded within pixel limits, colours, https link) and the demo center's branding.

use porpoise_protocol::wire::{
    Branding, BrandingError, Notice, Rgb, MAX_ICON_PX, MAX_NOTICE_IMAGE_PX,
};

/// Checks `branding` completely: [`Branding::validate`] (text limits, byte limits, https link)
/// and that each image decodes as a PNG no larger than its pixel limit
/// ([`MAX_ICON_PX`], [`MAX_NOTICE_IMAGE_PX`] a side).
///
/// Errors: the first [`BrandingError`] found.
pub fn validate(branding: &Branding) -> Result<(), BrandingError> {
    branding.validate()?;
    if !branding.icon_png.is_empty() {
        check_png("icon", &branding.icon_png, MAX_ICON_PX)?;
    }
    if !branding.notice.image_png.is_empty() {
        check_png(
            "notice image",
            &branding.notice.image_png,
            MAX_NOTICE_IMAGE_PX,
        )?;
    }
    Ok(())
}

/// Decodes the PNG header and one frame, refusing images over `max_px` a side before decoding
/// the pixels.
fn check_png(what: &'static str, bytes: &[u8], max_px: u32) -> Result<(), BrandingError> {
    let bad = |reason: String| BrandingError::BadImage { what, reason };
    // What png 0.18.1 would panic on (porpoise_codec::png_chunks).
    porpoise_codec::png_chunks::check(bytes)
        .map_err(|e| bad(format!("not a readable PNG: {e}")))?;
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder
        .read_info()
        .map_err(|e| bad(format!("not a readable PNG: {e}")))?;
    let (w, h) = (reader.info().width, reader.info().height);
    if w == 0 || h == 0 || w > max_px || h > max_px {
        return Err(bad(format!("{w}×{h} px; at most {max_px}×{max_px} px")));
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| bad(format!("{w}×{h} px is too large to decode")))?;
    let mut buf = vec![0; size];
    reader
        .next_frame(&mut buf)
        .map_err(|e| bad(format!("not a readable PNG: {e}")))?;
    Ok(())
}

/// Encodes RGBA pixels (`w`×`h`, row-major) as a PNG.
fn encode_png(w: u32, h: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let written = encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(rgba));
    if let Err(e) = written {
        // Only reachable with a wrong buffer size, which the callers below never pass.
        tracing::warn!("cannot encode the demo image: {e}");
        return Vec::new();
    }
    out
}

/// Product name of the demo center's helper.
pub const DEMO_PRODUCT_NAME: &str = "海豚远程协助 · Porpoise Demo";
/// Primary colour of the demo branding (deep sea blue).
pub const DEMO_PRIMARY: Rgb = Rgb([0x0B, 0x5F, 0xA5]);
/// Accent colour of the demo branding (coral).
pub const DEMO_ACCENT: Rgb = Rgb([0xF2, 0x6B, 0x3A]);

/// The demo center's branding: a round blue icon with a white wave, the colours above and a
/// notice with a small banner and a link to the project.
pub fn demo_branding() -> Branding {
    let icon_side = 64u32;
    let mut icon = Vec::with_capacity((icon_side * icon_side * 4) as usize);
    for y in 0..icon_side {
        for x in 0..icon_side {
            let (fx, fy) = (x as f32 - 31.5, y as f32 - 31.5);
            let r2 = fx * fx + fy * fy;
            let inside = r2 <= 31.0 * 31.0;
            // A white ring keeps the icon visible on a header of the same blue.
            let wave = r2 >= 27.5 * 27.5 || (fy - 6.0 * (fx / 8.0).sin()).abs() < 4.0;
            let px = match (inside, wave) {
                (false, _) => [0, 0, 0, 0],
                (true, true) => [255, 255, 255, 255],
                (true, false) => [DEMO_PRIMARY.0[0], DEMO_PRIMARY.0[1], DEMO_PRIMARY.0[2], 255],
            };
            icon.extend_from_slice(&px);
        }
    }
    let (bw, bh) = (360u32, 60u32);
    let mut banner = Vec::with_capacity((bw * bh * 4) as usize);
    for y in 0..bh {
        for x in 0..bw {
            let t = x as f32 / bw as f32;
            let lerp = |a: u8, b: u8| (f32::from(a) * (1.0 - t) + f32::from(b) * t) as u8;
            let wave = (y as f32 - 30.0 - 10.0 * (x as f32 / 24.0).sin()).abs() < 3.0;
            let px = if wave {
                [255, 255, 255, 255]
            } else {
                [
                    lerp(DEMO_PRIMARY.0[0], DEMO_ACCENT.0[0]),
                    lerp(DEMO_PRIMARY.0[1], DEMO_ACCENT.0[1]),
                    lerp(DEMO_PRIMARY.0[2], DEMO_ACCENT.0[2]),
                    255,
                ]
            };
            banner.extend_from_slice(&px);
        }
    }
    Branding {
        product_name: DEMO_PRODUCT_NAME.to_owned(),
        icon_png: encode_png(icon_side, icon_side, &icon),
        primary: Some(DEMO_PRIMARY),
        accent: Some(DEMO_ACCENT),
        notice: Notice {
            text: "演示中心：工作日 9:00–18:00 在线。Demo center: agents online 9:00–18:00 on working days."
                .to_owned(),
            image_png: encode_png(bw, bh, &banner),
            link: "https://example.com/porpoise-help".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_branding_is_valid() {
        let demo = demo_branding();
        assert!(!demo.icon_png.is_empty());
        validate(&demo).expect("demo branding");
    }

    /// The `branding` fuzz target's crash (a 28-byte palette that panicked png 0.18.1) is a
    /// refused image, not a panic of the relay.
    #[test]
    fn a_palette_the_png_crate_panics_on_is_refused() {
        let input = include_bytes!("../../fuzz/artifacts/branding/palette-28-bytes-valid-crc.png");
        let b = Branding {
            icon_png: input.to_vec(),
            ..Branding::default()
        };
        assert!(matches!(validate(&b), Err(BrandingError::BadImage { .. })));
    }

    #[test]
    fn images_are_checked_by_decoding() {
        let mut b = Branding::default();
        // A PNG signature followed by garbage.
        let mut fake = porpoise_protocol::wire::PNG_SIGNATURE.to_vec();
        fake.extend_from_slice(b"garbage");
        b.icon_png = fake;
        assert!(matches!(validate(&b), Err(BrandingError::BadImage { .. })));
        // Too many pixels for an icon.
        let side = MAX_ICON_PX + 1;
        b.icon_png = encode_png(side, 1, &vec![0; (side * 4) as usize]);
        let err = validate(&b).expect_err("too wide");
        assert!(err.to_string().contains("px"), "{err}");
        b.icon_png = encode_png(16, 16, &[0; 16 * 16 * 4]);
        validate(&b).expect("small icon");
    }
}
