//! The rasteriser: what ends up in the taken image's pixels.

use super::*;
use crate::snip::SnipColor;

const GREY: [u8; 4] = [100, 100, 100, 255];
const RED: [u8; 4] = [230, 30, 30, 255];

fn rect(x: u32, y: u32, width: u32, height: u32) -> PxRect {
    PxRect {
        x,
        y,
        width,
        height,
    }
}

/// A text rasteriser drawing a full block as wide as 10 px per character.
struct Blocks;

impl TextRasterizer for Blocks {
    fn mask(&self, text: &str, size_px: f32) -> Option<TextMask> {
        let (width, height) = (text.chars().count() as u32 * 10, size_px as u32);
        Some(TextMask {
            width,
            height,
            alpha: vec![255; (width * height) as usize],
        })
    }
}

#[test]
fn sizes_are_checked() {
    assert!(matches!(
        RgbaImage::new(2, 2, vec![0; 15]),
        Err(RasterError::SizeMismatch {
            expected: 16,
            got: 15,
            ..
        })
    ));
    let img = RgbaImage::filled(10, 10, GREY);
    assert_eq!(
        img.crop(rect(5, 5, 6, 1)),
        Err(RasterError::BadRegion(rect(5, 5, 6, 1)))
    );
    assert_eq!(
        img.crop(rect(5, 5, 0, 3)),
        Err(RasterError::BadRegion(rect(5, 5, 0, 3)))
    );
    assert_eq!(
        img.crop(rect(u32::MAX, 0, 2, 2)),
        Err(RasterError::BadRegion(rect(u32::MAX, 0, 2, 2)))
    );
}

#[test]
fn bgrx_frames_become_opaque_rgba_and_crops_keep_their_pixels() {
    // 2×2 px with 4 padding bytes per row.
    let bgra = [
        1, 2, 3, 0, 4, 5, 6, 0, 9, 9, 9, 9, //
        7, 8, 9, 0, 10, 11, 12, 0, 9, 9, 9, 9,
    ];
    let frame = CapturedFrame {
        width: 2,
        height: 2,
        stride: 12,
        bgra: &bgra,
    };
    let img = RgbaImage::from_bgrx(&frame).expect("frame");
    assert_eq!(img.pixel(0, 0), Some([3, 2, 1, 255]));
    assert_eq!(img.pixel(1, 1), Some([12, 11, 10, 255]));
    let crop = img.crop(rect(1, 0, 1, 2)).expect("crop");
    assert_eq!(crop.rgba(), &[6, 5, 4, 255, 12, 11, 10, 255]);
    let short = CapturedFrame {
        width: 2,
        height: 2,
        stride: 12,
        bgra: &bgra[..20],
    };
    assert!(RgbaImage::from_bgrx(&short).is_err());
}

#[test]
fn a_red_rectangle_is_red_on_its_outline_and_unchanged_inside_and_outside() {
    let mut img = RgbaImage::filled(40, 30, GREY);
    draw_rectangle(&mut img, rect(5, 5, 20, 10), 3.0, RED);
    for (x, y) in [
        (5, 5),
        (24, 5),
        (5, 14),
        (24, 14),
        (15, 5),
        (15, 7),
        (7, 10),
        (22, 10),
    ] {
        assert_eq!(img.pixel(x, y), Some(RED), "outline at {x},{y}");
    }
    for (x, y) in [(8, 8), (15, 10), (21, 11)] {
        assert_eq!(img.pixel(x, y), Some(GREY), "inside at {x},{y}");
    }
    for (x, y) in [(4, 4), (25, 10), (15, 15), (0, 0)] {
        assert_eq!(img.pixel(x, y), Some(GREY), "outside at {x},{y}");
    }
}

#[test]
fn an_arrow_touches_both_ends_and_has_a_head() {
    let mut img = RgbaImage::filled(100, 60, GREY);
    let (from, to) = (PxPoint::new(10, 30), PxPoint::new(80, 30));
    draw_arrow(&mut img, from, to, 3.0, RED);
    let is_red = |x, y| {
        let p = img.pixel(x, y).expect("inside");
        p[0] > 150 && p[1] < 80
    };
    assert!(is_red(10, 30), "tail");
    assert!(is_red(80, 30), "tip");
    assert!(is_red(45, 30), "middle");
    assert!(!is_red(82, 30), "nothing beyond the tip");
    assert!(!is_red(8, 30), "nothing before the tail");
    // The head is wider than the line: 4 px off the axis near the tip, not in the middle.
    assert!(is_red(72, 34) && is_red(72, 26), "head");
    assert!(!is_red(45, 34) && !is_red(45, 26), "the line is thin");
    // A diagonal arrow also reaches both ends.
    let mut img = RgbaImage::filled(100, 100, GREY);
    draw_arrow(
        &mut img,
        PxPoint::new(90, 90),
        PxPoint::new(10, 15),
        3.0,
        RED,
    );
    for (x, y) in [(90, 90), (10, 15)] {
        let p = img.pixel(x, y).expect("inside");
        assert!(p[0] > 150 && p[1] < 80, "{x},{y}: {p:?}");
    }
}

#[test]
fn text_changes_pixels_only_in_its_box() {
    let mut img = RgbaImage::filled(60, 40, GREY);
    let mask = TextMask {
        width: 4,
        height: 2,
        alpha: vec![255, 0, 128, 255, 0, 0, 0, 255],
    };
    draw_text(&mut img, PxPoint::new(10, 20), &mask, RED);
    assert_eq!(img.pixel(10, 20), Some(RED));
    assert_eq!(img.pixel(11, 20), Some(GREY), "no coverage");
    let half = img.pixel(12, 20).expect("px");
    assert!(
        half[0] > 150 && half[0] < 230 && half[1] > 30 && half[1] < 100,
        "blended {half:?}"
    );
    assert_eq!(img.pixel(13, 21), Some(RED));
    let changed = img.rgba().chunks(4).filter(|p| *p != GREY).count();
    assert_eq!(changed, 4);
}

#[test]
fn render_crops_and_draws_in_region_coordinates() {
    let frame = RgbaImage::filled(200, 100, GREY);
    let region = rect(50, 20, 100, 60);
    let annotations = [
        Annotation::Rectangle {
            rect: rect(60, 30, 20, 20),
            color: SnipColor::Red,
        },
        Annotation::Text {
            at: PxPoint::new(100, 60),
            text: "ab".into(),
            color: SnipColor::Blue,
        },
    ];
    let out = render(&frame, region, &annotations, &Blocks).expect("render");
    assert_eq!((out.width(), out.height()), (100, 60));
    assert_eq!(
        out.pixel(10, 10),
        Some(SnipColor::Red.rgba()),
        "rectangle corner"
    );
    assert_eq!(out.pixel(20, 20), Some(GREY), "inside the rectangle");
    assert_eq!(
        out.pixel(50, 40),
        Some(SnipColor::Blue.rgba()),
        "text box start"
    );
    assert_eq!(
        out.pixel(69, 59),
        Some(SnipColor::Blue.rgba()),
        "clipped at the edge"
    );
    assert_eq!(out.pixel(70, 45), Some(GREY), "after the text box");
    assert!(render(&frame, rect(150, 0, 60, 10), &[], &Blocks).is_err());
}

#[test]
fn png_round_trips() {
    let mut img = RgbaImage::filled(7, 5, GREY);
    draw_rectangle(&mut img, rect(0, 0, 7, 5), 1.0, RED);
    let bytes = encode_png(&img).expect("png");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("info");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    assert_eq!((info.width, info.height), (7, 5));
    assert_eq!(&buf[..info.buffer_size()], img.rgba());
}
