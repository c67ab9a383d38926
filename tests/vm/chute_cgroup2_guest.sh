#!/bin/bash
# Runs inside the VM of tests/integration/chute_cgroup2.sh, a gateway with
# cgroup v2 alone (hierarchy at /sys/fs/cgroup, cpu/memory/pids enabled at
# the root as systemd does). Result lines go to the console.
set -u
source /report.sh

status() { hearth -j chute status "$1"; }
# the page from the home host (busybox wget crashes in this VM; nc does not)
home_get() { printf 'GET / HTTP/1.0\r\n\r\n' | ip netns exec home busybox nc -w 3 "$1" 80; }
cgroup_of() { echo "/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")"; }
# a bundle running a shell command, annotations after
bundle_cmd() {
	local dir=$1 cmd=$2 kv
	shift 2
	cp -a /bundles/web "$dir"
	jq --arg c "$cmd" '.process.args = ["/bin/sh", "-c", $c] |
		.annotations["io.hearth.forward"] = ""' "$dir/config.json" >"$dir/c"
	for kv in "$@"; do
		jq --arg k "${kv%%=*}" --arg v "${kv#*=}" '.annotations[$k] = $v' "$dir/c" >"$dir/d" &&
			mv "$dir/d" "$dir/c"
	done
	mv "$dir/c" "$dir/config.json"
}
cpu_share() { # cpu_share CGROUP SECONDS: CPUs used over that time
	local a b
	a=$(awk '/^usage_usec/ { print $2 }' "$1/cpu.stat")
	sleep "$2"
	b=$(awk '/^usage_usec/ { print $2 }' "$1/cpu.stat")
	awk -v a="$a" -v b="$b" -v s="$2" 'BEGIN { printf "%.2f", (b - a) / (s * 1e6) }'
}

t_cmp "no cgroup v1 hierarchy is mounted" "$(grep -c ' cgroup ' /proc/mounts)" -eq 0
t_check "cgroup2 at /sys/fs/cgroup with memory, pids and cpu" \
	bash -c 'grep -q "^cgroup2 /sys/fs/cgroup " /proc/mounts &&
		grep -qw memory /sys/fs/cgroup/cgroup.controllers &&
		grep -qw pids /sys/fs/cgroup/cgroup.controllers &&
		grep -qw cpu /sys/fs/cgroup/cgroup.controllers'

# a home host and an ISP around this gateway
source /gateway_net.sh
cat >/etc/hearth/hearth.conf <<CONF
wan wan0
lan lan0 192.168.1.0/24
nat masquerade
chute-pool 10.213.0.0/24
CONF
hearthd -c /etc/hearth/hearth.conf >/tmp/hearthd.log 2>&1 &
hearthd_pid=$!
if ! wait_for 60 bash -c "grep -q 'running with' /tmp/hearthd.log || ! kill -0 $hearthd_pid"; then
	:
fi
if ! grep -q "running with" /tmp/hearthd.log; then
	sed 's/^/  /' /tmp/hearthd.log | tail -n 60
	t_fail "hearthd starts" "$(tail -n 3 /tmp/hearthd.log | tr '\n' ' ')"
	exit 0
fi
t_pass "hearthd starts"

# --- limits at start, live update, stop ------------------------------------
t_check "install web (memory 32M, pids 64, cpus 0.5)" hearth chute install web /bundles/web
t_check "start web" hearth chute start web
st=$(status web)
t_jq "running, with an address from the pool" '.state == "running" and (.address | startswith("10.213.0."))' "$st"
pid=$(jq .pid <<<"$st")
cg=$(cgroup_of "$pid")
echo "  the chute's cgroup: $cg"
t_cmp "memory.max from the annotation (32M)" "$(cat "$cg/memory.max")" -eq $((32 << 20))
t_cmp "pids.max from the annotation" "$(cat "$cg/pids.max")" -eq 64
t_check "cpu.max from cpus 0.5 ($(cat "$cg/cpu.max"))" grep -qx "50000 100000" "$cg/cpu.max"
t_check "under hearth's seccomp filter (Seccomp: 2)" grep -qE '^Seccomp:[[:space:]]+2$' "/proc/$pid/status"
base=$(jq .id_base <<<"$st")
t_check "in its own user namespace: root in it is uid $base here" \
	grep -qE "^Uid:[[:space:]]+$base[[:space:]]" "/proc/$pid/status"
addr=$(jq -r .address <<<"$st")
t_check "a home host reaches the chute's service" \
	wait_for 20 bash -c "$(declare -f home_get); home_get $addr | grep -q 'demo chute'"
t_check "update memory 48M pids 40 cpus 0.3" hearth chute update web memory 48M pids 40 cpus 0.3
t_cmp "  memory.max changed live" "$(cat "$cg/memory.max")" -eq $((48 << 20))
t_cmp "  pids.max changed live" "$(cat "$cg/pids.max")" -eq 40
t_check "  cpu.max changed live ($(cat "$cg/cpu.max"))" grep -qx "30000 100000" "$cg/cpu.max"
t_jq "  same process" ".pid == $pid" "$(status web)"
t_cmp "cpu.weight the kernel's default without cpu-weight" "$(cat "$cg/cpu.weight")" -eq 100
t_check "update cpu-weight 300" hearth chute update web cpu-weight 300
t_cmp "  cpu.weight is 300 exactly (crun converts from shares)" "$(cat "$cg/cpu.weight")" -eq 300

# --- a memory hog: killed by its cgroup, restarted by policy -----------------
bundle_cmd /tmp/hog 'echo hog start; x=$(yes 0123456789 | head -c 200000000); echo survived' \
	io.hearth.memory=16M io.hearth.restart=on-failure
hearth chute install hog /tmp/hog >/dev/null && hearth chute start hog >/dev/null
t_check "memory hog: OOM-killed in its cgroup and restarted by policy" \
	wait_for 60 bash -c "hearth -j chute status hog | jq -e '.restarts >= 1 and (.last_exit | test(\"signal 9\"))' >/dev/null"
t_check "  the other chute kept serving" \
	bash -c "$(declare -f home_get); home_get $addr | grep -q 'demo chute'"
hearth chute stop hog >/dev/null

# --- a fork bomb stops at its pids limit -------------------------------------
bundle_cmd /tmp/bomb 'sh -c "while :; do sleep 120 & done" & exec sleep 120' \
	io.hearth.pids=32 io.hearth.cpus=0.5
hearth chute install bomb /tmp/bomb >/dev/null && hearth chute start bomb >/dev/null
bcg=$(cgroup_of "$(status bomb | jq .pid)")
wait_for 20 bash -c "grep -q '^max [1-9]' $bcg/pids.events"
peak=$(cat "$bcg/pids.peak" 2>/dev/null || cat "$bcg/pids.current")
echo "  fork bomb: $peak tasks, pids.events: $(tr '\n' ' ' <"$bcg/pids.events")"
t_cmp "fork bomb: held at the pids limit (32)" "$peak" -le 32
t_check "  and it did hit the limit (pids.events max)" grep -q '^max [1-9]' "$bcg/pids.events"
hearth chute stop bomb >/dev/null

# --- a CPU hog is held at its quota ------------------------------------------
bundle_cmd /tmp/cpu 'while :; do :; done' io.hearth.cpus=0.2
hearth chute install cpu /tmp/cpu >/dev/null && hearth chute start cpu >/dev/null
ccg=$(cgroup_of "$(status cpu | jq .pid)")
share=$(cpu_share "$ccg" 4)
echo "  CPU hog with cpus 0.2 used $share of a CPU"
t_check "CPU hog held near its quota (0.2 +- 0.1)" \
	awk -v s="$share" 'BEGIN { exit !(s >= 0.1 && s <= 0.3) }'
t_cmp "  throttled by the kernel (cpu.stat nr_throttled)" \
	"$(awk '/^nr_throttled/ { print $2 }' "$ccg/cpu.stat")" -gt 0
hearth chute stop cpu >/dev/null

# --- stop: the cgroup goes with the chute --------------------------------------
t_check "stop web" hearth chute stop web
t_check "stopped: its cgroup is gone" test ! -e "$cg"
t_check "remove all" bash -c "for c in web hog bomb cpu; do hearth chute remove \$c || exit 1; done"
t_check "no cgroup of hearth's left, its parent included" test ! -e /sys/fs/cgroup/hearth
kill %1 2>/dev/null
wait
