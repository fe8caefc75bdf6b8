#!/usr/bin/env bash
# Proves the crate layering with `cargo tree` (issue 12): each rule names a package and the
# crates it must never link (normal dependencies, the package's default features). Exits 1 with
# the offending path when a rule is broken.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
# forbid PACKAGE [FEATURES] -- CRATE...
forbid() {
  local pkg="$1" features="$2"
  shift 3
  local args=(-p "$pkg" -e normal --prefix none --locked)
  [ -n "$features" ] && args+=(--no-default-features --features "$features")
  local tree
  tree="$(cargo tree "${args[@]}" 2>/dev/null)"
  for crate in "$@"; do
    if grep -qE "^${crate} v" <<<"$tree"; then
      echo "layering: $pkg${features:+ (features: $features)} links $crate:" >&2
      cargo tree -p "$pkg" -e normal -i "$crate" 2>/dev/null | head -20 >&2 || true
      fail=1
    fi
  done
}

# The relay is a server: no UI toolkit, no windowing, no screen capture.
forbid porpoise-relay "" -- egui eframe winit x11rb arboard
# The wire types: no async runtime, no QUIC, no TLS, no UI, no platform.
forbid porpoise-protocol "" -- tokio quinn rustls egui eframe winit x11rb arboard zstd
# The codecs: pure computation.
forbid porpoise-codec "pictures" -- tokio quinn rustls egui eframe winit x11rb arboard
# QUIC and the client core: no UI, no platform.
forbid porpoise-quic "client" -- egui eframe winit x11rb arboard
# Platform code: no UI.
forbid porpoise-platform "" -- egui eframe winit
# The UI kit: egui only, never eframe/winit or a platform.
forbid porpoise-ui "" -- eframe winit x11rb arboard

if [ "$fail" = 0 ]; then
  echo "layering: ok (relay without egui/winit; protocol without tokio/quinn/egui/zstd; codec and quic without egui; platform and ui-kit without eframe/winit)"
fi
exit "$fail"
