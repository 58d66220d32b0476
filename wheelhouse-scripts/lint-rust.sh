#!/usr/bin/env bash
# Usage: lint-rust.sh
# cargo fmt --check, then clippy with warnings as errors for both feature sets the
# crate is built with (the abi3 default and the fast-paths build), then the crate's own
# unit tests (pure functions such as the address hashes, which need no interpreter
# running). Stops at the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# pyo3's build script asks this interpreter for its configuration; pin it so clippy
# checks the same configuration that build-wheel.sh builds.
PYO3_PYTHON="$(default_python)"
export PYO3_PYTHON
cd "$REPO_ROOT"

log "cargo fmt --check"
cargo fmt --check || die "cargo fmt --check: run \`cargo fmt\` and commit the result"

log "cargo clippy (default features: abi3)"
cargo clippy --locked --all-targets -- -D warnings || die "clippy failed (abi3)"

log "cargo clippy (--no-default-features --features fast-paths)"
cargo clippy --locked --all-targets --no-default-features --features fast-paths -- -D warnings ||
    die "clippy failed (fast-paths)"

log "cargo test --lib (unit tests)"
cargo test --locked --lib --quiet || die "Rust unit tests failed"
