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
# The wire types (porpoise-shared without features): no async runtime, no QUIC, no UI.
forbid porpoise-shared "" -- tokio quinn rustls egui eframe winit x11rb
# The client core: QUIC but no UI.
forbid porpoise-shared "client" -- egui eframe winit

if [ "$fail" = 0 ]; then
  echo "layering: ok (relay without egui/winit; wire types without tokio/quinn/egui; client without egui)"
fi
exit "$fail"
