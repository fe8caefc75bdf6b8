//! Saving a still of the customer's screen as PNG (A9 截图).
//!
//! Files go to `$PORPOISE_SCREENSHOT_DIR` if set, else the user's Pictures folder under
//! `Porpoise/`, else the home directory; names are `porpoise-<customer>-<unix ms>.png` with the
//! customer's name reduced to letters, digits, CJK and single `-`s.

use std::path::PathBuf;

use porpoise_quic::screen::StillImage;

/// Environment variable that overrides the screenshot folder.
pub const SCREENSHOT_DIR_ENV: &str = "PORPOISE_SCREENSHOT_DIR";

/// The folder screenshots are saved in (see the module docs).
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(SCREENSHOT_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let dirs = directories::UserDirs::new();
    match dirs.as_ref().and_then(|d| d.picture_dir()) {
        Some(pictures) => pictures.join("Porpoise"),
        None => dirs.map_or_else(
            || std::env::temp_dir().join("porpoise-screenshots"),
            |d| d.home_dir().join("Porpoise screenshots"),
        ),
    }
}

/// Writes `still` as a PNG for the customer `customer` and returns its path.
///
/// Errors: a message naming the file when the folder cannot be made or the file written (full
/// disk, no permission), or when the still's size does not match its pixels.
pub fn save_png(customer: &str, still: &StillImage) -> Result<PathBuf, String> {
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let path = dir.join(format!(
        "porpoise-{}-{ms}.png",
        porpoise_ui::transcript::file_safe(customer, "customer")
    ));
    write_png(&path, still).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn write_png(path: &std::path::Path, still: &StillImage) -> Result<(), String> {
    if still.rgba.len() != still.width as usize * still.height as usize * 4 {
        return Err("the still's size does not match its pixels".into());
    }
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), still.width, still.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&still.rgba)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_round_trips_through_png_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("porpoise-shot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let still = StillImage {
            id: 1,
            width: 3,
            height: 2,
            rgba: (0..24).collect(),
        };
        let path = dir.join("a.png");
        write_png(&path, &still).expect("png");
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(&path).expect("open"),
        ));
        let mut reader = decoder.read_info().expect("info");
        let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (3, 2));
        assert_eq!(&buf[..24], &still.rgba[..]);
        let bad = dir.join("no-such-dir").join("b.png");
        let err = write_png(&bad, &still).expect_err("no folder");
        assert!(!err.is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
