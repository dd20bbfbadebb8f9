#!/usr/bin/env bash
# End-to-end check of the local Bluesky test network with curl + jq: starts net.mjs, then walks
# through the flow Plaza relies on (app-password login, post, reply, indexing, thread, delete,
# follow, profile, refresh) and stops the network again. Needs PLAZA_BSKY_POSTGRES.
#   PLAZA_BSKY_POSTGRES=postgres://plaza@127.0.0.1:55432/postgres tests/bluesky/smoke.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${PLAZA_BSKY_POSTGRES:?set PLAZA_BSKY_POSTGRES to a postgres URL}"
for tool in curl jq; do command -v $tool >/dev/null || { echo "smoke.sh: needs $tool" >&2; exit 1; }; done

WORK=$(mktemp -d /tmp/plaza-bsky-smoke.XXXXXX)
READY="$WORK/ready.json"
mkfifo "$WORK/net.out"
PLAZA_BSKY_READY_FILE="$READY" "$HERE/start.sh" >"$WORK/net.out" 2>"$WORK/net.log" &
NET_PID=$!
stop() {
  if kill -0 "$NET_PID" 2>/dev/null; then kill -TERM "$NET_PID"; wait "$NET_PID" || true; fi
  rm -rf "$WORK"
}
trap stop EXIT

# Block on the network's one stdout line, "ready" (end of file if it dies), up to 120 s.
if ! read -r -t 120 line <"$WORK/net.out" || [[ "$line" != ready ]]; then
  echo "smoke.sh: network did not become ready; its log:" >&2; cat "$WORK/net.log" >&2; exit 1
fi

PDS=$(jq -r .pds_url "$READY"); AV=$(jq -r .appview_url "$READY"); CTL=$(jq -r .control_url "$READY")
passed=0; failed=0
check() { # check NAME JSON JQ-EXPR
  if jq -e "$3" >/dev/null <<<"$2"; then passed=$((passed + 1)); echo "ok   $1";
  else failed=$((failed + 1)); echo "FAIL $1: $2" | head -c 2000; echo; fi
}
now() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
enc() { jq -rn --arg v "$1" '$v|@uri'; }
xpost() { # xpost NSID TOKEN JSON  (TOKEN may be empty)
  curl -sS -X POST "$PDS/xrpc/$1" -H 'content-type: application/json' \
    ${2:+-H "authorization: Bearer $2"} ${3:+--data "$3"}; }
appview() { curl -sS "$AV/xrpc/$1"; }
index() { curl -sS -f -X POST "$CTL/process-all" >/dev/null; }

city_sess=$(xpost com.atproto.server.createSession "" \
  "$(jq -c '{identifier: .city.handle, password: .city.app_password}' "$READY")")
check "city createSession with app password" "$city_sess" '.accessJwt and .refreshJwt and .did'
res_sess=$(xpost com.atproto.server.createSession "" \
  "$(jq -c '{identifier: .resident.handle, password: .resident.password}' "$READY")")
check "resident createSession" "$res_sess" '.accessJwt and .did'
CT=$(jq -r .accessJwt <<<"$city_sess"); CDID=$(jq -r .did <<<"$city_sess")
RT=$(jq -r .accessJwt <<<"$res_sess"); RDID=$(jq -r .did <<<"$res_sess")

post=$(xpost com.atproto.repo.createRecord "$CT" "$(jq -cn --arg r "$CDID" --arg t "$(now)" \
  '{repo: $r, collection: "app.bsky.feed.post",
    record: {"$type": "app.bsky.feed.post", text: "Smoke test post", createdAt: $t}}')")
check "city createRecord post" "$post" '.uri and .cid'
PU=$(jq -r .uri <<<"$post"); PC=$(jq -r .cid <<<"$post")

reply=$(xpost com.atproto.repo.createRecord "$RT" "$(jq -cn --arg r "$RDID" --arg t "$(now)" \
  --arg u "$PU" --arg c "$PC" '{repo: $r, collection: "app.bsky.feed.post",
    record: {"$type": "app.bsky.feed.post", text: "Smoke test reply", createdAt: $t,
             reply: {root: {uri: $u, cid: $c}, parent: {uri: $u, cid: $c}}}}')")
check "resident reply" "$reply" '.uri and .cid'
RU=$(jq -r .uri <<<"$reply")

index
thread=$(appview "app.bsky.feed.getPostThread?uri=$(enc "$PU")")
check "appview thread shows reply (no auth)" "$thread" \
  ".thread.post.replyCount == 1 and (.thread.replies | map(.post.uri) == [\"$RU\"])"
proxied=$(curl -sS "$PDS/xrpc/app.bsky.feed.getPostThread?uri=$(enc "$PU")" -H "authorization: Bearer $CT")
check "thread via PDS proxy (bearer)" "$proxied" ".thread.replies | length == 1"
check "PDS without auth is refused" \
  "$(curl -sS "$PDS/xrpc/app.bsky.feed.getPostThread?uri=$(enc "$PU")")" '.error == "AuthMissing"'

del=$(xpost com.atproto.repo.deleteRecord "$RT" "$(jq -cn --arg r "$RDID" --arg k "${RU##*/}" \
  '{repo: $r, collection: "app.bsky.feed.post", rkey: $k}')")
check "resident deleteRecord" "$del" '.commit.rev'
index
thread=$(appview "app.bsky.feed.getPostThread?uri=$(enc "$PU")")
check "deleted reply is gone from thread" "$thread" '.thread.post.replyCount == 0 and .thread.replies == []'
check "deleted reply's own thread is NotFound" \
  "$(appview "app.bsky.feed.getPostThread?uri=$(enc "$RU")")" '.error == "NotFound"'

follow=$(xpost com.atproto.repo.createRecord "$RT" "$(jq -cn --arg r "$RDID" --arg s "$CDID" \
  --arg t "$(now)" '{repo: $r, collection: "app.bsky.graph.follow",
    record: {"$type": "app.bsky.graph.follow", subject: $s, createdAt: $t}}')")
check "resident follows city" "$follow" '.uri'
index
check "getFollowers lists resident" "$(appview "app.bsky.graph.getFollowers?actor=$(enc "$CDID")")" \
  ".followers | map(.did) == [\"$RDID\"]"
check "getProfile" "$(appview "app.bsky.actor.getProfile?actor=city.test")" \
  ".did == \"$CDID\" and .followersCount == 1 and .postsCount == 1"
check "getAuthorFeed" "$(appview "app.bsky.feed.getAuthorFeed?actor=$(enc "$CDID")")" \
  ".feed | map(.post.uri) == [\"$PU\"]"

refreshed=$(curl -sS -X POST "$PDS/xrpc/com.atproto.server.refreshSession" \
  -H "authorization: Bearer $(jq -r .refreshJwt <<<"$city_sess")")
check "refreshSession" "$refreshed" ".accessJwt and .refreshJwt and .did == \"$CDID\""
check "new access token works" "$(curl -sS "$PDS/xrpc/com.atproto.server.getSession" \
  -H "authorization: Bearer $(jq -r .accessJwt <<<"$refreshed")")" ".did == \"$CDID\""

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
