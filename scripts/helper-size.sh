#!/usr/bin/env bash
# Builds the customer helper as handed to customers (profile `helper-release`: fat LTO, one
# codegen unit, size-optimised, stripped) and checks its footprint (issue 6): prints the size of
# the stripped binary and fails when it is over the limit. For the release pipeline; CI does not
# run it (a fat-LTO build takes ~6 minutes on two cores).
# Usage: scripts/helper-size.sh [extra cargo build args, e.g. --features accessibility]
set -euo pipefail
cd "$(dirname "$0")/.."
# The footprint target of issue 6, in bytes (10 MB, decimal, as the sizes in ARCHITECTURE.md).
LIMIT_BYTES=10000000
cargo build --profile helper-release -p porpoise-helper "$@"
bin="${CARGO_TARGET_DIR:-target}/helper-release/porpoise-helper"
# The profile strips already; strip again in case a local config turned that off.
stripped="$(mktemp)"
trap 'rm -f "$stripped"' EXIT
cp "$bin" "$stripped"
strip "$stripped" 2>/dev/null || true
size=$(stat -c %s "$stripped")
awk -v s="$size" -v l="$LIMIT_BYTES" 'BEGIN {
    printf "porpoise-helper (helper-release, stripped): %d bytes (%.2f MB); limit %d bytes\n", s, s / 1e6, l }'
if [ "$size" -gt "$LIMIT_BYTES" ]; then
    echo "FAIL: the helper is over the 10 MB footprint limit (issue 6)" >&2
    exit 1
fi
echo "OK"
