//! The integration tests of porpoise-tools, in one test binary: the headless bot against a real
//! relay, and the bot helper on a private X server (they need the `porpoise-bot` binary of this
//! package).

mod bot;
mod e2e_xvfb;
