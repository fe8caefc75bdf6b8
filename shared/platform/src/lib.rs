//! Porpoise platform code shared by both apps: screen capture of the local desktop
//! ([`capture`]: X11 via x11rb on Linux, DXGI via scrap on Windows, and the one-monitor grab of
//! the region screenshot) and the local text clipboard with its sync over a QUIC stream
//! ([`clipboard`]). Input injection is the helper's own (`customer-helper/src/input`).

pub mod capture;
pub mod clipboard;
