//! Chat pictures on screen (A7, C4), for the agent console and the customer helper alike:
//! a cache that knows which pictures to fetch, decodes them once, draws a thumbnail in the
//! chat and a large view on click.
//!
//! Flow: the chat calls [`ChatPictures::thumbnail_ui`] for each picture message; a picture not
//! seen before is queued, and the app sends one [`crate::wire::rpc::GetChatImage`] per key
//! from [`ChatPictures::take_wanted`]. The answer goes to [`ChatPictures::insert`] (which
//! decodes it with [`crate::chat_image::decode`]) or [`ChatPictures::failed`]. A picture the
//! user sends is inserted from its own bytes, so it shows at once without a fetch. A click on a
//! thumbnail opens [`ChatPictures::viewer_ui`] (Esc, a click or Close shuts it).

use std::collections::HashMap;

use egui::{Color32, ColorImage, RichText, TextureHandle, TextureOptions, Vec2};

use crate::{
    chat_image,
    wire::{ChatImage, MessageId, SessionId},
};

/// Largest thumbnail in the chat, points.
pub const THUMBNAIL_SIZE: Vec2 = Vec2::new(240.0, 180.0);
/// Share of the window the large view may fill (each side).
pub const VIEWER_FILL: f32 = 0.9;
/// Most decoded pictures kept; the least recently drawn ones are dropped beyond it (and
/// fetched again when scrolled back to).
pub const MAX_CACHED_PICTURES: usize = 64;

/// A picture message: its session and message id.
pub type PictureKey = (SessionId, MessageId);

/// The words the picture widgets show, in the app's language.
#[derive(Debug, Clone, Copy)]
pub struct PictureLabels<'a> {
    /// Placeholder while the picture is fetched, e.g. "Loading picture…".
    pub loading: &'a str,
    /// Prefix of the error line when it cannot be shown, e.g. "Picture unavailable".
    pub failed: &'a str,
    /// Tooltip of a thumbnail, e.g. "Click to enlarge".
    pub enlarge: &'a str,
    /// The large view's close button.
    pub close: &'a str,
}

enum Entry {
    /// Asked for (or about to be); nothing to show yet.
    Loading,
    /// Decoded; the texture is made when first drawn.
    Ready {
        image: ColorImage,
        texture: Option<TextureHandle>,
        last_drawn: u64,
    },
    /// Cannot be shown; the text says why.
    Failed(String),
}

/// Fetch state, decoded pixels and textures of the chat pictures in view. See the module docs.
#[derive(Default)]
pub struct ChatPictures {
    entries: HashMap<PictureKey, Entry>,
    wanted: Vec<PictureKey>,
    viewing: Option<PictureKey>,
    frame: u64,
}

impl std::fmt::Debug for ChatPictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatPictures")
            .field("entries", &self.entries.len())
            .field("wanted", &self.wanted)
            .field("viewing", &self.viewing)
            .finish()
    }
}

impl ChatPictures {
    /// Keys to fetch now (each returned once); the app sends a `GetChatImage` for each.
    pub fn take_wanted(&mut self) -> Vec<PictureKey> {
        std::mem::take(&mut self.wanted)
    }

    /// The encoded bytes of `key` arrived (or the user just sent them): decodes and keeps
    /// them. A picture that does not decode shows its error instead.
    pub fn insert(&mut self, key: PictureKey, data: &[u8]) {
        let entry = match chat_image::decode(data) {
            Ok(d) => Entry::Ready {
                image: ColorImage::from_rgba_unmultiplied(
                    [d.width as usize, d.height as usize],
                    &d.rgba,
                ),
                texture: None,
                last_drawn: self.frame,
            },
            Err(e) => Entry::Failed(e.to_string()),
        };
        self.entries.insert(key, entry);
        self.trim();
    }

    /// Fetching `key` failed with `error` (shown under the placeholder).
    pub fn failed(&mut self, key: PictureKey, error: String) {
        self.entries.insert(key, Entry::Failed(error));
    }

    /// True when `key` is decoded and ready to draw.
    pub fn is_ready(&self, key: PictureKey) -> bool {
        matches!(self.entries.get(&key), Some(Entry::Ready { .. }))
    }

    /// The picture open in the large view, if any.
    pub fn viewing(&self) -> Option<PictureKey> {
        self.viewing
    }

    /// Draws the thumbnail of picture message `key` (size from `info`, at most
    /// [`THUMBNAIL_SIZE`]); queues a fetch the first time. A click opens the large view.
    pub fn thumbnail_ui(
        &mut self,
        ui: &mut egui::Ui,
        key: PictureKey,
        info: &ChatImage,
        labels: PictureLabels<'_>,
    ) -> egui::Response {
        let size = fit(
            Vec2::new(info.width as f32, info.height as f32),
            THUMBNAIL_SIZE,
        );
        let frame = self.frame;
        let entry = self.entries.entry(key).or_insert_with(|| {
            self.wanted.push(key);
            Entry::Loading
        });
        match entry {
            Entry::Ready {
                image,
                texture,
                last_drawn,
            } => {
                *last_drawn = frame;
                let texture = texture.get_or_insert_with(|| {
                    ui.ctx().load_texture(
                        format!("chat-picture-{}-{:032x}", key.0, key.1),
                        image.clone(),
                        TextureOptions::LINEAR,
                    )
                });
                let response = ui
                    .add(
                        egui::Image::new((texture.id(), size))
                            .corner_radius(4)
                            .sense(egui::Sense::click()),
                    )
                    .on_hover_text(labels.enlarge)
                    .on_hover_cursor(egui::CursorIcon::ZoomIn);
                if response.clicked() {
                    self.viewing = Some(key);
                }
                response
            }
            Entry::Loading => placeholder(ui, size, labels.loading, None),
            Entry::Failed(error) => {
                let error = format!("{}: {error}", labels.failed);
                placeholder(ui, size, &error, Some(ui.visuals().error_fg_color))
            }
        }
    }

    /// Draws the large view of the picture opened by a click, over everything else, scaled to
    /// fit [`VIEWER_FILL`] of the window (never enlarged past 100 %). Esc, a click on the
    /// picture or Close shuts it. Call once a frame after the chat.
    pub fn viewer_ui(&mut self, ctx: &egui::Context, labels: PictureLabels<'_>) {
        self.frame += 1;
        let Some(key) = self.viewing else {
            return;
        };
        let Some(Entry::Ready {
            image,
            texture: Some(texture),
            ..
        }) = self.entries.get(&key)
        else {
            self.viewing = None;
            return;
        };
        let [w, h] = image.size;
        let natural = Vec2::new(w as f32, h as f32);
        let room = ctx.content_rect().size() * VIEWER_FILL - Vec2::new(24.0, 64.0);
        let size = fit(natural, room.max(Vec2::splat(32.0)));
        let texture = texture.id();
        let mut close = ctx.input(|i| i.key_pressed(egui::Key::Escape));
        let modal =
            egui::Modal::new(egui::Id::unique(("chat-picture-viewer", key))).show(ctx, |ui| {
                // As wide as the picture (the header's right-aligned Close must not widen it).
                ui.set_max_width(size.x.max(160.0));
                ui.horizontal(|ui| {
                    ui.label(RichText::new(format!("{w} × {h} px")).weak());
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.button(labels.close).clicked() {
                            close = true;
                        }
                    });
                });
                let picture = ui.add(egui::Image::new((texture, size)).sense(egui::Sense::click()));
                if picture.clicked() {
                    close = true;
                }
            });
        if close || modal.should_close() {
            self.viewing = None;
        }
    }

    /// Drops the least recently drawn decoded pictures beyond [`MAX_CACHED_PICTURES`].
    fn trim(&mut self) {
        let ready = self
            .entries
            .values()
            .filter(|e| matches!(e, Entry::Ready { .. }))
            .count();
        if ready <= MAX_CACHED_PICTURES {
            return;
        }
        let mut by_age: Vec<(u64, PictureKey)> = self
            .entries
            .iter()
            .filter_map(|(k, e)| match e {
                Entry::Ready { last_drawn, .. } if Some(*k) != self.viewing => {
                    Some((*last_drawn, *k))
                }
                _ => None,
            })
            .collect();
        by_age.sort();
        for (_, key) in by_age.into_iter().take(ready - MAX_CACHED_PICTURES) {
            self.entries.remove(&key);
        }
    }
}

/// `natural` scaled down (never up) to fit `room`, keeping its aspect.
fn fit(natural: Vec2, room: Vec2) -> Vec2 {
    let natural = natural.max(Vec2::splat(1.0));
    let scale = (room.x / natural.x).min(room.y / natural.y).min(1.0);
    natural * scale
}

fn placeholder(
    ui: &mut egui::Ui,
    size: Vec2,
    text: &str,
    color: Option<Color32>,
) -> egui::Response {
    let size = size.max(Vec2::new(120.0, 40.0));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text));
    let visuals = ui.visuals();
    ui.painter()
        .rect_filled(rect, 4.0, visuals.extreme_bg_color);
    ui.painter().text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(12.0),
        color.unwrap_or(visuals.weak_text_color()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_fetched_once_and_cached_within_bounds() {
        let mut pictures = ChatPictures::default();
        let ctx = egui::Context::default();
        let info = ChatImage {
            format: crate::wire::ImageFormat::Png,
            width: 4,
            height: 4,
            bytes: 10,
        };
        let labels = PictureLabels {
            loading: "loading",
            failed: "failed",
            enlarge: "enlarge",
            close: "close",
        };
        let mut output = ctx.run_ui(Default::default(), |ui| {
            pictures.thumbnail_ui(ui, (1, 1), &info, labels);
            pictures.thumbnail_ui(ui, (1, 1), &info, labels);
        });
        output.textures_delta.clear();
        assert_eq!(pictures.take_wanted(), [(1, 1)]);
        assert!(pictures.take_wanted().is_empty());
        let png = chat_image::prepare(&[200u8; 4 * 4 * 4], 4, 4).expect("png");
        for n in 0..(MAX_CACHED_PICTURES as u128 + 5) {
            pictures.insert((2, n), &png);
        }
        assert!(pictures.is_ready((2, MAX_CACHED_PICTURES as u128 + 4)));
        let ready = (0..MAX_CACHED_PICTURES as u128 + 5)
            .filter(|n| pictures.is_ready((2, *n)))
            .count();
        assert_eq!(ready, MAX_CACHED_PICTURES);
        pictures.insert((3, 1), b"not a picture");
        assert!(!pictures.is_ready((3, 1)));
    }

    #[test]
    fn fit_never_enlarges_and_keeps_the_aspect() {
        assert_eq!(
            fit(Vec2::new(100.0, 50.0), THUMBNAIL_SIZE),
            Vec2::new(100.0, 50.0)
        );
        assert_eq!(
            fit(Vec2::new(480.0, 180.0), THUMBNAIL_SIZE),
            Vec2::new(240.0, 90.0)
        );
    }
}
