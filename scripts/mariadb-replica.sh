#!/usr/bin/env bash
# Starts a MariaDB primary (127.0.0.1:3307, binary log) and a replica of it
# (127.0.0.1:3308, GTID replication, read_only) for the read-replica tests,
# apart from the shared server on 3306 (which runs without a binary log and
# is left alone). Data, sockets, pid files and error logs live under
# CW_REPLICA_DIR (default /var/lib/cw-replica). Idempotent: servers that
# already answer are reused, and replication is (re)started only when it is
# not running. Prints the two DSNs at the end.
#
#   scripts/mariadb-replica.sh          start (or reuse) the pair
#   scripts/mariadb-replica.sh stop     stop both servers (data is kept)
set -euo pipefail

BASE=${CW_REPLICA_DIR:-/var/lib/cw-replica}
PRIMARY_PORT=${CW_REPLICA_PRIMARY_PORT:-3307}
REPLICA_PORT=${CW_REPLICA_REPLICA_PORT:-3308}
REPL_USER=cw_repl
REPL_PASS=cw_repl_local_only

sql() { # port, statement...
	local port=$1; shift
	mariadb --no-defaults -uroot -h127.0.0.1 -P"$port" --batch --skip-column-names -e "$*"
}
answers() { mariadb-admin --no-defaults -uroot -h127.0.0.1 -P"$1" --connect-timeout=2 ping >/dev/null 2>&1; }

stop_one() { # name port
	local pidfile=$BASE/$1/run/mariadbd.pid
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		mariadb-admin --no-defaults -uroot -h127.0.0.1 -P"$2" shutdown 2>/dev/null || kill "$(cat "$pidfile")"
		for _ in $(seq 60); do kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || break; sleep 1; done
		echo "replica-pair: $1 stopped"
	fi
}

if [ "${1:-}" = stop ]; then
	stop_one replica "$REPLICA_PORT"
	stop_one primary "$PRIMARY_PORT"
	exit 0
fi

start_one() { # name port server-id extra-options...
	local name=$1 port=$2 id=$3; shift 3
	local dir=$BASE/$name
	if answers "$port"; then
		echo "replica-pair: $name on $port is up (reused)"; return 0
	fi
	if ss -ltnH "sport = :$port" | grep -q .; then
		echo "replica-pair: port $port is taken by something that is not this pair's $name" >&2; return 1
	fi
	mkdir -p "$dir/run" "$dir/log"
	if [ ! -d "$dir/data/mysql" ]; then
		echo "replica-pair: initialising $dir/data"
		mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
			--auth-root-authentication-method=normal --skip-test-db >"$dir/log/install.log" 2>&1
	fi
	setsid /usr/sbin/mariadbd --no-defaults --user=root --datadir="$dir/data" \
		--bind-address=127.0.0.1 --port="$port" --socket="$dir/run/mariadbd.sock" \
		--pid-file="$dir/run/mariadbd.pid" --log-error="$dir/log/error.log" \
		--server-id="$id" --gtid-domain-id=0 \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=48M --max-connections=200 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		"$@" </dev/null >/dev/null 2>&1 &
	for _ in $(seq 60); do
		if answers "$port"; then echo "replica-pair: $name on $port started"; return 0; fi
		sleep 1
	done
	echo "replica-pair: $name did not start; see $dir/log/error.log" >&2
	tail -n 20 "$dir/log/error.log" >&2 || true
	return 1
}

start_one primary "$PRIMARY_PORT" 1 --log-bin="$BASE/primary/data/binlog" --binlog-format=ROW --expire-logs-days=1
start_one replica "$REPLICA_PORT" 2 --read-only=1 --relay-log="$BASE/replica/data/relay"

# The replication account, kept out of the binary log (the replica has no
# use for it).
sql "$PRIMARY_PORT" "SET sql_log_bin=0; CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASS'; GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'127.0.0.1';"

status() { # field of SHOW SLAVE STATUS on the replica
	mariadb --no-defaults -uroot -h127.0.0.1 -P"$REPLICA_PORT" -e "SHOW SLAVE STATUS\G" | sed -n "s/^ *$1: //p"
}
if [ "$(status Slave_IO_Running)" = Yes ] && [ "$(status Slave_SQL_Running)" = Yes ]; then
	echo "replica-pair: replication is running (reused)"
else
	if [ -z "$(status Master_Host)" ]; then
		sql "$REPLICA_PORT" "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT, MASTER_USER='$REPL_USER', MASTER_PASSWORD='$REPL_PASS', MASTER_USE_GTID=current_pos, MASTER_CONNECT_RETRY=1;"
	fi
	sql "$REPLICA_PORT" "START SLAVE;"
	for i in $(seq 60); do
		if [ "$(status Slave_IO_Running)" = Yes ] && [ "$(status Slave_SQL_Running)" = Yes ]; then break; fi
		if [ "$i" = 60 ]; then
			echo "replica-pair: replication did not start:" >&2
			mariadb --no-defaults -uroot -h127.0.0.1 -P"$REPLICA_PORT" -e "SHOW SLAVE STATUS\G" | grep -E 'Running|Error' >&2
			exit 1
		fi
		sleep 1
	done
	echo "replica-pair: replication is running"
fi

# A write on the primary reaches the replica.
marker=$(date +%s%N)
sql "$PRIMARY_PORT" "CREATE DATABASE IF NOT EXISTS cw_replica_check; CREATE TABLE IF NOT EXISTS cw_replica_check.t (v BIGINT) ENGINE=InnoDB; INSERT INTO cw_replica_check.t VALUES ($marker);"
for i in $(seq 30); do
	if [ "$(sql "$REPLICA_PORT" "SELECT COUNT(*) FROM cw_replica_check.t WHERE v=$marker" 2>/dev/null)" = 1 ]; then break; fi
	if [ "$i" = 30 ]; then echo "replica-pair: a row written on the primary did not reach the replica" >&2; exit 1; fi
	sleep 1
done
sql "$PRIMARY_PORT" "DELETE FROM cw_replica_check.t;"
echo "replica-pair: a write on $PRIMARY_PORT reached $REPLICA_PORT"
echo "CW_TEST_DATABASE_URL='root@tcp(127.0.0.1:$PRIMARY_PORT)/cw_replica_check' CW_TEST_REPLICA_URL='root@tcp(127.0.0.1:$REPLICA_PORT)/cw_replica_check'"
