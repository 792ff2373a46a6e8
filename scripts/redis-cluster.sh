#!/usr/bin/env bash
# A local Redis Cluster (three masters, no replicas, on 127.0.0.1:7001–7003)
# and a Sentinel (127.0.0.1:26379) watching a master named cwmaster with one
# replica (127.0.0.1:7004 and 7005; after a failover the roles are swapped),
# for the cluster, sentinel and failover tests. .ci/run calls it; so can a
# developer:
#
#   scripts/redis-cluster.sh         start them, or reuse them when healthy
#   scripts/redis-cluster.sh env     print the test environment for each mode
#   scripts/redis-cluster.sh stop    shut them down (SHUTDOWN NOSAVE)
#
# Nothing is persisted (save "", appendonly no); node and sentinel files
# live under $CW_REDIS_CLUSTER_DIR (default /tmp/cw-redis-cluster). A cluster
# that is up with cluster_state:ok and three masters is reused, and so is a
# Sentinel that names either node as the master while the other replicates
# it in sync; anything else on those ports that answers is shut down and
# recreated from scratch.
set -euo pipefail

dir=${CW_REDIS_CLUSTER_DIR:-/tmp/cw-redis-cluster}
host=127.0.0.1
cluster_ports=(7001 7002 7003)
master_port=7004
replica_port=7005
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

# The sentinel setup: two data nodes, one master and one replica of it,
# watched by one Sentinel. Either node may be the master — a failover (the
# failover test forces one) swaps the roles, and a setup with swapped roles
# is as healthy as a fresh one.
sentinel_master() { # prints the port the Sentinel names as cwmaster's master
	local addr
	addr=$(cli "$sentinel_port" sentinel get-master-addr-by-name "$master_name" 2>/dev/null | tr '\n' ' ') || return 1
	case $addr in
	"$host $master_port ") echo "$master_port" ;;
	"$host $replica_port ") echo "$replica_port" ;;
	*) return 1 ;;
	esac
}

# sentinel_ok: the Sentinel names one of the two nodes as the master, that
# node is a master, the other replicates it with its link up and in sync
# (the master counts it online), and the Sentinel lists that replica with
# no failure flags (so a failover can promote it).
sentinel_ok() {
	local m r info
	m=$(sentinel_master) || return 1
	r=$replica_port
	[ "$m" = "$replica_port" ] && r=$master_port
	info=$(cli "$m" info replication 2>/dev/null) || return 1
	grep -q '^role:master' <<<"$info" || return 1
	grep -q "^slave0:ip=$host,port=$r,state=online" <<<"$info" || return 1
	info=$(cli "$r" info replication 2>/dev/null) || return 1
	grep -q '^role:slave' <<<"$info" || return 1
	grep -q "^master_port:$m" <<<"$info" || return 1
	grep -q '^master_link_status:up' <<<"$info" || return 1
	cli "$sentinel_port" sentinel replicas "$master_name" 2>/dev/null | tr -d '\r' | awk -v want="$host:$r" '
		NR % 2 == 1 { k = $0; next }
		k == "name" { name = $0 }
		k == "flags" && name == want && $0 == "slave" { flags = 1 }
		k == "master-link-status" && name == want && $0 == "ok" { link = 1 }
		END { exit !(flags && link) }'
}

# sentinel_master_up: the node the Sentinel names as the master is a master.
sentinel_master_up() {
	local m
	m=$(sentinel_master) && [ "$(cli "$m" role 2>/dev/null | head -1)" = master ]
}

start_sentinel() {
	# Right after a failover the old master is still a master; the Sentinel
	# makes it a replica of the new one about 10 s later and sees it in
	# sync at its next INFO (every 10 s): a Sentinel that names a live
	# master is given 30 s to get there before all is recreated.
	if sentinel_ok || { sentinel_master_up && wait_until "the replica to sync" 60 sentinel_ok 2>/dev/null; }; then
		local m
		m=$(sentinel_master)
		echo "redis-cluster: sentinel on $sentinel_port watching $master_name (master $m, replica $((master_port + replica_port - m))) is up, reusing it"
		return
	fi
	echo "redis-cluster: starting the sentinel on $sentinel_port, its master $master_name on $master_port and a replica on $replica_port"
	stop_port "$sentinel_port"
	stop_port "$replica_port"
	stop_port "$master_port"
	mkdir -p "$dir/$master_port" "$dir/$replica_port" "$dir/sentinel"
	local p
	for p in "$master_port" "$replica_port"; do
		# Sentinel rewrites a node's configuration when it changes its role:
		# each node gets a fresh file to rewrite.
		cat >"$dir/$p/redis.conf" <<-EOF
			bind $host
			port $p
			save ""
			appendonly no
			dir $dir/$p
			logfile $dir/redis-$p.log
			daemonize yes
		EOF
		[ "$p" = "$replica_port" ] && echo "replicaof $host $master_port" >>"$dir/$p/redis.conf"
		redis-server "$dir/$p/redis.conf"
		wait_until "redis on $p to answer" 40 up "$p"
	done
	wait_until "the replica on $replica_port to sync with $master_port" 40 \
		bash -c "redis-cli -h $host -p $replica_port info replication | grep -q '^master_link_status:up'"
	# Sentinel rewrites its configuration file: it gets a fresh one. One
	# Sentinel, quorum 1; a master silent for 2 s is down and a failover
	# has 10 s, so a forced failover (SENTINEL FAILOVER) ends in seconds.
	cat >"$dir/sentinel/sentinel.conf" <<-EOF
		bind $host
		port $sentinel_port
		daemonize yes
		dir $dir/sentinel
		logfile $dir/sentinel.log
		sentinel monitor $master_name $host $master_port 1
		sentinel down-after-milliseconds $master_name 2000
		sentinel failover-timeout $master_name 10000
		sentinel parallel-syncs $master_name 1
		sentinel known-replica $master_name $host $replica_port
	EOF
	redis-server "$dir/sentinel/sentinel.conf" --sentinel
	wait_until "the sentinel to know $master_name and its replica" 60 sentinel_ok
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
	for p in "$sentinel_port" "$replica_port" "$master_port" "${cluster_ports[@]}"; do stop_port "$p"; done
	echo "redis-cluster: stopped"
	;;
*)
	echo "usage: $0 [start|env|stop]" >&2
	exit 2
	;;
esac
