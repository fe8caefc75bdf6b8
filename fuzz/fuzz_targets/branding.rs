//! Branding (C1, M1) and the other PNG pictures that arrive from the network: a `Branding`
//! comes in the customer's Welcome, in `BrandingPage` answers and in an admin's
//! `SaveBranding`; agents' photos are PNG data URLs.
//!
//! Input: one mode byte, then
//! - mode 0: a postcard `Branding`;
//! - mode 1: an icon PNG; mode 2: a notice image PNG (each wrapped in an otherwise empty
//!   `Branding`);
//! - mode 3: a photo, as `data:image/png;base64,…` text and as PNG bytes.
//!
//! Decoders: `postcard::from_bytes::<Branding>`, `Branding::validate`, `Rgb::parse`,
//! `check_https_link`, the relay's `porpoise_relay::branding::validate` (decodes each PNG
//! within its pixel limit), the apps' `porpoise_ui::png_image::decode_png` with the limits the
//! helper and the agent use (icon, notice image, photos) and `png_image::png_of_data_url`.
//! Checks: no panic; postcard round trip; colours survive Display → `Rgb::parse`; whatever the
//! relay accepts passes `Branding::validate`; decoded images respect their size limits; a
//! photo's bytes survive `png_data_url` → `png_of_data_url`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use porpoise_fuzz::roundtrip;
use porpoise_protocol::wire::{
    check_https_link, Branding, Notice, Rgb, MAX_ICON_PNG_BYTES, MAX_ICON_PX,
    MAX_NOTICE_IMAGE_BYTES, MAX_NOTICE_IMAGE_PX, MAX_PHOTO_BYTES,
};
use porpoise_ui::png_image::{decode_png, png_data_url, png_of_data_url, PNG_DATA_URL};

/// ASan's ODR check reports a false positive in the bundled SQLite that `porpoise-relay` links
/// (two identical `aiOff` tables of `sqlite3.c` folded to one address) and aborts at start;
/// nothing of SQLite is reached from here.
#[no_mangle]
pub extern "C" fn __asan_default_options() -> *const std::ffi::c_char {
    c"detect_odr_violation=0".as_ptr()
}

/// The helper's photo limits (`customer-helper/src/ui/photo.rs`, not public).
const HELPER_PHOTO_BYTES: usize = 64 * 1024;
const HELPER_PHOTO_SIDE: u32 = 256;
/// The agent's photo limits (`agent-desktop/src/ui/admin/directory.rs`, not public).
const AGENT_PHOTO_PNG_BYTES: usize = (MAX_PHOTO_BYTES - PNG_DATA_URL.len()) / 4 * 3;
const AGENT_PHOTO_PX: u32 = 256;

fn png_within(bytes: &[u8], max_bytes: usize, max_px: u32) {
    if let Some(img) = decode_png(bytes, max_bytes, max_px) {
        let [w, h] = img.size;
        assert!(bytes.len() <= max_bytes);
        assert!((1..=max_px as usize).contains(&w) && (1..=max_px as usize).contains(&h));
        assert_eq!(img.pixels.len(), w * h);
    }
}

fn branding(b: &Branding) {
    let relay_ok = porpoise_relay::branding::validate(b).is_ok();
    let basic_ok = b.validate().is_ok();
    assert!(!relay_ok || basic_ok, "the relay accepted what validate refuses");
    if basic_ok && !b.notice.link.is_empty() {
        assert!(check_https_link(&b.notice.link).is_ok());
    }
    for rgb in [b.primary, b.accent].into_iter().flatten() {
        assert_eq!(Rgb::parse(&rgb.to_string()), Ok(rgb));
    }
    // The helper's branding view (customer-helper/src/branding.rs) decodes both images.
    png_within(&b.icon_png, MAX_ICON_PNG_BYTES, MAX_ICON_PX);
    png_within(&b.notice.image_png, MAX_NOTICE_IMAGE_BYTES, MAX_NOTICE_IMAGE_PX);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode & 3 {
        0 => {
            if let Ok(b) = postcard::from_bytes::<Branding>(rest) {
                roundtrip(&b);
                branding(&b);
            }
        }
        1 => branding(&Branding {
            icon_png: rest.to_vec(),
            ..Branding::default()
        }),
        2 => branding(&Branding {
            notice: Notice {
                image_png: rest.to_vec(),
                ..Notice::default()
            },
            ..Branding::default()
        }),
        _ => {
            // As the helper does (customer-helper/src/ui/photo.rs): data URL → PNG → pixels.
            let url = png_data_url(rest);
            let back = png_of_data_url(&url, HELPER_PHOTO_BYTES);
            if rest.len() <= HELPER_PHOTO_BYTES {
                assert_eq!(back.as_deref(), Some(rest), "data URL round trip");
            }
            if let Some(bytes) = back {
                png_within(&bytes, HELPER_PHOTO_BYTES, HELPER_PHOTO_SIDE);
            }
            // The agent's directory decodes photos within its own limits.
            png_within(rest, AGENT_PHOTO_PNG_BYTES, AGENT_PHOTO_PX);
            // Hostile data URL text.
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Some(bytes) = png_of_data_url(text, HELPER_PHOTO_BYTES) {
                    png_within(&bytes, HELPER_PHOTO_BYTES, HELPER_PHOTO_SIDE);
                }
            }
        }
    }
});
