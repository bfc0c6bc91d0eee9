#!/usr/bin/env bash
# Installs what building and running Turnout needs, skipping whatever is already there.
#   scripts/setup.sh         build tools: wasm32 target, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/setup.sh --test  also Chromium, PostgreSQL, aiosmtpd and the Playwright packages
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
# shellcheck source=scripts/tools.sh
. "$root/scripts/tools.sh"

CARGO_LEPTOS_VERSION=0.3.10
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$root/Cargo.lock")"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 30 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# wasm-opt from npm's binaryen 132, not Debian's 108: the split build hands wasm-opt modules
# that keep their linker sections, and 108 then points wasm-bindgen's value table export at
# the function table, so the page's WebAssembly fails to start.
if [ ! -x "$TURNOUT_BINARYEN/node_modules/.bin/wasm-opt" ]; then
  say "installing wasm-opt from npm (binaryen 132) into $TURNOUT_BINARYEN"
  mkdir -p "$TURNOUT_BINARYEN"
  npm install --silent --no-audit --no-fund --prefix "$TURNOUT_BINARYEN" binaryen@132.0.0
fi

if [ "$want_test" = 1 ]; then
  apt_install chromium postgresql fonts-noto-cjk
  # The reminder tests and benchmark run a real SMTP server: aiosmtpd (Debian's package, or
  # PyPI's in a venv under ~/.cache where Debian's is not available).
  aiosmtpd_venv="$HOME/.cache/turnout-aiosmtpd"
  if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 && ! "$aiosmtpd_venv/bin/python3" -c 'import aiosmtpd' >/dev/null 2>&1; then
    if ! { command -v apt-get >/dev/null 2>&1 && apt_install python3-aiosmtpd; }; then
      say "installing aiosmtpd from PyPI into $aiosmtpd_venv"
      python3 -m venv "$aiosmtpd_venv"
      "$aiosmtpd_venv/bin/pip" install --quiet aiosmtpd
    fi
  fi
  if [ ! -d "$root/end2end/node_modules/@playwright/test" ]; then
    say "installing the Playwright test runner (no browser download: Debian's Chromium is used)"
    (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  fi
fi
say "ready"
