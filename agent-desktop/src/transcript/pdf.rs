//! The transcript as a PDF (A7 "export transcript … PDF").
//!
//! A4 pages with [`MARGIN_PT`] margins, one font: the bundled Noto Sans SC subset
//! ([`porpoise_ui::bundled_cjk_font`], which also has ASCII and Latin-1), embedded as a
//! CID-keyed OpenType subset of only the glyphs used (subsetter), with a ToUnicode map so that
//! text can be searched and copied. Lines wrap at spaces in Latin text and anywhere in CJK text;
//! characters the font lacks print as its `.notdef` box. pdf-writer writes the objects.

use pdf_writer::{
    types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap},
    Content, Finish, Name, Pdf, Rect, Ref, Str,
};
use porpoise_ui::bundled_cjk_font;

/// A4 width, points.
pub const PAGE_WIDTH_PT: f32 = 595.0;
/// A4 height, points.
pub const PAGE_HEIGHT_PT: f32 = 842.0;
/// Margin on every side, points.
pub const MARGIN_PT: f32 = 50.0;
/// Body text size, points.
pub const BODY_PT: f32 = 10.5;
/// Title size, points.
pub const TITLE_PT: f32 = 13.0;
/// Indent of message text under its header line, points.
pub const INDENT_PT: f32 = 12.0;

/// One line to print.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfLine {
    /// Text (no line breaks; long lines are wrapped).
    pub text: String,
    /// Size, points.
    pub size: f32,
    /// Left indent, points.
    pub indent: f32,
    /// Grey (0 black … 1 white).
    pub grey: f32,
}

/// A wrapped line placed on a page: x, y (points from the bottom left), size, grey, text.
type Placed = (f32, f32, f32, f32, String);

/// PDF failures.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bundled font could not be read (a broken build).
    #[error("the bundled font cannot be read: {0}")]
    Font(String),
    /// Subsetting the font failed.
    #[error("the font could not be subset: {0}")]
    Subset(String),
}

/// Glyph metrics of the bundled font, in font units (skrifa, unscaled).
struct Metrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
    /// Whole-font metrics: units per em, bounding box, ascent, descent, cap height.
    font: skrifa::metrics::Metrics,
    units_per_em: f32,
}

impl<'a> Metrics<'a> {
    fn new(data: &'a [u8]) -> Result<Self, PdfError> {
        use skrifa::{instance::LocationRef, instance::Size, MetadataProvider as _};
        let face = skrifa::FontRef::new(data).map_err(|e| PdfError::Font(e.to_string()))?;
        let font = face.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font.units_per_em);
        Ok(Metrics {
            charmap: face.charmap(),
            glyphs: face.glyph_metrics(Size::unscaled(), LocationRef::default()),
            font,
            units_per_em,
        })
    }

    fn glyph(&self, c: char) -> u16 {
        self.charmap
            .map(c)
            .and_then(|g| u16::try_from(g.to_u32()).ok())
            .unwrap_or(0)
    }

    /// Advance of glyph `gid` in thousandths of an em.
    fn advance(&self, gid: u16) -> f32 {
        let units = self
            .glyphs
            .advance_width(skrifa::GlyphId::from(gid))
            .unwrap_or(0.0);
        units * 1000.0 / self.units_per_em
    }

    fn width_pt(&self, c: char, size: f32) -> f32 {
        self.advance(self.glyph(c)) * size / 1000.0
    }
}

/// Splits `text` into lines no wider than `max_pt` at `size`: at the last space when a Latin
/// word would overflow, else before the character that overflows (CJK breaks anywhere).
fn wrap(m: &Metrics<'_>, text: &str, size: f32, max_pt: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line: Vec<char> = Vec::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = m.width_pt(c, size);
        if width + w > max_pt && !line.is_empty() {
            let space = if c.is_ascii_alphanumeric() {
                line.iter().rposition(|&x| x == ' ')
            } else {
                None
            };
            match space {
                Some(i) if i > 0 => {
                    let rest: Vec<char> = line.split_off(i + 1);
                    lines.push(line.iter().collect::<String>().trim_end().to_owned());
                    line = rest;
                }
                _ => lines.push(std::mem::take(&mut line).into_iter().collect()),
            }
            if c == ' ' {
                line.clear();
            }
            width = line.iter().map(|&x| m.width_pt(x, size)).sum();
            if c == ' ' && line.is_empty() {
                continue;
            }
        }
        line.push(c);
        width += w;
    }
    lines.push(line.into_iter().collect());
    lines
}

/// Lays out `lines` on A4 pages and writes the PDF, with `title` as the document title.
///
/// Errors: [`PdfError`] if the bundled font cannot be read or subset.
pub fn render(title: &str, lines: &[PdfLine]) -> Result<Vec<u8>, PdfError> {
    let m = Metrics::new(bundled_cjk_font())?;
    let usable = PAGE_WIDTH_PT - 2.0 * MARGIN_PT;
    // Wrap, then place lines on pages: (page, x, y, size, grey, text).
    let mut placed: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = PAGE_HEIGHT_PT - MARGIN_PT;
    for l in lines {
        let leading = l.size * 1.45;
        for part in wrap(&m, &l.text, l.size, usable - l.indent) {
            if y - leading < MARGIN_PT {
                placed.push(Vec::new());
                y = PAGE_HEIGHT_PT - MARGIN_PT;
            }
            y -= leading;
            if let Some(page) = placed.last_mut() {
                page.push((MARGIN_PT + l.indent, y, l.size, l.grey, part));
            }
        }
    }
    // Glyphs used, renumbered for the subset (CID = new glyph id).
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut to_unicode: Vec<(u16, char)> = Vec::new();
    let mut encoded: Vec<Vec<Vec<u8>>> = Vec::new();
    for page in &placed {
        let mut page_runs = Vec::new();
        for (.., text) in page {
            let mut bytes = Vec::with_capacity(text.len() * 2);
            for c in text.chars() {
                let old = m.glyph(c);
                let cid = remapper.remap(old);
                if !to_unicode.iter().any(|(g, _)| *g == cid) {
                    to_unicode.push((cid, c));
                }
                bytes.extend_from_slice(&cid.to_be_bytes());
            }
            page_runs.push(bytes);
        }
        encoded.push(page_runs);
    }
    let font_file = subsetter::subset(bundled_cjk_font(), 0, &remapper)
        .map_err(|e| PdfError::Subset(format!("{e:?}")))?;

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog, tree, type0, cid_font, descriptor, file, cmap, info) = (
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
        alloc(),
    );
    let page_refs: Vec<(Ref, Ref)> = placed.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("Porpoise agent console"));
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(page_refs.len() as i32);
    let font_name = Name(b"F1");
    let base = Name(b"PORPSE+NotoSansCJKsc-Regular");
    for (((page_ref, content_ref), page), runs) in page_refs.iter().zip(&placed).zip(&encoded) {
        let mut p = pdf.page(*page_ref);
        p.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH_PT, PAGE_HEIGHT_PT));
        p.parent(tree);
        p.contents(*content_ref);
        p.resources().fonts().pair(font_name, type0);
        p.finish();
        let mut content = Content::new();
        for ((x, y, size, grey, _), bytes) in page.iter().zip(runs) {
            content.set_fill_gray(*grey);
            content.begin_text();
            content.set_font(font_name, *size);
            content.next_line(*x, *y);
            content.show(Str(bytes));
            content.end_text();
        }
        pdf.stream(*content_ref, &content.finish());
    }
    pdf.type0_font(type0)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(cmap);
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type0);
    cid.base_font(base);
    cid.system_info(system_info);
    cid.font_descriptor(descriptor);
    cid.default_width(1000.0);
    let old_of_new: Vec<u16> = remapper.remapped_gids().collect();
    cid.widths()
        .consecutive(0, old_of_new.iter().map(|&g| m.advance(g)));
    cid.finish();
    let bbox = m.font.bounds.unwrap_or_default();
    let scale = 1000.0 / m.units_per_em;
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            bbox.x_min * scale,
            bbox.y_min * scale,
            bbox.x_max * scale,
            bbox.y_max * scale,
        ))
        .italic_angle(0.0)
        .ascent(m.font.ascent * scale)
        .descent(m.font.descent * scale)
        .cap_height(m.font.cap_height.unwrap_or(733.0) * scale)
        .stem_v(80.0)
        .font_file3(file);
    pdf.stream(file, &font_file)
        .pair(Name(b"Subtype"), Name(b"OpenType"));
    let mut unicode = UnicodeCmap::new(Name(b"Porpoise-UTF16"), system_info);
    for (cid, c) in to_unicode {
        unicode.pair(cid, c);
    }
    pdf.cmap(cmap, &unicode.finish());
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_latin_at_spaces_and_cjk_anywhere() {
        let m = Metrics::new(bundled_cjk_font()).expect("font");
        let latin = wrap(
            &m,
            "the quick brown fox jumps over the lazy dog",
            10.0,
            80.0,
        );
        assert!(latin.len() > 1, "{latin:?}");
        for l in &latin {
            assert!(!l.starts_with(' ') && !l.ends_with(' '), "{latin:?}");
            assert!(latin.join(" ").contains("quick brown"), "{latin:?}");
        }
        assert_eq!(
            latin.join(" "),
            "the quick brown fox jumps over the lazy dog"
        );
        let cjk = wrap(&m, &"打印机不能用了".repeat(10), 10.0, 100.0);
        assert!(cjk.len() > 1);
        for l in &cjk {
            let w: f32 = l.chars().map(|c| m.width_pt(c, 10.0)).sum();
            assert!(w <= 100.0, "{l} is {w} pt");
        }
        assert_eq!(cjk.concat(), "打印机不能用了".repeat(10));
        assert_eq!(wrap(&m, "", 10.0, 100.0), vec![String::new()]);
    }

    #[test]
    fn renders_pages_with_an_embedded_subset() {
        let lines: Vec<PdfLine> = (0..120)
            .map(|i| PdfLine {
                text: format!("第{i}行 line {i}：打印机不能用了"),
                size: BODY_PT,
                indent: 0.0,
                grey: 0.0,
            })
            .collect();
        let pdf = render("测试", &lines).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile3"), "font embedded");
        // 742 pt of usable height / (10.5 pt × 1.45) = 48 lines a page.
        assert!(text.contains("/Count 3"), "120 lines take three A4 pages");
        assert!(
            pdf.len() < 200_000,
            "a subset, not the 1.8 MB font: {} bytes",
            pdf.len()
        );
    }
}
