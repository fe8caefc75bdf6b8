//! Chat pictures on screen (A7, C4), for the agent console and the customer helper alike:
//! a cache that knows which pictures to fetch, decodes them once, draws a thumbnail in the
//! chat and a large view on click; and the pictures being prepared for sending.
//!
//! Flow: the chat calls [`ChatPictures::thumbnail_ui`] for each picture message; a picture not
//! seen before is queued, and the app sends one [`porpoise_protocol::wire::rpc::GetChatImage`] per key
//! from [`ChatPictures::take_wanted`]. The answer goes to [`ChatPictures::insert`] (which
//! decodes it with [`porpoise_codec::chat_image::decode`] on a worker thread, a [`Job`], scaled to the
//! renderer's largest texture side) or [`ChatPictures::failed`]. A picture the user sends is
//! inserted from its own bytes, so it shows without a fetch. A click on a thumbnail opens
//! [`ChatPictures::viewer_ui`] (Esc, a click or Close shuts it).
//!
//! Sending: a pasted picture, a screenshot or a picked file is encoded for the chat on a worker
//! thread ([`ChatPictures::prepare_to_send`]); the chat takes the bytes to send with
//! [`ChatPictures::take_prepared`] on a later frame. Nothing here blocks the UI thread.

use std::{
    collections::HashMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use egui::{Color32, ColorImage, RichText, TextureHandle, TextureOptions, Vec2};

use crate::job::{self, Job};
use porpoise_codec::chat_image::{self, ChatImageError, Decoded};
use porpoise_protocol::wire::{ChatImage, MessageId, SessionId};

/// Largest thumbnail in the chat, points.
pub const THUMBNAIL_SIZE: Vec2 = Vec2::new(240.0, 180.0);
/// Share of the window the large view may fill (each side).
pub const VIEWER_FILL: f32 = 0.9;
/// Most decoded pictures kept; the least recently drawn ones are dropped beyond it (and
/// fetched again when scrolled back to).
pub const MAX_CACHED_PICTURES: usize = 64;
/// Largest texture side assumed before the first frame tells the renderer's, px (egui's own
/// default for `max_texture_side`).
pub const DEFAULT_MAX_TEXTURE_SIDE: usize = 2048;

/// Insertion order of pictures, process-wide (see `Entry::Decoding`).
static NEXT_STAMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A picture message: its session and message id.
pub type PictureKey = (SessionId, MessageId);

/// What a cache of pictures is keyed by: [`PictureKey`] for chat pictures; the console keys
/// knowledge-base pictures by node and picture size. Any small copyable, hashable value.
pub trait PictureId: Copy + Eq + std::hash::Hash + std::fmt::Debug + Send + 'static {}

impl<K: Copy + Eq + std::hash::Hash + std::fmt::Debug + Send + 'static> PictureId for K {}

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

/// What a picture to send is made from ([`ChatPictures::prepare_to_send`]).
#[derive(Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// RGBA pixels (pasted): `width × height` px, 4 bytes each; encoded with
    /// [`chat_image::prepare`].
    Pixels {
        /// Unpremultiplied RGBA8, rows top first.
        rgba: Vec<u8>,
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// An encoded PNG or JPEG (a screenshot); fitted with [`chat_image::fit_for_chat`].
    Encoded(Vec<u8>),
    /// A picture file picked or dropped by the user; read and fitted with
    /// [`chat_image::read_picture_file`].
    File(PathBuf),
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pixels { width, height, .. } => write!(f, "Pixels({width}×{height})"),
            Self::Encoded(data) => write!(f, "Encoded({} bytes)", data.len()),
            Self::File(path) => write!(f, "File({})", path.display()),
        }
    }
}

impl Outgoing {
    /// The bytes to send: a PNG or JPEG within the chat's limits. Blocking (worker threads).
    ///
    /// Errors: the reason as text (unreadable file, too big, not a PNG/JPEG, damaged).
    pub fn encode(self) -> Result<Vec<u8>, String> {
        match self {
            Self::Pixels {
                rgba,
                width,
                height,
            } => chat_image::prepare(&rgba, width, height).map_err(|e| e.to_string()),
            Self::Encoded(data) => chat_image::fit_for_chat(&data).map_err(|e| e.to_string()),
            Self::File(path) => chat_image::read_picture_file(&path),
        }
    }
}

/// A picture being encoded for sending: the bytes or why not.
type EncodeJob = Job<Result<Vec<u8>, String>>;

/// A decoded picture ready for a texture, and its size as sent.
type DecodeResult = Result<(Decoded, [u32; 2]), ChatImageError>;

enum Entry {
    /// Asked for (or about to be); nothing to show yet.
    Loading,
    /// Being decoded on a worker thread.
    /// (The stamp orders pictures inserted in the same frame: the older goes first.)
    Decoding(Job<DecodeResult>, u64),
    /// Decoded; the texture is made when first drawn.
    Ready {
        image: ColorImage,
        /// The picture's own size, px (the image may be scaled down to fit a texture).
        size: [u32; 2],
        texture: Option<TextureHandle>,
        last_drawn: u64,
        /// When it was inserted (ties of `last_drawn`: the older is dropped first).
        stamp: u64,
    },
    /// Cannot be shown; the text says why.
    Failed(String),
}

/// Fetch state, decoded pixels and textures of the chat pictures in view, and the pictures
/// being prepared for sending. See the module docs. `K` names a picture (see [`PictureId`]).
pub struct ChatPictures<K = PictureKey> {
    entries: HashMap<K, Entry>,
    wanted: Vec<K>,
    viewing: Option<K>,
    frame: u64,
    /// The context of the last frame: repainted when a worker finishes.
    ctx: Option<egui::Context>,
    sending: Vec<(SessionId, EncodeJob)>,
    prepared: Vec<(SessionId, Result<Vec<u8>, String>)>,
}

impl<K> Default for ChatPictures<K> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            wanted: Vec::new(),
            viewing: None,
            frame: 0,
            ctx: None,
            sending: Vec::new(),
            prepared: Vec::new(),
        }
    }
}

impl<K: PictureId> std::fmt::Debug for ChatPictures<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatPictures")
            .field("entries", &self.entries.len())
            .field("wanted", &self.wanted)
            .field("viewing", &self.viewing)
            .field("sending", &self.sending.len())
            .finish()
    }
}

impl<K: PictureId> ChatPictures<K> {
    /// Keys to fetch now (each returned once); the app sends a `GetChatImage` for each.
    pub fn take_wanted(&mut self) -> Vec<K> {
        std::mem::take(&mut self.wanted)
    }

    /// The encoded bytes of `key` arrived (or the user just sent them): decodes them on a
    /// worker thread, scaled down to the renderer's largest texture side, and keeps them. A
    /// picture that does not decode shows its error instead. Returns at once.
    pub fn insert(&mut self, key: K, data: &[u8]) {
        let max_side = self.ctx.as_ref().map_or(DEFAULT_MAX_TEXTURE_SIDE, |ctx| {
            ctx.input(|i| i.max_texture_side)
        });
        let data = data.to_vec();
        let job = Job::start("chat-picture-decode", self.ctx.as_ref(), move || {
            let decoded = chat_image::decode(&data)?;
            let size = [decoded.width, decoded.height];
            Ok((chat_image::fit_texture(decoded, max_side), size))
        });
        let stamp = NEXT_STAMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.entries.insert(key, Entry::Decoding(job, stamp));
    }

    /// Starts encoding a picture to send in session `session` on a worker thread; the chat
    /// takes the bytes with [`ChatPictures::take_prepared`] once done. `ctx` is repainted then.
    pub fn prepare_to_send(&mut self, ctx: &egui::Context, session: SessionId, source: Outgoing) {
        self.ctx = Some(ctx.clone());
        let job = Job::start("chat-picture-encode", Some(ctx), move || source.encode());
        self.sending.push((session, job));
    }

    /// The pictures of `session` finished since the last call, in the order started: the
    /// bytes to send (they pass [`chat_image::probe`]) or why not, as text. Never blocks.
    pub fn take_prepared(&mut self, session: SessionId) -> Vec<Result<Vec<u8>, String>> {
        self.poll_sending();
        let (mine, others) = std::mem::take(&mut self.prepared)
            .into_iter()
            .partition(|(s, _)| *s == session);
        self.prepared = others;
        mine.into_iter().map(|(_, r)| r).collect()
    }

    /// Whether a picture of `session` is still being encoded for sending.
    pub fn is_preparing(&self, session: SessionId) -> bool {
        self.sending.iter().any(|(s, _)| *s == session)
    }

    /// Blocks up to `timeout` until every decode and every picture being prepared is done
    /// (tests only; the apps poll instead).
    pub fn wait_idle(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        for entry in self.entries.values_mut() {
            if let Entry::Decoding(job, stamp) = entry {
                let left = deadline.saturating_duration_since(Instant::now());
                if let Some(done) = job.wait(left) {
                    *entry = decoded_entry(done, self.frame, *stamp);
                }
            }
        }
        let mut jobs: Vec<_> = std::mem::take(&mut self.sending);
        for (session, job) in &mut jobs {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Some(done) = job.wait(left) {
                self.prepared.push((*session, flatten(done)));
            }
        }
        self.sending = jobs.into_iter().filter(|(_, j)| j.is_running()).collect();
        self.trim();
    }

    fn poll_sending(&mut self) {
        let mut still = Vec::new();
        for (session, mut job) in std::mem::take(&mut self.sending) {
            match job.poll() {
                Some(done) => self.prepared.push((session, flatten(done))),
                None => still.push((session, job)),
            }
        }
        self.sending = still;
    }

    /// Collects finished decodes. Called by the drawing functions each frame.
    fn poll_decoding(&mut self) {
        let mut finished = false;
        for entry in self.entries.values_mut() {
            if let Entry::Decoding(job, stamp) = entry {
                if let Some(done) = job.poll() {
                    *entry = decoded_entry(done, self.frame, *stamp);
                    finished = true;
                }
            }
        }
        if finished {
            self.trim();
        }
    }

    /// Fetching `key` failed with `error` (shown under the placeholder).
    pub fn failed(&mut self, key: K, error: String) {
        self.entries.insert(key, Entry::Failed(error));
    }

    /// True when `key` is decoded and ready to draw.
    pub fn is_ready(&self, key: K) -> bool {
        matches!(self.entries.get(&key), Some(Entry::Ready { .. }))
    }

    /// The picture open in the large view, if any.
    pub fn viewing(&self) -> Option<K> {
        self.viewing
    }

    /// Draws the thumbnail of picture message `key` (size from `info`, at most
    /// [`THUMBNAIL_SIZE`]); queues a fetch the first time. A click opens the large view.
    pub fn thumbnail_ui(
        &mut self,
        ui: &mut egui::Ui,
        key: K,
        info: &ChatImage,
        labels: PictureLabels<'_>,
    ) -> egui::Response {
        let size = fit(
            Vec2::new(info.width as f32, info.height as f32),
            THUMBNAIL_SIZE,
        );
        self.ctx = Some(ui.ctx().clone());
        if let Some(Entry::Decoding(job, stamp)) = self.entries.get_mut(&key) {
            if let Some(done) = job.poll() {
                let entry = decoded_entry(done, self.frame, *stamp);
                self.entries.insert(key, entry);
                self.trim();
            }
        }
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
                ..
            } => {
                *last_drawn = frame;
                let texture = texture.get_or_insert_with(|| {
                    ui.ctx().load_texture(
                        format!("chat-picture-{key:?}"),
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
            Entry::Loading | Entry::Decoding(..) => placeholder(ui, size, labels.loading, None),
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
        self.ctx = Some(ctx.clone());
        self.poll_decoding();
        let Some(key) = self.viewing else {
            return;
        };
        let Some(Entry::Ready {
            size: [w, h],
            texture: Some(texture),
            ..
        }) = self.entries.get(&key)
        else {
            self.viewing = None;
            return;
        };
        let (w, h) = (*w, *h);
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
        let mut by_age: Vec<((u64, u64), K)> = self
            .entries
            .iter()
            .filter_map(|(k, e)| match e {
                Entry::Ready {
                    last_drawn, stamp, ..
                } if Some(*k) != self.viewing => Some(((*last_drawn, *stamp), *k)),
                _ => None,
            })
            .collect();
        by_age.sort_by_key(|(age, _)| *age);
        for (_, key) in by_age.into_iter().take(ready - MAX_CACHED_PICTURES) {
            self.entries.remove(&key);
        }
    }
}

/// The cache entry for a finished decode.
fn decoded_entry(done: Result<DecodeResult, job::JobError>, frame: u64, stamp: u64) -> Entry {
    match done {
        Ok(Ok((d, size))) => Entry::Ready {
            image: ColorImage::from_rgba_unmultiplied(
                [d.width as usize, d.height as usize],
                &d.rgba,
            ),
            size,
            texture: None,
            last_drawn: frame,
            stamp,
        },
        Ok(Err(e)) => Entry::Failed(e.to_string()),
        Err(e) => Entry::Failed(e.to_string()),
    }
}

fn flatten(done: Result<Result<Vec<u8>, String>, job::JobError>) -> Result<Vec<u8>, String> {
    done.map_err(|e| e.to_string()).and_then(|r| r)
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

    fn test_labels() -> PictureLabels<'static> {
        PictureLabels {
            loading: "loading",
            failed: "failed",
            enlarge: "enlarge",
            close: "close",
        }
    }

    fn png_info(width: u32, height: u32) -> ChatImage {
        ChatImage {
            format: porpoise_protocol::wire::ImageFormat::Png,
            width,
            height,
            bytes: 10,
        }
    }

    #[test]
    fn pictures_are_fetched_once_and_cached_within_bounds() {
        let mut pictures: ChatPictures = ChatPictures::default();
        let ctx = egui::Context::default();
        let info = png_info(4, 4);
        let labels = test_labels();
        let mut output = ctx.run_ui(Default::default(), |ui| {
            pictures.thumbnail_ui(ui, (SessionId(1), MessageId(1)), &info, labels);
            pictures.thumbnail_ui(ui, (SessionId(1), MessageId(1)), &info, labels);
        });
        output.textures_delta.clear();
        assert_eq!(pictures.take_wanted(), [(SessionId(1), MessageId(1))]);
        assert!(pictures.take_wanted().is_empty());
        let png = chat_image::prepare(&[200u8; 4 * 4 * 4], 4, 4).expect("png");
        for n in 0..(MAX_CACHED_PICTURES as u128 + 5) {
            pictures.insert((SessionId(2), MessageId(n)), &png);
        }
        pictures.wait_idle(Duration::from_secs(30));
        assert!(pictures.is_ready((SessionId(2), MessageId(MAX_CACHED_PICTURES as u128 + 4))));
        let ready = (0..MAX_CACHED_PICTURES as u128 + 5)
            .filter(|n| pictures.is_ready((SessionId(2), MessageId(*n))))
            .count();
        assert_eq!(ready, MAX_CACHED_PICTURES);
        pictures.insert((SessionId(3), MessageId(1)), b"not a picture");
        pictures.wait_idle(Duration::from_secs(30));
        assert!(!pictures.is_ready((SessionId(3), MessageId(1))));
    }

    #[test]
    fn a_picture_larger_than_the_renderer_allows_becomes_a_texture_within_its_side() {
        let ctx = egui::Context::default();
        let input = || egui::RawInput {
            max_texture_side: Some(1024),
            ..Default::default()
        };
        ctx.run_ui(input(), |_| {}).textures_delta.clear();
        let mut pictures: ChatPictures = ChatPictures::default();
        let info = png_info(3000, 1000);
        let labels = test_labels();
        ctx.run_ui(input(), |ui| {
            pictures.thumbnail_ui(ui, (SessionId(1), MessageId(1)), &info, labels);
        })
        .textures_delta
        .clear();
        let png = chat_image::prepare(&vec![120u8; 3000 * 1000 * 4], 3000, 1000).expect("png");
        pictures.insert((SessionId(1), MessageId(1)), &png);
        pictures.wait_idle(Duration::from_secs(30));
        assert!(pictures.is_ready((SessionId(1), MessageId(1))));
        let mut output = ctx.run_ui(input(), |ui| {
            pictures.thumbnail_ui(ui, (SessionId(1), MessageId(1)), &info, labels);
        });
        let sizes: Vec<[usize; 2]> = output
            .textures_delta
            .set
            .iter()
            .filter(|(id, _)| **id != egui::TextureId::default())
            .flat_map(|(_, deltas)| deltas.iter().map(|d| d.image.size()))
            .collect();
        output.textures_delta.clear();
        assert!(sizes.contains(&[1024, 341]), "{sizes:?}");
        assert!(
            sizes.iter().all(|[w, h]| *w <= 1024 && *h <= 1024),
            "{sizes:?}"
        );
        match pictures.entries.get(&(SessionId(1), MessageId(1))) {
            Some(Entry::Ready { size, .. }) => assert_eq!(*size, [3000, 1000], "own size kept"),
            _ => panic!("not ready"),
        }
    }

    #[test]
    fn pictures_to_send_are_prepared_off_the_ui_thread() {
        let ctx = egui::Context::default();
        let mut pictures: ChatPictures = ChatPictures::default();
        pictures.prepare_to_send(
            &ctx,
            SessionId(4),
            Outgoing::Pixels {
                rgba: vec![7; 8 * 8 * 4],
                width: 8,
                height: 8,
            },
        );
        pictures.prepare_to_send(&ctx, SessionId(4), Outgoing::Encoded(b"junk".to_vec()));
        assert!(pictures.is_preparing(SessionId(4)));
        pictures.wait_idle(Duration::from_secs(30));
        assert!(
            pictures.take_prepared(SessionId(5)).is_empty(),
            "another session's"
        );
        let done = pictures.take_prepared(SessionId(4));
        assert_eq!(done.len(), 2);
        let info = chat_image::probe(done[0].as_ref().expect("png")).expect("probe");
        assert_eq!((info.width, info.height), (8, 8));
        assert!(done[1].is_err());
        assert!(!pictures.is_preparing(SessionId(4)));
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
