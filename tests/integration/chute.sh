#!/usr/bin/env bash
# Chutes end to end with real crun: lifecycle, network (home, internet,
# port forward, isolation), limits (memory hog restarted by policy, fork
# bomb, CPU hog), bad input refused leaving nothing, adoption across a
# hearthd restart. Chute names carry this run's pid so that their
# /run/netns files cannot meet another run's.
source "$(dirname "$0")/../lib/prologue.sh" chute.sh ip ping curl jq nsenter crun umoci busybox promtool

sfx=$(($$ % 100000))
WEB=web$sfx HOG=hog$sfx BOMB=bomb$sfx CPU=cpu$sfx PEER=peer$sfx

chute_dir=$(mktemp -d)
cleanup() {
	local d name
	if [[ -d $chute_dir ]]; then
		for d in "$chute_dir"/*/; do
			[[ -d $d ]] || continue
			name=$(basename "$d")
			hearth_cli chute remove "$name" >/dev/null 2>&1
			crun --root="$HEARTH_RUN_DIR/crun" delete -f "hearth-$name" >/dev/null 2>&1
			ip netns del "hearth-$name" 2>/dev/null
		done
	fi
	topo_destroy
	rm -rf "$chute_dir"
}
trap cleanup EXIT

gateway_up "nat masquerade" "chute-dir $chute_dir" "chute-pool 10.213.0.0/24"
bb() { "$here/../../sandbox/examples/busybox-chute.sh" "$@"; }
# a bundle whose process is ARGS (a shell command), other annotations after
bundle_cmd() {
	local dir=$1 cmd=$2
	shift 2
	bb "$dir" io.hearth.forward= "$@" >/dev/null # the web chute has WAN 8080
	jq --arg c "$cmd" '.process.args = ["/bin/sh", "-c", $c]' "$dir/config.json" >"$dir/c" &&
		mv "$dir/c" "$dir/config.json"
}
status() { hearth_cli -j chute status "$1"; }
left_behind() { ls -A "$chute_dir" | grep -v -e '^\.\?lock$' | grep -c "$1"; }
cgroup_file() { # cgroup_file PID CONTROLLER FILE
	local rel
	rel=$(awk -F: -v c="$2" '$2 ~ "(^|,)" c "(,|$)" { print $3 }' "/proc/$1/cgroup")
	if [[ -n $rel ]]; then
		echo "/sys/fs/cgroup/$2/$rel/$3"
	else
		echo "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")/$3"
	fi
}

# --- bad input: refused, with nothing left behind --------------------------
bb "$work/web" >/dev/null
refuse() { # refuse NAME MESSAGE_PART hearth-args...
	local what=$1 part=$2 out
	shift 2
	out=$(hearth_cli chute "$@" 2>&1)
	local rc=$?
	t_check "refused: $what ($out)" bash -c "[[ $rc -ne 0 && \"\$1\" == *\"$part\"* ]]" _ "$out"
}
refuse "name with /" "bad chute name" install "a/b" "$work/web"
refuse "name with .." "bad chute name" install ".." "$work/web"
refuse "missing bundle" "no such bundle" install "x$sfx" "$work/nothing"
mkdir -p "$work/empty"
refuse "no config.json" "config.json: missing" install "x$sfx" "$work/empty"
bb "$work/badjson" >/dev/null && echo '{ "ociVersion": ' >"$work/badjson/config.json"
refuse "invalid config.json" "not valid JSON" install "x$sfx" "$work/badjson"
bb "$work/caps" >/dev/null
jq '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' "$work/caps/config.json" >"$work/c" &&
	mv "$work/c" "$work/caps/config.json"
refuse "CAP_SYS_ADMIN" "process.capabilities.bounding: CAP_SYS_ADMIN" install "x$sfx" "$work/caps"
bb "$work/hostns" >/dev/null
jq '.linux.namespaces = [{"type": "network", "path": "/proc/1/ns/net"}]' "$work/hostns/config.json" \
	>"$work/c" && mv "$work/c" "$work/hostns/config.json"
refuse "host namespace" "linux.namespaces" install "x$sfx" "$work/hostns"
bb "$work/anno" io.hearth.memory=12Q >/dev/null
refuse "bad annotation value" "annotations.io.hearth.memory" install "x$sfx" "$work/anno"
bb "$work/anno2" io.hearth.colour=blue >/dev/null
refuse "unknown annotation" "io.hearth.colour" install "x$sfx" "$work/anno2"
refuse "bad override" "pids" install "x$sfx" "$work/web" pids lots
bb "$work/farids" >/dev/null && chown 70000 "$work/farids/rootfs/bin"
refuse "a rootfs file owned beyond the chute's 65536 ids" "owner 70000:0 is beyond the 65536 ids" \
	install "x$sfx" "$work/farids"
refuse "start of a missing chute" "no chute" start "nothere$sfx"
# an OCI image layout, unpacked with umoci
umoci init --layout "$work/img" && umoci new --image "$work/img:v1" &&
	umoci insert --image "$work/img:v1" "$work/web/rootfs" / >/dev/null &&
	umoci config --image "$work/img:v1" --config.cmd /bin/chute-main \
		--config.label io.hearth.memory=24M >/dev/null
refuse "an image layout without that tag" "tag is not found" install "x$sfx" "$work/img:nosuch"
t_check "install from an OCI image layout" hearth_cli chute install "img$sfx" "$work/img:v1" memory 24M
t_jq "  with its settings" '.settings.memory == 25165824 and .state == "stopped"' \
	"$(status "img$sfx")"
t_check "  and removed again" hearth_cli chute remove "img$sfx"
t_cmp "nothing left behind by refused installs" "$(ls -A "$chute_dir" | grep -c "x$sfx\|install")" -eq 0

# --- a long install runs off hearthd's loop --------------------------------
bb "$work/big" >/dev/null
mkdir -p "$work/big/rootfs/many" && (cd "$work/big/rootfs/many" && seq 1 120000 | xargs touch)
t0=$(date +%s%N)
hearth_cli chute install "big$sfx" "$work/big" >/dev/null 2>&1 &
installer=$!
sleep 0.3
hello=$(/usr/bin/python3 "$here/../lib/api_probe.py" "$HEARTH_RUN_DIR/hearthd.sock" send '{"v":1,"verb":"api.hello"}')
wait "$installer"; rc=$?
took=$((($(date +%s%N) - t0) / 1000000))
t_check "an install of 120000 files succeeds ($took ms)" test "$rc" -eq 0
if ((took < 1000)); then
	t_skip "while an install runs, other clients are served" "the install took only $took ms"
else
	t_jq "while the $took ms install runs, another client is answered at once ($(jq .seconds <<<"$hello") s)" \
		'.answer.ok and .seconds < 0.5' "$hello"
fi
hearth_cli chute remove "big$sfx" >/dev/null
rm -rf "$work/big"

# --- install, start, network ----------------------------------------------
t_check "install $WEB" hearth_cli chute install "$WEB" "$work/web"
refuse "a second install under the same name" "already installed" install "$WEB" "$work/web"
t0=$(date +%s%N)
t_check "start $WEB" hearth_cli chute start "$WEB"
echo "  start took $((($(date +%s%N) - t0) / 1000000)) ms (CLI, to the process running)"
refuse "starting a running chute" "already running" start "$WEB"
st=$(status "$WEB")
t_jq "status: running with an address from the pool" \
	'.state == "running" and (.address | startswith("10.213.0.")) and .pid > 0' "$st"
addr=$(jq -r .address <<<"$st")
t_check "a home host reaches the chute's service" \
	wait_for 5 bash -c "ip netns exec $NS_H1 curl -sf -m 2 http://$addr/ | grep -q 'demo chute'"
t_check "the internet reaches it through its port forward (WAN 8080 -> 80)" \
	bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
t_check "the chute reaches the internet (NATed)" \
	ip netns exec "hearth-$WEB" ping -c 2 -W 1 "$SERVER_V4"
before=$(counter "hc-$WEB" chute-isolated)
t_check "the chute cannot reach a home host" \
	bash -c "! ip netns exec hearth-$WEB ping -c 2 -W 1 $H1_V4"
t_check "the chute cannot open a TCP connection to a home host" \
	bash -c "! ip netns exec hearth-$WEB busybox nc -w 1 $H1_V4 22 </dev/null"
t_cmp "chute-isolated counted" "$(counter "hc-$WEB" chute-isolated)" -ge $((before + 2))
bb "$work/peer" io.hearth.forward= >/dev/null
hearth_cli chute install "$PEER" "$work/peer" >/dev/null
# the start's output read through a pipe: it ends when the CLI does, not
# when the chute does (nothing of the caller's is kept by the chute)
out=$(timeout 20 nsenter --net="/run/netns/$NS_GW" "$HEARTH_BUILD/hearth" chute start "$PEER" | cat); rc=$?
t_check "out=\$(hearth chute start $PEER) returns at once ($out)" \
	bash -c "[[ $rc -eq 0 && \"\$1\" == 'chute $PEER started' ]]" _ "$out"
mon=$(cut -d' ' -f1 "$chute_dir/$PEER/monitor.pid")
t_check "  its monitor's stdio is /dev/null, no other file of its starter's is open" \
	bash -c "for fd in 0 1 2; do [[ \$(readlink /proc/$mon/fd/\$fd) == /dev/null ]] || exit 1; done
		! ls -l /proc/$mon/fd | grep -q -e hearthd.log -e pipe: -e socket:"
t_check "one chute cannot reach another" \
	bash -c "! ip netns exec hearth-$PEER ping -c 2 -W 1 $addr"
st=$(status "$WEB")
t_jq "traffic counted under the chute's tenant" \
	'.tenant == "chute-'"$WEB"'" and .up.bytes > 0 and .down.bytes > 0' "$st"
t_jq "the tenant is in tenant show" '[.tenants[].name] | index("chute-'"$WEB"'") != null' \
	"$(hearth_cli -j tenant show)"
t_check "logs show the chute's output" grep -q 'serving on port 80' <<<"$(hearth_cli chute logs "$WEB")"
metrics=$(nsx "$NS_GW" curl -sS --max-time 3 http://127.0.0.1:9477/metrics)
t_check "/metrics: the chutes, promtool passes" bash -c "promtool check metrics <<<\"\$1\"" _ "$metrics"
t_check "  $WEB running" grep -qx "hearth_chute_state{chute=\"$WEB\",state=\"running\"} 1" <<<"$metrics"
t_check "  its restarts" grep -qx "hearth_chute_restarts_total{chute=\"$WEB\"} 0" <<<"$metrics"
t_check "  its CPU time, from its cgroup" \
	grep -Eq "^hearth_chute_cpu_seconds_total\{chute=\"$WEB\"\} [0-9.]*[1-9]" <<<"$metrics"
t_check "  its memory, from its cgroup" \
	grep -Eq "^hearth_chute_memory_bytes\{chute=\"$WEB\"\} [1-9][0-9]{4,}" <<<"$metrics"
t_check "the sensor writes into the data directory" \
	wait_for 5 test -s "$chute_dir/$WEB/data/readings/log"

# --- seccomp: hearth's default profile ---------------------------------------
# a command in the chute as hearth runs crun (hybrid cgroups: unified mount
# hidden); crun exec applies the chute's profile, nsenter would not
chute_exec() { # chute_exec NAME CMD...
	local name=$1
	shift
	unshare -m --propagation private sh -c \
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' _ \
		crun --root="$HEARTH_RUN_DIR/crun" exec "hearth-$name" "$@"
}
t_check "seccomp: the chute's process runs under a filter (Seccomp: 2)" \
	grep -qE '^Seccomp:[[:space:]]+2$' "/proc/$(status "$WEB" | jq .pid)/status"
if busybox unshare -U true 2>/dev/null; then
	out=$(chute_exec "$WEB" /bin/busybox unshare -U true 2>&1)
	rc=$?
	t_check "seccomp: unshare -U works on the host, refused in the chute ($out)" \
		bash -c '[[ $1 -ne 0 && $2 == *"Operation not permitted"* ]]' _ "$rc" "$out"
else
	t_skip "seccomp: unshare -U refused in the chute" "user namespaces are off on this host"
fi

# --- user namespace: root in the chute is a block of ids of its own --------
base=$(status "$WEB" | jq .id_base)
wpid=$(status "$WEB" | jq .pid)
t_check "the chute's root is uid $base on the gateway, not 0" \
	grep -qE "^Uid:[[:space:]]+$base[[:space:]]+$base[[:space:]]" "/proc/$wpid/status"
t_check "  ids 0-65535 in the chute map to its block" \
	grep -qE "^[[:space:]]*0[[:space:]]+$base[[:space:]]+65536$" "/proc/$wpid/uid_map"
t_cmp "  the sensor's readings belong to it" "$(stat -c %u "$chute_dir/$WEB/data/readings/log")" -eq "$base"
t_check "  another chute has another block" \
	bash -c '[[ $1 =~ ^[0-9]+$ && $1 -ne $2 ]]' _ "$(status "$PEER" | jq .id_base)" "$base"
chute_exec "$WEB" /bin/busybox sh -c 'cp /bin/busybox /data/suid && chmod 4755 /data/suid' >/dev/null 2>&1
t_check "  a set-uid file its root makes is set-uid to the chute's block, not root" \
	bash -c '[[ $(stat -c "%u %A" "$1") == "$2 -rwsr-xr-x" ]]' _ "$chute_dir/$WEB/data/suid" "$base"
rm -f "$chute_dir/$WEB/data/suid"

# --- limits -----------------------------------------------------------------
pid=$(jq .pid <<<"$st")
mem=$(cgroup_file "$pid" memory memory.limit_in_bytes)
[[ -f $mem ]] || mem=$(cgroup_file "$pid" memory memory.max)
t_cmp "memory limit set from the annotation (32M)" "$(cat "$mem")" -eq $((32 << 20))
t_check "update memory 48M" hearth_cli chute update "$WEB" memory 48M
t_cmp "  applied live to the cgroup" "$(cat "$mem")" -eq $((48 << 20))

# --- port forwards are not taken over; a refused update changes nothing --------
hearth_cli nat forward add tcp 8090 "$H1_V4:22" >/dev/null
out=$(hearth_cli chute update "$WEB" memory 40M forward tcp:8090:80 2>&1)
rc=$?
t_check "update to a WAN port forwarded elsewhere refused ($out)" \
	bash -c '[[ $1 -ne 0 && $2 == *"tcp 8090 is taken (to '"$H1_V4"':22, runtime)"* ]]' _ "$rc" "$out"
t_cmp "  its memory setting not applied either" "$(cat "$mem")" -eq $((48 << 20))
t_jq "  the operator's forward kept, the chute's listed as a chute's" \
	'([.[] | select(.port == 8090 and .origin == "runtime")] | length == 1) and
	 ([.[] | select(.port == 8080 and .origin == "chute")] | length == 1)' \
	"$(hearth_cli -j nat forward list)"
t_check "  the chute still serves on its own forward" \
	bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
hearth_cli nat forward del tcp 8090 >/dev/null
DUP=dup$sfx
bb "$work/dup" >/dev/null
hearth_cli chute install "$DUP" "$work/dup" >/dev/null
out=$(hearth_cli chute start "$DUP" 2>&1)
rc=$?
t_check "a chute asking for another chute's WAN port does not start ($out)" \
	bash -c '[[ $1 -ne 0 && $2 == *"tcp 8080 is taken (to '"$addr"':80, chute)"* ]]' _ "$rc" "$out"
t_check "  the first chute keeps its forward" \
	bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
t_check "  nothing of the refused start is left" \
	bash -c "[[ ! -e /run/netns/hearth-$DUP ]] && ! ip netns exec $NS_GW ip link show hc-$DUP 2>/dev/null"
hearth_cli chute remove "$DUP" >/dev/null

bundle_cmd "$work/hog" 'echo hog start; x=$(yes 0123456789 | head -c 200000000); echo survived' \
	io.hearth.memory=16M io.hearth.restart=on-failure
hearth_cli chute install "$HOG" "$work/hog" >/dev/null && hearth_cli chute start "$HOG" >/dev/null
t_check "memory hog: killed by its cgroup and restarted by policy" \
	wait_for 20 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j chute status $HOG |
		jq -e '.restarts >= 1 and (.last_exit | test(\"signal 9\"))' >/dev/null"
t_check "  the other chute kept serving" \
	bash -c "ip netns exec $NS_H1 curl -sf -m 2 http://$addr/ | grep -q 'demo chute'"
t_check "  and the gateway kept forwarding" ip netns exec "$NS_H1" ping -c 1 -W 1 "$SERVER_V4"
hearth_cli chute stop "$HOG" >/dev/null

# the bomb dies at its first failed fork; its children stay with init
bundle_cmd "$work/bomb" 'sh -c "while :; do sleep 120 & done" & exec sleep 120' \
	io.hearth.pids=32 io.hearth.cpus=0.2
hearth_cli chute install "$BOMB" "$work/bomb" >/dev/null && hearth_cli chute start "$BOMB" >/dev/null
bpid=$(status "$BOMB" | jq .pid)
pids_dir=$(dirname "$(cgroup_file "$bpid" pids pids.current)")
t_cmp "fork bomb: the pids limit is in its cgroup" "$(cat "$pids_dir/pids.max")" -eq 32
sleep 1
peak=$(cat "$pids_dir/pids.current")
echo "  fork bomb: $peak tasks in its cgroup"
t_cmp "  held at the pids limit (32)" "$peak" -le 32
t_cmp "  and it did try beyond it" "$peak" -ge 30
t_check "  and fork failures reached the chute" grep -qi "can't fork\|resource temporarily" \
	"$chute_dir/$BOMB/log"
hearth_cli chute stop "$BOMB" >/dev/null

bundle_cmd "$work/cpu" 'while :; do :; done' io.hearth.cpus=0.2
hearth_cli chute install "$CPU" "$work/cpu" >/dev/null && hearth_cli chute start "$CPU" >/dev/null
cpid=$(status "$CPU" | jq .pid)
acct=$(cgroup_file "$cpid" cpuacct cpuacct.usage)
if [[ -f $acct ]]; then
	u0=$(cat "$acct"); sleep 3; u1=$(cat "$acct")
	share=$(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.2f", (b - a) / 3e9 }')
else
	f=$(cgroup_file "$cpid" cpu cpu.stat)
	u0=$(awk '/usage_usec/ { print $2 }' "$f"); sleep 3; u1=$(awk '/usage_usec/ { print $2 }' "$f")
	share=$(awk -v a="$u0" -v b="$u1" 'BEGIN { printf "%.2f", (b - a) / 3e6 }')
fi
echo "  CPU hog with cpus 0.2 used $share of a CPU"
t_check "CPU hog held near its quota (0.2 +- 0.1)" \
	awk -v s="$share" 'BEGIN { exit !(s >= 0.1 && s <= 0.3) }'
hearth_cli chute stop "$CPU" >/dev/null

# --- a chatty chute's log is cut at 1 MiB ------------------------------------
CHATTY=chatty$sfx
bundle_cmd "$work/chatty" 'yes hearth-log-line-0123456789 | head -c 3000000; echo; echo END-OF-BURST; exec sleep 120'
hearth_cli chute install "$CHATTY" "$work/chatty" >/dev/null && hearth_cli chute start "$CHATTY" >/dev/null
logf=$chute_dir/$CHATTY/log
t_check "3 MB written to the log: cut into log.1 by supervision" \
	wait_for 10 bash -c "[[ -e $logf.1 ]] && (( \$(stat -c %s $logf) <= 1048576 ))"
t_cmp "  log.1 holds at most 1 MiB" "$(stat -c %s "$logf.1")" -le 1048576
t_cmp "  the log holds at most 1 MiB" "$(stat -c %s "$logf")" -le 1048576
t_check "  hearth chute logs ends with the chute's last line" \
	bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth chute logs $CHATTY | tail -n 1 | grep -qx END-OF-BURST"
hearth_cli chute remove "$CHATTY" >/dev/null

# --- adoption across a hearthd restart, supervision after it -----------------
pid=$(status "$WEB" | jq .pid)
stop_hearthd
t_check "with hearthd stopped, the chute still serves" \
	bash -c "ip netns exec $NS_H1 curl -sf -m 2 http://$addr/ | grep -q 'demo chute'"
start_hearthd "$work/hearth.conf" "$work/hearthd.log"
t_jq "adopted after the restart: same process" '.state == "running" and .pid == '"$pid" "$(status "$WEB")"
kill -9 "$pid"
t_check "a crash after the restart is restarted by policy" \
	wait_for 10 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j chute status $WEB |
		jq -e '.state == \"running\" and .restarts >= 1 and .pid != $pid' >/dev/null"
t_check "  and serves again" \
	wait_for 5 bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"

# --- a service manager stops hearthd's unit: its whole cgroup is killed ------
unit=$(findmnt -t cgroup2 -n -o TARGET | head -n 1)/hearth-test-$$
if [[ -z ${unit%/hearth-test-*} ]] || ! mkdir "$unit" 2>/dev/null; then
	t_skip "a chute outlives a kill of hearthd's whole cgroup" "no cgroup2 hierarchy to make a unit in"
else
	echo "$HEARTHD_PID" >"$unit/cgroup.procs"
	hearth_cli chute restart "$WEB" >/dev/null
	pid=$(status "$WEB" | jq .pid)
	mon=$(cut -d' ' -f1 "$chute_dir/$WEB/monitor.pid")
	t_check "a chute hearthd starts leaves hearthd's cgroup (monitor $mon)" \
		bash -c "grep -qx $HEARTHD_PID '$unit/cgroup.procs' && ! grep -qx -e $mon -e $pid '$unit/cgroup.procs'"
	echo 1 >"$unit/cgroup.kill"
	wait "$HEARTHD_PID" 2>/dev/null
	HEARTHD_PID=
	t_check "hearthd's whole cgroup killed: the chute's process runs on" kill -0 "$pid"
	t_check "  and serves through its forward" \
		bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
	start_hearthd "$work/hearth.conf" "$work/hearthd.log"
	t_jq "  the next hearthd adopts it: same process" '.state == "running" and .pid == '"$pid" "$(status "$WEB")"
	rmdir "$unit"
fi

# --- hearth down: no chute keeps running without isolation and NAT ------------
st=$(status "$WEB")
pid=$(jq .pid <<<"$st")
restarts=$(jq .restarts <<<"$st")
out=$(hearth_cli down 2>&1)
HEARTHD_PID=
t_check "hearth down stops the running chutes, $WEB and $PEER ($out)" \
	grep -q "^2 chutes stopped" <<<"$out"
t_check "  its process and its namespace are gone" \
	bash -c "! kill -0 $pid 2>/dev/null && [[ ! -e /run/netns/hearth-$WEB ]]"
start_hearthd "$work/hearth.conf" "$work/hearthd.log"
t_check "  and it starts again with hearthd, not counted as a restart" \
	wait_for 10 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j chute status $WEB |
		jq -e '.state == \"running\" and .pid != $pid and .restarts == $restarts' >/dev/null"
t_check "  serving through its forward again" \
	wait_for 5 bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
t_check "  and isolated again" \
	bash -c "! ip netns exec hearth-$WEB ping -c 2 -W 1 $H1_V4"

# --- stop, reinstall, remove -------------------------------------------------
t_check "stop $WEB" hearth_cli chute stop "$WEB"
t_check "stopped: the port forward is gone" \
	bash -c "! ip netns exec $NS_IN curl -sf -m 1 http://$GW_WAN_V4:8080/"
t_check "stopped: its namespace and veth are gone" \
	bash -c "[[ ! -e /run/netns/hearth-$WEB ]] && ! ip netns exec $NS_GW ip link show hc-$WEB 2>/dev/null"
t_check "reinstall keeps the data directory" \
	bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth chute install $WEB $work/web replace && test -s $chute_dir/$WEB/data/readings/log"
t_cmp "  and the chute's id block" "$(status "$WEB" | jq .id_base)" -eq "$base"
t_cmp "  its new rootfs is owned by the block" "$(stat -c %u "$chute_dir/$WEB/bundle/rootfs/bin")" -eq "$base"
# a chute as an older hearth installed it: no id block, files of root's
rm "$chute_dir/$WEB/ids"
chown -R 0:0 "$chute_dir/$WEB/bundle" "$chute_dir/$WEB/data"
t_check "a chute installed without an id block starts" hearth_cli chute start "$WEB"
t_jq "  with a block of its own" '.id_base >= 1610612736 and .state == "running"' "$(status "$WEB")"
t_cmp "  its data shifted into it" "$(stat -c %u "$chute_dir/$WEB/data/readings/log")" -eq \
	"$(status "$WEB" | jq .id_base)"
t_check "  and it serves again" \
	wait_for 5 bash -c "ip netns exec $NS_IN curl -sf -m 2 http://$GW_WAN_V4:8080/ | grep -q 'demo chute'"
hearth_cli chute stop "$WEB" >/dev/null
t_check "remove $WEB" hearth_cli chute remove "$WEB"
t_check "removed: nothing of it is left" test ! -e "$chute_dir/$WEB"
