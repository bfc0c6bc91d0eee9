#!/usr/bin/env bash
# Starts Turnout for the browser tests: a fresh SQLite database, demo data written to
# end2end/.demo.json, then the server on 127.0.0.1:$E2E_PORT (default 3100).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="${E2E_PORT:-3100}"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="${TURNOUT_BIN:-$target/debug/turnout}"
db_dir="$(mktemp -d -t turnout-e2e-XXXXXX)"
export DATABASE_URL="sqlite://$db_dir/turnout.db"
export TURNOUT_ADDR="127.0.0.1:$port"
export TURNOUT_BASE_URL="http://127.0.0.1:$port"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"
"$bin" demo --json > "$root/end2end/.demo.json"
exec "$bin" serve
