#!/usr/bin/env bash
# A recruiting season at full scale (issue 12): seeds 150,000 current candidates, 1,000,000
# signals and 450,000 messages on SQLite and then on PostgreSQL, runs the real server against
# each, and writes the figures next to their targets in bench-results/season.md (one section
# per database; see server/benches/season.rs for what is measured and the knobs for trials).
#   scripts/bench-season.sh                  SQLite, then PostgreSQL
#   scripts/bench-season.sh sqlite           only one of them
#   TURNOUT_TEST_POSTGRES_URL=postgres://…   another PostgreSQL server, where the user may create
#                                            databases (default: the local cluster, started if down)
# Each run recreates the database turnout_bench_season and drops it at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. "$root/scripts/tools.sh"

backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
for b in "${backends[@]}"; do
  case "$b" in sqlite|postgres) ;; *) echo "bench-season: unknown database '$b' (use sqlite or postgres)" >&2; exit 2 ;; esac
done

export TURNOUT_TEST_POSTGRES_URL="${TURNOUT_TEST_POSTGRES_URL:-postgres://turnout:turnout@127.0.0.1:5432/postgres}"
if [[ " ${backends[*]} " == *" postgres "* ]] && ! pg_isready -q -d "$TURNOUT_TEST_POSTGRES_URL" 2>/dev/null; then
  echo "bench-season: starting the local PostgreSQL"
  pg_ctlcluster 15 main start
  for _ in $(seq 1 30); do pg_isready -q -d "$TURNOUT_TEST_POSTGRES_URL" && break; sleep 1; done
  pg_isready -q -d "$TURNOUT_TEST_POSTGRES_URL" || { echo "bench-season: PostgreSQL does not answer at $TURNOUT_TEST_POSTGRES_URL" >&2; exit 1; }
fi

# Build once (release), then run once per database.
cargo bench -p turnout --bench season --no-run
for b in "${backends[@]}"; do
  echo "bench-season: $b"
  SEASON_BENCH_BACKEND="$b" cargo bench -p turnout --bench season
done
echo "bench-season: figures in bench-results/season.md"
