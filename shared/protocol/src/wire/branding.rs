//! A center's branding of the customer helper (C1, M1): product name, icon, colours and a
//! notice area. Set by an admin (relay CLI for now), carried in the signed configuration trailer
//! of a downloaded helper (see `porpoise_quic::trailer`) and in the customer's Welcome.

use serde::{Deserialize, Serialize};

/// Most characters of [`Branding::product_name`] (shown as the helper's window title).
pub const MAX_PRODUCT_NAME_CHARS: usize = 64;
/// Most bytes of the PNG icon ([`Branding::icon_png`]). Icon and notice image together stay
/// well under `framing::MAX_CONTROL_FRAME_BYTES`, since both ride in the customer's Welcome.
pub const MAX_ICON_PNG_BYTES: usize = 32 * 1024;
/// Largest width or height of the icon, in pixels.
pub const MAX_ICON_PX: u32 = 256;
/// Most characters of the notice text ([`Notice::text`]).
pub const MAX_NOTICE_TEXT_CHARS: usize = 500;
/// Most bytes of the notice image PNG ([`Notice::image_png`]).
pub const MAX_NOTICE_IMAGE_BYTES: usize = 96 * 1024;
/// Largest width or height of the notice image, in pixels.
pub const MAX_NOTICE_IMAGE_PX: u32 = 1024;
/// Most bytes of the notice link URL ([`Notice::link`]).
pub const MAX_NOTICE_LINK_BYTES: usize = 2048;

/// An sRGB colour, `#RRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// Parses `#RRGGBB` (the `#` is optional, hex digits in either case).
    ///
    /// Errors: [`BrandingError::BadColor`] with the text given.
    pub fn parse(text: &str) -> Result<Self, BrandingError> {
        let hex = text.trim().trim_start_matches('#');
        let bad = || BrandingError::BadColor(text.to_owned());
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }
}

impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02X}{g:02X}{b:02X}")
    }
}

/// The notice (ad) area of the helper window: text, an image and a link, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Text (≤ [`MAX_NOTICE_TEXT_CHARS`] characters; empty: none).
    pub text: String,
    /// PNG image (≤ [`MAX_NOTICE_IMAGE_BYTES`]; empty: none).
    pub image_png: Vec<u8>,
    /// `https://` URL opened in the system browser on click (empty: none).
    pub link: String,
}

impl Notice {
    /// True when there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.image_png.is_empty() && self.link.is_empty()
    }
}

/// A center's branding of the helper (C1, M1). Every part is optional: an empty name, no icon,
/// no colour or an empty notice keeps the helper's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    /// Product name: the helper's window title (≤ [`MAX_PRODUCT_NAME_CHARS`]; empty: default).
    pub product_name: String,
    /// Window icon, PNG (≤ [`MAX_ICON_PNG_BYTES`], ≤ [`MAX_ICON_PX`] px a side; empty: default).
    pub icon_png: Vec<u8>,
    /// Primary colour: header, buttons, selection.
    pub primary: Option<Rgb>,
    /// Accent colour: links and highlights.
    pub accent: Option<Rgb>,
    /// The notice area.
    pub notice: Notice,
}

/// Branding that breaks a limit or a rule. Each has a clear message via `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrandingError {
    /// A colour is not `#RRGGBB`.
    #[error("colour {0:?} is not #RRGGBB")]
    BadColor(String),
    /// A text or file is over its limit.
    #[error("{what} is too large: {got} > {max}")]
    TooLarge {
        /// Which part.
        what: &'static str,
        /// Its size (characters or bytes).
        got: usize,
        /// The limit.
        max: usize,
    },
    /// The notice link is not an `https://` URL with a host and no spaces.
    #[error("the notice link must be an https:// URL, got {0:?}")]
    BadLink(String),
    /// An image is not a PNG, or is larger than allowed in pixels.
    #[error("{what}: {reason}")]
    BadImage {
        /// Which image.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// The 8 bytes every PNG file starts with.
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Checks that `url` is an `https://` URL with a host and no whitespace or control characters.
///
/// Errors: [`BrandingError::BadLink`].
pub fn check_https_link(url: &str) -> Result<(), BrandingError> {
    let bad = || BrandingError::BadLink(url.to_owned());
    if url.len() > MAX_NOTICE_LINK_BYTES {
        return Err(BrandingError::TooLarge {
            what: "notice link",
            got: url.len(),
            max: MAX_NOTICE_LINK_BYTES,
        });
    }
    let rest = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || host.starts_with(':')
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
    {
        return Err(bad());
    }
    Ok(())
}

impl Branding {
    /// Checks the text limits, the link and that images start like PNGs (pixel limits need a
    /// decoder: the relay checks those with `png` before storing).
    ///
    /// Errors: the first [`BrandingError`] found.
    pub fn validate(&self) -> Result<(), BrandingError> {
        let chars = |what, s: &str, max| {
            let got = s.chars().count();
            if got > max {
                Err(BrandingError::TooLarge { what, got, max })
            } else {
                Ok(())
            }
        };
        chars("product name", &self.product_name, MAX_PRODUCT_NAME_CHARS)?;
        chars("notice text", &self.notice.text, MAX_NOTICE_TEXT_CHARS)?;
        let png = |what, bytes: &[u8], max| {
            if bytes.len() > max {
                return Err(BrandingError::TooLarge {
                    what,
                    got: bytes.len(),
                    max,
                });
            }
            if !bytes.is_empty() && !bytes.starts_with(&PNG_SIGNATURE) {
                return Err(BrandingError::BadImage {
                    what,
                    reason: "not a PNG file".into(),
                });
            }
            Ok(())
        };
        png("icon", &self.icon_png, MAX_ICON_PNG_BYTES)?;
        png(
            "notice image",
            &self.notice.image_png,
            MAX_NOTICE_IMAGE_BYTES,
        )?;
        if !self.notice.link.is_empty() {
            check_https_link(&self.notice.link)?;
        }
        Ok(())
    }

    /// True when nothing differs from the default helper.
    pub fn is_empty(&self) -> bool {
        self == &Branding::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_print() {
        assert_eq!(Rgb::parse("#1a2B3c"), Ok(Rgb([0x1A, 0x2B, 0x3C])));
        assert_eq!(Rgb([0x1A, 0x2B, 0x3C]).to_string(), "#1A2B3C");
        for bad in ["", "#12345", "#1234567", "#GG0000", "red"] {
            assert!(Rgb::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_must_be_https() {
        assert!(check_https_link("https://example.com/help?a=1").is_ok());
        assert!(check_https_link("HTTPS://example.com").is_ok());
        for bad in [
            "http://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "https://exa mple.com",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(check_https_link(bad), Err(BrandingError::BadLink(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn limits_are_enforced() {
        let mut b = Branding {
            product_name: "x".repeat(MAX_PRODUCT_NAME_CHARS + 1),
            ..Branding::default()
        };
        assert!(matches!(b.validate(), Err(BrandingError::TooLarge { .. })));
        b.product_name = "好".repeat(MAX_PRODUCT_NAME_CHARS);
        assert!(b.validate().is_ok());
        b.icon_png = b"GIF89a".to_vec();
        assert!(matches!(b.validate(), Err(BrandingError::BadImage { .. })));
    }
}
