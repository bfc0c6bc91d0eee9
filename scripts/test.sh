#!/usr/bin/env bash
# Sets up and runs every Turnout test: domain and unit tests, integration tests on SQLite and
# on PostgreSQL, and the browser tests in Chromium.
#
# PostgreSQL: TURNOUT_TEST_POSTGRES_URL may point at a server where the user can CREATE
# DATABASE; without it a local PostgreSQL 15 is installed (Debian) and started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --test
. "$root/scripts/tools.sh"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -z "${TURNOUT_TEST_POSTGRES_URL:-}" ]; then
  step "starting the local PostgreSQL"
  cluster="$(pg_lsclusters --no-header | awk 'NR==1{print $1" "$2}')"
  if [ -z "$cluster" ]; then pg_createcluster 15 main >/dev/null; cluster="15 main"; fi
  pg_ctlcluster $cluster start 2>/dev/null || true
  port="$(pg_lsclusters --no-header | awk 'NR==1{print $3}')"
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  su postgres -c "psql -p $port -qc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'turnout') THEN CREATE ROLE turnout LOGIN CREATEDB PASSWORD 'turnout'; END IF; END\\\$\\\$;\""
  export TURNOUT_TEST_POSTGRES_URL="postgres://turnout:turnout@127.0.0.1:$port/postgres"
fi

step "domain, storage and app unit tests"
cargo test -p turnout-domain -p turnout-store
cargo test -p turnout-app --features ssr --lib

step "server: unit and integration tests (SQLite and PostgreSQL)"
cargo test -p turnout

step "release build of the site and server (what scripts/run.sh serves; the browser tests use it)"
cargo leptos build --release --precompress --split
target="${CARGO_TARGET_DIR:-$root/target}"
export TURNOUT_BIN="$target/release/turnout"

step "bundle budget: what a candidate's browser downloads"
bash scripts/bundle-size.sh

step "browser tests (Chromium)"
cd end2end
npx playwright test
