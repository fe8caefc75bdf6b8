#!/usr/bin/env bash
# Runs the screen benchmarks of issue 4 in release, prints their tables and records them in
# docs/benchmarks.md (each tool rewrites its own section, `--record`):
#   porpoise-capture-bench  (MIT-SHM grab vs our capture, damage wait, cursor)
#   porpoise-codec-bench    (our codec vs ffmpeg libx264 / libvpx-vp9 on recorded 1080p sequences)
#   porpoise-latency-bench  (capture-to-decoded and input-to-pixel latency through a relay)
# Usage: scripts/bench.sh [--frames N]   (numbers are only meaningful on an otherwise idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
. scripts/deps.sh
install_deps bench
frames=90
if [ "${1:-}" = "--frames" ]; then frames="$2"; fi
cargo build --release -p porpoise-tools --bins
target="${CARGO_TARGET_DIR:-target}/release"
record=(--record docs/benchmarks.md)
"$target/porpoise-capture-bench" "${record[@]}"
"$target/porpoise-codec-bench" --frames "$frames" "${record[@]}"
"$target/porpoise-latency-bench" --clicks 100 --seconds 20 "${record[@]}"
