//! Porpoise customer helper: the small program a customer runs to get help from a support
//! center — request service, wait in the queue, chat, and consent to (and stop) screen viewing
//! and remote control (SPEC C1–C5).
//!
//! - [`capture`] and [`input`]: the platform layer (screen capture, input injection), free of UI
//!   and network, reused by the end-to-end tests as a headless customer.
//! - [`net`] and [`media`]: the tokio side — relay connection, requests, consent-gated media.
//! - [`state`], [`app`], [`ui`], [`i18n`]: the egui window; [`typing`]: the typing-preview
//!   throttle the network side applies.
//! - [`files`]: file transfer (A6, C5) — commands, download folder, the UI's transfer list.
//! - [`config`]: flags, environment, the download's signed trailer and the install ID;
//!   [`launch`]: the first screen of a plain helper and the refusal of a modified download;
//!   [`branding`]: the center's title, icon, colours and notice area (C1, M1).
//! - [`sysinfo`]: the system-info report (A10), read only after the customer's consent.
//! - [`reboot`]: reboot and reconnect (C8): the one-time start after login and the reboot.
//! - [`region`] and [`transcript`]: the chat's region screenshot and saved transcript (C4).

pub mod app;
pub mod branding;
pub mod capture;
pub mod config;
pub mod files;
pub mod i18n;
pub mod input;
pub mod launch;
pub mod media;
pub mod net;
pub mod reboot;
pub mod region;
pub mod state;
pub mod sysinfo;
pub mod transcript;
pub mod typing;
pub mod ui;

pub use app::{AppOptions, HelperApp};
pub use config::{HelperArgs, HelperConfig};
