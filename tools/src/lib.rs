//! Porpoise test support: headless peers on the client core, an in-process relay, a private X
//! server, and PNG helpers. Used by the integration tests in `tests/tests`, by the headless
//! `porpoise-bot` and by the bench binaries.

pub mod ffmpeg;
pub mod image;
pub mod peer;
pub mod probe;
pub mod process;
pub mod record;
pub mod relay;
pub mod xvfb;
