#!/usr/bin/env bash
# make check: the quick loop while coding. Formatting, lints and the unit tests; no
# database, no Python tools.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_nextest
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
log "unit tests (nextest: each test in its own process)"
cargo nextest run --workspace -E 'kind(lib)'
