#!/usr/bin/env bash
# Sets up, builds and serves Turnout on http://127.0.0.1:3000 with SQLite at ./data/turnout.db.
# The first run seeds the demo; every run prints the same HR sign-in and candidate links (kept
# beside the database in demo-credentials.json, readable only by you), so running it again
# breaks nothing.
# Once the demo's window has run out, days later, it seeds a new current campaign beside the
# old data (and the same password), so there is always a working link.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
. "$root/scripts/tools.sh"

# --split: the device check's WebAssembly is loaded only on its own page.
cargo leptos build --release --precompress --split
target="${CARGO_TARGET_DIR:-$root/target}"
export DATABASE_URL="${DATABASE_URL:-sqlite://$root/data/turnout.db}"
export TURNOUT_ADDR="${TURNOUT_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$root/target/site}"

"$target/release/turnout" migrate
echo
"$target/release/turnout" demo
echo
exec "$target/release/turnout" serve
