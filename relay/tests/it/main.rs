//! The relay's integration tests, in one test binary (one link instead of one per file; issue 12).

mod common;

mod abuse;
mod admin_cli;
mod audit;
mod blocklist;
mod branding_cli;
mod center;
mod conversation;
mod loopback;
mod webhooks;
