//! Porpoise shared crate: the wire protocol, framing, screen codec, input model, TLS pinning and
//! (behind the `client` feature) the async client core used by the agent console, the customer
//! helper, the tests and the load tools.
//!
//! See `ARCHITECTURE.md` at the workspace root for how the pieces fit.

pub mod chat_image;
pub mod codec;
pub mod framing;
pub mod input;
pub mod lang;
pub mod stream;
pub mod wire;

#[cfg(feature = "quic")]
pub mod tls;
/// The signed configuration trailer of downloaded helpers (C1).
#[cfg(feature = "quic")]
pub mod trailer;

#[cfg(feature = "clipboard")]
pub mod clipboard;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "quic")]
pub mod files;
#[cfg(feature = "client")]
pub mod screen;
#[cfg(feature = "client")]
pub mod transfers;

#[cfg(feature = "capture")]
pub mod capture;

#[cfg(feature = "ui")]
pub mod chat_pictures;
#[cfg(feature = "ui")]
pub mod job;
#[cfg(feature = "ui")]
pub mod transcript;
#[cfg(feature = "ui")]
pub mod ui;

#[cfg(all(feature = "ui", feature = "client"))]
pub mod screen_view;
