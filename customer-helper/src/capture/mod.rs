//! Screen capture of the customer's display: re-exported from
//! [`porpoise_platform::capture`] (feature `capture`), where it lives so that the agent console's
//! remote demo can share the agent's screen with the same code.
//!
//! [`ScreenCapture`] captures the primary monitor until the viewer selects another one
//! ([`porpoise_codec::stream::ScreenSource::select_monitor`]); on X11 it only needs to be asked
//! for a frame after [`porpoise_codec::stream::ScreenSource::wait_for_change`] said the screen
//! may have changed, and it reports the cursor apart from the image.

pub use porpoise_platform::capture::{
    make_capture, screen_geometry, ScreenCapture, ScreenGeometry, SharedGeometry,
    CAPTURE_RETRY_TIMEOUT,
};
