#!/usr/bin/env bash
# Measures the WebAssembly and JavaScript a candidate's browser downloads (brotli, as served
# from the precompressed release site) and writes bench-results/bundle.md. Fails when the
# invitation page's part is over its 100 KB budget. Run after
# `cargo leptos build --release --precompress --split`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pkg="${LEPTOS_SITE_ROOT:-$root/target/site}/pkg"
budget=$((100 * 1024))

size() { stat -c %s "$1"; }
main_files=("$pkg/turnout.wasm.br" "$pkg/turnout.js.br")
for f in "$pkg"/__wasm_split*.js.br; do [ -e "$f" ] && main_files+=("$f"); done
lazy_files=()
for f in "$pkg"/split_*.wasm.br; do [ -e "$f" ] && lazy_files+=("$f"); done
for f in "${main_files[@]}"; do [ -e "$f" ] || { echo "missing $f: build with --precompress --split first" >&2; exit 1; }; done

main=0; for f in "${main_files[@]}"; do main=$((main + $(size "$f"))); done
lazy=0; for f in "${lazy_files[@]}"; do lazy=$((lazy + $(size "$f"))); done

out="$root/bench-results/bundle.md"
{
  echo "# Browser bundle (release, brotli as served)"
  echo
  echo "Measured by \`scripts/bundle-size.sh\` on $(date -u +%Y-%m-%d)."
  echo
  echo "| File | Raw bytes | Brotli bytes | Loaded on |"
  echo "|---|---:|---:|---|"
  for f in "${main_files[@]}"; do
    echo "| \`$(basename "${f%.br}")\` | $(size "${f%.br}") | $(size "$f") | every page |"
  done
  for f in "${lazy_files[@]}"; do
    echo "| \`$(basename "${f%.br}")\` | $(size "${f%.br}") | $(size "$f") | the device check page only (lazy) |"
  done
  echo
  echo "- Invitation page (wasm + JS): **$main bytes** ($(( (main + 1023) / 1024 )) KB); budget $budget bytes (100 KB)."
  echo "- Device check page adds: $lazy bytes ($(( (lazy + 1023) / 1024 )) KB), loaded when the check's island hydrates."
} > "$out"
cat "$out"
if [ "$main" -gt "$budget" ]; then
  echo "over budget: the invitation page downloads $main bytes of wasm + JS (budget $budget)" >&2
  exit 1
fi
