//! Porpoise over QUIC: TLS configurations and certificate pinning ([`tls`]), frames read from and
//! written to QUIC streams ([`frame_io`]), file streams ([`files`]) and the helper's signed
//! configuration trailer ([`trailer`]); the relay uses these.
//!
//! With the `client` feature also the async client core of the agent console, the customer
//! helper and the tools: the connection with its calls and events ([`client`]), file transfers
//! ([`transfers`]) and the screen stream's sender and viewer ([`screen`]). Never UI.

pub mod files;
pub mod frame_io;
pub mod tls;
/// The signed configuration trailer of downloaded helpers (C1).
pub mod trailer;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod screen;
#[cfg(feature = "client")]
pub mod transfers;
