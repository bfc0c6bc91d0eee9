#!/usr/bin/env bash
# Dispatches 10,000 notices to a real SMTP server on loopback and writes the figures to
# bench-results/reminders.md. Needs aiosmtpd (scripts/setup.sh --test installs it).
#   scripts/bench-reminders.sh            on SQLite
#   TURNOUT_BENCH_BACKEND=postgres TURNOUT_TEST_POSTGRES_URL=postgres://… scripts/bench-reminders.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. "$root/scripts/tools.sh"
cargo test -p turnout --test reminders_bench ${BENCH_PROFILE:+--profile "$BENCH_PROFILE"} -- --ignored --nocapture
