#!/usr/bin/env bash
# Two creditwater processes on one MariaDB database and one Redis: a session
# made on one is valid on the other, and a logout on either ends it on both.
#   scripts/two-instances.sh            (needs MariaDB on 127.0.0.1:3306 and Redis on 6379)
set -euo pipefail
cd "$(dirname "$0")/.."
db="cw_two_$$"
bin=$(mktemp -d)/creditwater
go build -o "$bin" .
mysql -uroot -h127.0.0.1 -e "CREATE DATABASE $db CHARACTER SET utf8mb4"
export CW_DATABASE_URL="root@tcp(127.0.0.1:3306)/$db" CW_REDIS_URL="redis://127.0.0.1:6379/0" CW_REDIS_PREFIX="cwtwo$$:" \
	CW_ENV=test CW_LOG_LEVEL=warn CW_JOBS_ENABLED=false CW_METRICS_ADDR=
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; mysql -uroot -h127.0.0.1 -e "DROP DATABASE IF EXISTS $db"; }
trap cleanup EXIT
"$bin" migrate >/dev/null
CW_HTTP_ADDR=127.0.0.1:18081 "$bin" serve 2>/dev/null & pids+=($!)
sleep 2 # the first instance seeds the demo users
CW_HTTP_ADDR=127.0.0.1:18082 CW_DEMO_DATA=false "$bin" serve 2>/dev/null & pids+=($!)
for port in 18081 18082; do
	for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done
gql() { curl -s "http://127.0.0.1:$1/graphql" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
token=$(gql 18081 '{"query":"mutation{staffLogin(input:{username:\"staff\",password:\"demo-staff-pass\"}){token}}"}' |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "FAIL: no login on instance 1"; exit 1; }
me=$(gql 18082 '{"query":"{me{role}}"}' "$token")
echo "instance 2 sees: $me"
grep -q '"role":"STAFF"' <<<"$me" || { echo "FAIL: session not shared"; exit 1; }
gql 18082 '{"query":"mutation{logout{ok}}"}' "$token" >/dev/null
after=$(gql 18081 '{"query":"{me{role}}"}' "$token")
grep -q UNAUTHENTICATED <<<"$after" || { echo "FAIL: logout on 2 not seen on 1: $after"; exit 1; }
echo "PASS: a session made on instance 1 works on instance 2; logout on 2 ends it on 1"
