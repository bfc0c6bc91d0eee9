#!/usr/bin/env bash
# Profiles the candidate's invitation page under load (the invitation_page bench's load on
# SQLite) with perf, and draws a flamegraph.
#
#   scripts/profile-invitation-page.sh [label] [seconds]
#
# writes bench-results/invitation-page-<label>.svg (label defaults to "profile") and prints the
# hottest frames. Needs perf (linux-perf) and inferno (`cargo install inferno`). The release
# build keeps its symbols; stacks are unwound from the DWARF call frame information, so no
# debug info or frame pointers are needed.
set -euo pipefail
cd "$(dirname "$0")/.."

label="${1:-profile}"
secs="${2:-12}"
for tool in perf inferno-collapse-perf inferno-flamegraph; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

bench=$(cargo bench -p turnout --bench invitation_page --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*invitation_page[^"]*"' | tail -1 | cut -d'"' -f4)
[ -x "$bench" ] || { echo "could not build the invitation_page bench" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/bench.log"
(cd server && INVITATION_BENCH_PROFILE_SECS="$secs" "$bench" >"$log" 2>&1) &
runner=$!

# perf attaches once seeding and warm-up are done, and stops a second before the load does.
until grep -q '^profile: start' "$log"; do
    kill -0 "$runner" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
done
pid=$(sed -n 's/^profile: start pid=\([0-9]*\).*/\1/p' "$log")
perf record -q -F 499 --call-graph dwarf,16384 -p "$pid" -o "$work/perf.data" -- sleep "$((secs - 1))" 2>/dev/null
wait "$runner"
grep '^profile: done' "$log"

folded="${TMPDIR:-/tmp}/invitation-page-$label.folded"
perf script -i "$work/perf.data" 2>/dev/null | inferno-collapse-perf >"$folded"
inferno-flamegraph --minwidth 0.5 --title "Invitation page under load ($label)" <"$folded" \
    >"bench-results/invitation-page-$label.svg"
echo "flamegraph: bench-results/invitation-page-$label.svg (stacks: $folded)"

# The hottest frames, inclusive: the share of samples whose stack holds each function.
awk '{ n = $NF; $NF = ""; split($0, f, ";"); delete seen;
       for (i in f) { g = f[i]; sub(/^ +| +$/, "", g); if (!(g in seen)) { seen[g] = 1; incl[g] += n } }
       total += n }
     END { for (g in incl) printf "%5.1f%%  %s\n", 100 * incl[g] / total, g }' "$folded" |
    sort -rn | head -60
