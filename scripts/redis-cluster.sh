#!/usr/bin/env bash
# A local Redis Cluster (three masters, no replicas, on 127.0.0.1:7001–7003)
# and a Sentinel (127.0.0.1:26379) watching a master on 127.0.0.1:7004 named
# cwmaster, for the cluster and sentinel tests. .ci/run calls it; so can a
# developer:
#
#   scripts/redis-cluster.sh         start them, or reuse them when healthy
#   scripts/redis-cluster.sh env     print the test environment for each mode
#   scripts/redis-cluster.sh stop    shut them down (SHUTDOWN NOSAVE)
#
# Nothing is persisted (--save "" --appendonly no); node and sentinel files
# live under $CW_REDIS_CLUSTER_DIR (default /tmp/cw-redis-cluster). A cluster
# that is up with cluster_state:ok and three masters is reused; anything else
# on those ports that answers is shut down and recreated from scratch.
set -euo pipefail

dir=${CW_REDIS_CLUSTER_DIR:-/tmp/cw-redis-cluster}
host=127.0.0.1
cluster_ports=(7001 7002 7003)
master_port=7004
sentinel_port=26379
master_name=cwmaster

cli() { redis-cli -h "$host" -p "$@"; }
up() { cli "$1" ping >/dev/null 2>&1; }

wait_until() { # what, tries, command...
	local what=$1 tries=$2; shift 2
	for _ in $(seq "$tries"); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	echo "redis-cluster: $what did not happen" >&2
	return 1
}

stop_port() {
	if up "$1"; then cli "$1" shutdown nosave >/dev/null 2>&1 || true; fi
	wait_until "port $1 to close" 20 bash -c "! redis-cli -h $host -p $1 ping"
}

# cluster_ok: every node is up, sees cluster_state:ok and three masters
# (no replicas) cover the 16384 slots.
cluster_ok() {
	local p info
	for p in "${cluster_ports[@]}"; do
		info=$(cli "$p" cluster info 2>/dev/null) || return 1
		grep -q '^cluster_state:ok' <<<"$info" || return 1
		grep -q '^cluster_slots_assigned:16384' <<<"$info" || return 1
		grep -q '^cluster_known_nodes:3' <<<"$info" || return 1
	done
}

start_cluster() {
	if cluster_ok; then
		echo "redis-cluster: cluster on ${cluster_ports[*]} is up, reusing it"
		return
	fi
	echo "redis-cluster: creating the cluster on ${cluster_ports[*]}"
	local p
	for p in "${cluster_ports[@]}"; do stop_port "$p"; done
	mkdir -p "$dir"
	for p in "${cluster_ports[@]}"; do
		rm -f "$dir/nodes-$p.conf"
		mkdir -p "$dir/$p"
		redis-server --bind "$host" --port "$p" --cluster-enabled yes --cluster-config-file "$dir/nodes-$p.conf" \
			--cluster-node-timeout 5000 --save "" --appendonly no --dir "$dir/$p" --logfile "$dir/redis-$p.log" --daemonize yes
	done
	for p in "${cluster_ports[@]}"; do wait_until "redis on $p to answer" 40 up "$p"; done
	local addrs=()
	for p in "${cluster_ports[@]}"; do addrs+=("$host:$p"); done
	redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 ||
		{ cat "$dir/create.log" >&2; return 1; }
	wait_until "cluster_state:ok on every node" 60 cluster_ok
	echo "redis-cluster: cluster is up"
}

sentinel_ok() {
	local addr
	addr=$(cli "$sentinel_port" sentinel get-master-addr-by-name "$master_name" 2>/dev/null | tr '\n' ' ') || return 1
	[ "$addr" = "$host $master_port " ] && up "$master_port"
}

start_sentinel() {
	if sentinel_ok; then
		echo "redis-cluster: sentinel on $sentinel_port watching $master_name ($master_port) is up, reusing it"
		return
	fi
	echo "redis-cluster: starting the sentinel on $sentinel_port and its master $master_name on $master_port"
	stop_port "$sentinel_port"
	stop_port "$master_port"
	mkdir -p "$dir/$master_port" "$dir/sentinel"
	redis-server --bind "$host" --port "$master_port" --save "" --appendonly no --dir "$dir/$master_port" \
		--logfile "$dir/redis-$master_port.log" --daemonize yes
	wait_until "redis on $master_port to answer" 40 up "$master_port"
	# Sentinel rewrites its configuration file: it gets a fresh one.
	cat >"$dir/sentinel/sentinel.conf" <<-EOF
		bind $host
		port $sentinel_port
		daemonize yes
		dir $dir/sentinel
		logfile $dir/sentinel.log
		sentinel monitor $master_name $host $master_port 1
		sentinel down-after-milliseconds $master_name 5000
	EOF
	redis-server "$dir/sentinel/sentinel.conf" --sentinel
	wait_until "the sentinel to know $master_name" 40 sentinel_ok
	echo "redis-cluster: sentinel is up"
}

print_env() {
	local addrs="" p
	for p in "${cluster_ports[@]:1}"; do addrs+="${addrs:+&}addr=$host:$p"; done
	echo "# Redis Cluster:"
	echo "CW_TEST_REDIS_MODE=cluster CW_TEST_REDIS_URL='redis://$host:${cluster_ports[0]}?$addrs'"
	echo "# Sentinel:"
	echo "CW_TEST_REDIS_MODE=sentinel CW_TEST_REDIS_URL='redis://$host:$sentinel_port/0?master_name=$master_name'"
}

case ${1:-start} in
start)
	command -v redis-server >/dev/null || { echo "redis-cluster: redis-server is not installed" >&2; exit 1; }
	start_cluster
	start_sentinel
	;;
env) print_env ;;
stop)
	for p in "$sentinel_port" "$master_port" "${cluster_ports[@]}"; do stop_port "$p"; done
	echo "redis-cluster: stopped"
	;;
*)
	echo "usage: $0 [start|env|stop]" >&2
	exit 2
	;;
esac
