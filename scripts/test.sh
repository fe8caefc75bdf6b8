#!/usr/bin/env bash
# The Porpoise test command: installs missing system packages and Rust tools, checks the style
# (rustfmt, clippy with warnings as errors, cargo-deny), then builds and runs every test of the
# workspace (unit, relay core, loopback QUIC, egui_kittest UI flows, end-to-end under private
# Xvfb servers). Extra arguments go to `cargo test`.
# Needs rustup (stable) and crates.io; no GitHub (the advisory database is in deny/).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_deps test
install_rust_tools

step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

# Cheapest first: seconds for rustfmt, then clippy (type-checks every target, also the benches
# and examples that the test build below leaves out), then licences and advisories.
step "rustfmt"
cargo fmt --all --check
step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo deny"
scripts/deny.sh
step "layering"
scripts/layers.sh

XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR
# A null sound device so that sound playback works without a sound card.
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$PWD/scripts/asound-null.conf"
# Tests start their own Xvfb servers; nothing here needs the caller's display.
unset DISPLAY WAYLAND_DISPLAY

step "build"
# The test binaries and every binary the tests start (the relay, agent and helper programs,
# porpoise-bot): `cargo test` builds a package's binaries for its integration tests.
cargo test --workspace --locked --no-run
step "test"
# A private D-Bus session bus for the notification and tray tests.
exec dbus-run-session -- cargo test --workspace --locked "$@"
