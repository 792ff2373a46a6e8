#!/usr/bin/env bash
# Browser tests of the staff console (R8.2) against the real binary on
# MariaDB + Redis: builds creditwater, starts it on a fresh database with the
# demo data, runs e2e/run.mjs (headless Debian Chromium through
# playwright-core) and stops the server. Screenshots go to e2e/screenshots/.
# Needs: MariaDB at 127.0.0.1:3306 (root), Redis at 127.0.0.1:6379,
# /usr/bin/chromium, and `npm ci` done in console/. CW_E2E_PORT, CW_E2E_DB and
# CW_E2E_REDIS_DB (defaults 18180, cw_console_e2e, 14) let runs side by side
# use their own server, database and Redis database.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${CW_E2E_PORT:-18180}"
db="${CW_E2E_DB:-cw_console_e2e}"
rdb="${CW_E2E_REDIS_DB:-14}"
work="$(mktemp -d)"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:--buildvcs=false}"

(cd "$root" && go build -o "$work/creditwater" .)
mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
redis-cli -h 127.0.0.1 -p 6379 -n "$rdb" FLUSHDB >/dev/null

env -i PATH="$PATH" HOME="$work" CW_ENV=development CW_DEMO_DATA=true CW_DATA_DIR="$work/data" \
	CW_DATABASE_URL="root@tcp(127.0.0.1:3306)/$db" CW_REDIS_URL="redis://127.0.0.1:6379/$rdb" \
	CW_HTTP_ADDR="127.0.0.1:$port" CW_METRICS_ADDR= CW_LOG_LEVEL=warn \
	"$work/creditwater" serve >"$work/server.log" 2>&1 &
pid=$!
stop() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db;" || true
	rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 120); do
	if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log" >&2; echo "e2e: the server did not start" >&2; exit 1; fi
	sleep 0.5
done
# The demo data is seeded after the server answers: wait for the staff user.
for _ in $(seq 120); do
	if curl -fsS -H 'Content-Type: application/json' -d '{"query":"mutation{staffLogin(input:{username:\"staff\",password:\"demo-staff-pass\"}){token}}"}' "http://127.0.0.1:$port/graphql" | grep -q token; then break; fi
	sleep 0.5
done
status=0
CW_E2E_BASE="http://127.0.0.1:$port" node "$here/run.mjs" || status=$?
if [ "$status" -ne 0 ]; then tail -50 "$work/server.log" >&2; fi
exit "$status"
