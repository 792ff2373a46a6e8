#!/usr/bin/env bash
# GraphQL-over-HTTP conformance: builds creditwater, starts it on the
# embedded defaults (SQLite + in-process Redis, a fresh data dir) on a free
# loopback port, waits for /readyz, runs every graphql-http server audit
# against /graphql (audit.mjs exits non-zero unless all pass) and stops it.
#   scripts/graphql-http-audit/run.sh        (needs Go, Node.js >= 18 and npm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/creditwater" .
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

# Port 0: the kernel picks a free port; the "serving" log line names it.
env -u CW_DATABASE_URL -u CW_REDIS_URL CW_ENV=test CW_DATA_DIR="$work/data" CW_HTTP_ADDR=127.0.0.1:0 CW_METRICS_ADDR= \
	CW_JOBS_ENABLED=false CW_LOG_LEVEL=info "$work/creditwater" serve 2>"$work/log" &
pid=$!
addr=""
for _ in $(seq 300); do
	addr=$(sed -n 's/.*"msg":"serving","addr":"\([^"]*\)","metrics":false.*/\1/p' "$work/log" | head -n1)
	if [ -n "$addr" ] && curl -fs "http://$addr/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$work/log" >&2; echo "graphql-http audit: the server exited" >&2; exit 1; fi
	addr=""
	sleep 0.2
done
if [ -z "$addr" ]; then tail -n 20 "$work/log" >&2; echo "graphql-http audit: the server did not become ready" >&2; exit 1; fi
node "$here/audit.mjs" "http://$addr/graphql"
