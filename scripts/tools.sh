# Sourced by the scripts: puts the build tools setup.sh installs first on PATH.
# wasm-opt comes from npm's binaryen (see setup.sh), kept outside the clone so it is reused.
export TURNOUT_BINARYEN="${TURNOUT_BINARYEN:-$HOME/.cache/turnout-tools/binaryen-132}"
export PATH="$TURNOUT_BINARYEN/node_modules/.bin:$HOME/.cargo/bin:$PATH"
