#!/usr/bin/env bash
# Installs the browser tests' npm packages (playwright-core, axe-core) from package-lock.json,
# with no install scripts: playwright-core drives Debian's chromium (/usr/bin/chromium) and
# never downloads a browser. Idempotent (a stamp of the lockfile); --force reinstalls.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
STAMP=node_modules/.plaza-install-stamp
sum() { sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1; }
if [[ "${1:-}" != "--force" && -f "$STAMP" && "$(cat "$STAMP")" == "$(sum)" ]]; then
  echo "browser/install.sh: already installed" >&2
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
sum >"$STAMP"
echo "browser/install.sh: installed playwright-core and axe-core" >&2
