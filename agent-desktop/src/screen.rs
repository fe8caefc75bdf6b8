//! The customer's screen on the agent's side: a [`ScreenStream`] is one stream being shown, with
//! its texture (`porpoise_ui::screen_view`), the agent's image settings (A12) and the remote
//! input state.

pub use porpoise_ui::screen_view::{
    fit_rect, remote_px_from_ui_pt, ui_pt_from_remote_px, FrameRate, PendingScreen, ScreenFeed,
    ScreenTexture, STATS_WINDOW_S,
};

use std::sync::Arc;

use porpoise_codec::stream::{ImageQuality, StreamSettings};

/// Bandwidth caps the agent can pick, kbit/s (0 = none).
pub const BANDWIDTH_CAPS_KBPS: [u32; 5] = [0, 256, 1_000, 4_000, 16_000];

/// A screen stream being shown: its texture, the agent's image settings (A12), a screenshot
/// in progress (A9) and the remote-control input state.
#[derive(Debug)]
pub struct ScreenStream {
    /// Texture, cursor, monitors, statistics.
    pub view: ScreenTexture,
    /// The agent's image settings; sent to the customer's side whenever they change.
    pub settings: StreamSettings,
    /// Id of the last still asked for (A9).
    pub still_requested: Option<u32>,
    /// Outcome of the last screenshot: `Ok(path)` or `Err(message)`.
    pub screenshot: Option<Result<std::path::PathBuf, String>>,
    /// The screenshot being encoded and written on a worker thread; gives [`Self::screenshot`].
    pub saving: Option<porpoise_ui::job::Job<Result<std::path::PathBuf, String>>>,
    /// Remote-control input state of this view.
    pub input: crate::remote_input::RemoteInput,
}

impl ScreenStream {
    /// Shows the updates arriving in `feed`.
    pub fn new(feed: Arc<ScreenFeed>) -> Self {
        Self {
            view: ScreenTexture::new(feed, "customer-screen"),
            settings: StreamSettings::default(),
            still_requested: None,
            screenshot: None,
            saving: None,
            input: Default::default(),
        }
    }

    /// Canvas size in px (0×0 before the first key frame).
    pub fn size(&self) -> [usize; 2] {
        self.view.size
    }

    /// Changes the settings and tells the customer's side (A12: applies from its next frame).
    pub fn change_settings(&mut self, change: impl FnOnce(&mut StreamSettings)) {
        let before = self.settings;
        change(&mut self.settings);
        if self.settings != before {
            if let Some(handle) = self.view.feed().handle() {
                handle.set_settings(self.settings);
            }
        }
    }

    /// Asks the customer's side for a full-quality still; false if the stream is gone.
    pub fn request_still(&mut self) -> bool {
        let id = self.still_requested.map_or(1, |i| i.wrapping_add(1));
        let sent = self
            .view
            .feed()
            .handle()
            .is_some_and(|h| h.request_still(id));
        if sent {
            self.still_requested = Some(id);
        }
        sent
    }
}

/// The label of a quality setting.
pub fn quality_label(lang: porpoise_ui::Language, q: ImageQuality) -> String {
    use crate::i18n::Msg;
    match q {
        ImageQuality::Best => Msg::QualityBest.text(lang).to_owned(),
        ImageQuality::Balanced => Msg::QualityBalanced.text(lang).to_owned(),
        ImageQuality::Low => Msg::QualityLow.text(lang).to_owned(),
        ImageQuality::Custom(n) => format!("{} {n}", Msg::QualityCustom.text(lang)),
    }
}
