//! Screen capture of the customer's display: re-exported from
//! [`porpoise_shared::capture`] (feature `capture`), where it lives so that the agent console's
//! remote demo can share the agent's screen with the same code.
//!
//! [`ScreenCapture`] captures the primary monitor until the viewer selects another one
//! ([`porpoise_shared::stream::ScreenSource::select_monitor`]); on X11 it only needs to be asked
//! for a frame after [`porpoise_shared::stream::ScreenSource::wait_for_change`] said the screen
//! may have changed, and it reports the cursor apart from the image.

pub use porpoise_shared::capture::{
    make_capture, screen_geometry, ScreenCapture, ScreenGeometry, SharedGeometry,
    CAPTURE_RETRY_TIMEOUT,
};
