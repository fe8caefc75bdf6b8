//! Porpoise agent desktop: the support console an agent works in.
//!
//! The console logs in to a relay (A1), shows the center's queue (A4), one tab per customer
//! being served (A5) with chat (A7), view-desktop and remote-control buttons (A6), the
//! customer's screen with remote input, and tray / popup / sound notifications (A3).
//!
//! Threads: the egui UI thread never blocks; it sends [`NetCommand`]s to the network task
//! ([`net::spawn`], on a tokio runtime whose `Handle` is passed in) and drains [`NetEvent`]s at
//! the start of each frame. Screen frames are decoded on their own thread and land in a
//! [`screen::ScreenFeed`] that the UI turns into texture updates of only the changed tiles.
//!
//! Tests build the app with [`AgentApp::new`] and a [`NetChannels`] whose other ends they
//! hold, playing the relay's part.

pub mod app;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod files;
pub mod i18n;
pub mod idle;
pub mod net;
pub mod notify;
pub mod prefs;
pub mod presence;
pub mod remote_input;
pub mod screen;
pub mod screenshot;
pub mod snip;
pub mod state;
pub mod transcript;
pub mod ui;

pub use app::AgentApp;
pub use config::{AgentConfig, Password};
pub use net::{NetChannels, NetCommand, NetEvent};
