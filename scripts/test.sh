#!/usr/bin/env bash
# The Porpoise test command: installs missing system packages, then builds and runs every test of
# the workspace (unit, relay core, loopback QUIC, egui_kittest UI flows, end-to-end under private
# Xvfb servers). Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_deps test

XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export XDG_RUNTIME_DIR
# A null sound device so that sound playback works without a sound card.
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$PWD/scripts/asound-null.conf"
# Tests start their own Xvfb servers; nothing here needs the caller's display.
unset DISPLAY WAYLAND_DISPLAY

cargo build --workspace --all-targets
# A private D-Bus session bus for the notification and tray tests.
exec dbus-run-session -- cargo test --workspace "$@"
