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
    /// The layout of this stream's remote window (issue 15).
    pub window: RemoteWindowState,
}

/// One remote window's own layout (issue 15): started from the agent's remembered
/// [`crate::prefs::RemoteWindowPrefs`] when the window first opens.
#[derive(Debug, Clone, Default)]
pub struct RemoteWindowState {
    /// Inner size the window was opened with, points; None until it first opens. Kept so the
    /// window's builder stays the same from frame to frame (a changed builder resizes it).
    pub opened_size: Option<[f32; 2]>,
    /// 1:1 with scroll bars instead of fit to window.
    pub actual_size: bool,
    /// The chat side panel is open.
    pub chat_open: bool,
    /// In full screen: the pointer was over the toolbar last frame (it stays shown).
    pub toolbar_hot: bool,
}

/// Inner size for a new remote window, points: the remembered size if any, else the customer's
/// screen (`screen_px`, 0×0 before the first frame) at 1:1 plus the toolbar and, with
/// `chat_open`, the chat panel, within 90 % of the agent's `monitor` (points; None: unknown,
/// 1280×800 assumed) and at least [`crate::prefs::MIN_REMOTE_WINDOW`].
pub fn remote_window_size(
    remembered: Option<[f32; 2]>,
    monitor: Option<[f32; 2]>,
    screen_px: [usize; 2],
    pixels_per_point: f32,
    chat_open: bool,
) -> [f32; 2] {
    use crate::prefs::MIN_REMOTE_WINDOW;
    let [mw, mh] = monitor.unwrap_or([1280.0, 800.0]);
    let (max_w, max_h) = (mw * 0.9, mh * 0.9);
    let [w, h] = remembered.unwrap_or_else(|| {
        let ppp = if pixels_per_point > 0.0 {
            pixels_per_point
        } else {
            1.0
        };
        if screen_px[0] == 0 || screen_px[1] == 0 {
            return [max_w, max_h];
        }
        let chat = if chat_open { REMOTE_CHAT_WIDTH } else { 0.0 };
        [
            screen_px[0] as f32 / ppp + chat,
            screen_px[1] as f32 / ppp + REMOTE_TOOLBAR_HEIGHT,
        ]
    });
    [
        w.min(max_w).max(MIN_REMOTE_WINDOW[0]),
        h.min(max_h).max(MIN_REMOTE_WINDOW[1]),
    ]
}

/// Width of the remote window's chat panel when it opens, points.
pub const REMOTE_CHAT_WIDTH: f32 = 320.0;
/// Room the remote window's toolbar takes, points (for the first size of a window).
pub const REMOTE_TOOLBAR_HEIGHT: f32 = 40.0;

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
            window: RemoteWindowState::default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_remote_window_fits_the_screen_within_the_monitor() {
        // 1920×1080 customer on a 1920×1080 agent monitor: 90 % of the monitor.
        let size = remote_window_size(None, Some([1920.0, 1080.0]), [1920, 1080], 1.0, false);
        assert_eq!(size, [1728.0, 972.0]);
        // A small customer screen: its own size plus the toolbar (and the chat).
        let size = remote_window_size(None, Some([1920.0, 1080.0]), [800, 600], 1.0, true);
        assert_eq!(
            size,
            [800.0 + REMOTE_CHAT_WIDTH, 600.0 + REMOTE_TOOLBAR_HEIGHT]
        );
        // HiDPI: customer pixels are half as many points.
        let size = remote_window_size(None, Some([1920.0, 1080.0]), [1600, 1000], 2.0, false);
        assert_eq!(size, [800.0, 500.0 + REMOTE_TOOLBAR_HEIGHT]);
        // Remembered wins, still within the monitor and above the minimum.
        let size = remote_window_size(Some([1000.0, 700.0]), None, [1920, 1080], 1.0, false);
        assert_eq!(size, [1000.0, 700.0]);
        let size = remote_window_size(
            Some([3000.0, 100.0]),
            Some([1920.0, 1080.0]),
            [0, 0],
            1.0,
            false,
        );
        assert_eq!(size, [1728.0, crate::prefs::MIN_REMOTE_WINDOW[1]]);
        // Before the first frame: 90 % of the monitor.
        let size = remote_window_size(None, Some([1366.0, 768.0]), [0, 0], 1.0, false);
        assert_eq!(size, [1366.0 * 0.9, 768.0 * 0.9]);
    }
}
