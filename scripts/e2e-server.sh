#!/usr/bin/env bash
# Starts Turnout for the browser tests: a fresh SQLite database, demo data written to
# end2end/.demo.json, then the server on 127.0.0.1:$E2E_PORT (default 3100).
#
# No test may depend on the wall clock: the server's clock starts at a fixed instant
# (TURNOUT_CLOCK_START, then advancing in real time), 23:30 in Shanghai, the demo's time zone,
# on a fixed date, so every run sees the same days and the late-evening case is always covered.
# E2E_CLOCK_START overrides it (RFC 3339), e.g. 2026-12-01T10:00:00+08:00.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${E2E_PORT:-3100}"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${TURNOUT_BIN:-$target/debug/turnout}"
db_dir="$(mktemp -d -t turnout-e2e-XXXXXX)"
export DATABASE_URL="sqlite://$db_dir/turnout.db"
export TURNOUT_DEMO_CREDENTIALS="$db_dir/demo-credentials.json"
export TURNOUT_ADDR="127.0.0.1:$port"
export TURNOUT_BASE_URL="http://127.0.0.1:$port"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"
export TURNOUT_CLOCK_START="${E2E_CLOCK_START:-2026-12-01T23:30:00+08:00}"
echo "e2e-server: the server's clock starts at $TURNOUT_CLOCK_START" >&2
"$bin" demo --json > "$root/end2end/.demo.json"
exec "$bin" serve
