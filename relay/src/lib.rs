//! Porpoise relay: accounts, per-center queues, sessions, durable chat and consent-checked media
//! forwarding between agents and customers.
//!
//! - [`core`]: the sans-IO dispatcher (no I/O, no clock).
//! - [`store`]: SQLite through sqlx; snapshot at start, writes from the core, accounts.
//! - [`net`]: quinn glue; [`Relay::bind`] then [`Relay::run`], or [`run`] in one call.
//! - [`config`]: [`RelayConfig`] and the data directory (database, TLS identity).

pub mod branding;
pub mod common_files;
pub mod config;
pub mod core;
pub mod download;
pub mod net;
pub mod outbound;
pub mod retention;
pub mod store;
pub mod webhooks;

pub use config::{ConfigError, RelayConfig};
pub use net::{run, Relay, RelayError};
pub use store::{Store, StoreError, DEMO_CENTER_ID, DEMO_CENTER_NAME, DEMO_PASSWORD};
