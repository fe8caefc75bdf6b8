#!/usr/bin/env bash
# `cargo deny check` (advisories, licences, bans, sources; deny.toml) with no network access for
# the advisory database: GitHub may be unreachable, so the RustSec advisory database comes from
# the git bundle committed in deny/advisory-db.bundle (a snapshot; refresh it with
# `git clone --mirror https://github.com/rustsec/advisory-db && git -C advisory-db.git bundle
# create ../deny/advisory-db.bundle --all` where GitHub is reachable). Extra arguments go to
# `cargo deny check` (e.g. `advisories`). Needs cargo-deny (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
# cargo-deny looks for the default RustSec database in <db-path>/<name derived from its URL>.
git -c init.defaultBranch=main clone -q deny/advisory-db.bundle "$db/advisory-db-3157b0e258782691"
export PORPOISE_ADVISORY_DB="$db"
# --offline: metadata of every target's crates must be in the local registry cache.
cargo fetch --locked -q
# Duplicates are warnings (deny.toml): one line each, no inclusion trees.
cargo deny --offline --locked check --hide-inclusion-graph --show-stats "$@"
