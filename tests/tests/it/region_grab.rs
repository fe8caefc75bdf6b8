//! The helper's region screenshot (C4) against a private Xvfb: the frozen frame is the real
//! screen (a known root colour), and a cropped region becomes a chat picture of its size.
//!
//! Needs `Xvfb` and `xsetroot` (scripts/deps.sh test packages).
#![cfg(target_os = "linux")]

use anyhow::{Context, Result};
use porpoise_codec::chat_image;
use porpoise_helper::region::{crop, grab_monitor, PxRect};
use porpoise_tools::xvfb::{Xvfb, SCREEN};

#[test]
fn the_grabbed_screen_is_cropped_into_a_chat_picture() -> Result<()> {
    let x = Xvfb::start()?;
    x.run("xsetroot", &["-solid", "#204080"])?;
    // The capture reads DISPLAY like the helper does. This changes it for the whole test binary:
    // no other test here reads the process's DISPLAY (their children get theirs explicitly).
    std::env::set_var("DISPLAY", &x.display);
    let frozen = grab_monitor(None).map_err(anyhow::Error::msg)?;
    assert_eq!(
        (frozen.monitor.width, frozen.monitor.height),
        SCREEN,
        "the whole monitor"
    );
    let (w, h) = (
        frozen.monitor.width as usize,
        frozen.monitor.height as usize,
    );
    let mid = (h / 2 * w + w / 2) * 4;
    let px = frozen.rgba.get(mid..mid + 4).context("middle pixel")?;
    assert_eq!(px, [0x20, 0x40, 0x80, 255], "the root colour, as RGBA");

    let rect = PxRect {
        x: 100,
        y: 50,
        width: 640,
        height: 360,
    };
    let (rgba, cw, ch) = crop(&frozen.rgba, SCREEN.0, SCREEN.1, rect);
    assert_eq!((cw, ch), (640, 360));
    let data = chat_image::prepare(&rgba, cw, ch)?;
    let info = chat_image::probe(&data)?;
    assert_eq!((info.width, info.height), (640, 360));
    let decoded = chat_image::decode(&data)?;
    assert!(decoded
        .rgba
        .chunks_exact(4)
        .all(|p| p == [0x20, 0x40, 0x80, 255]));
    Ok(())
}
