#!/usr/bin/env bash
# Chute start latency on the namespace topology: from `hearth chute start`
# to the chute's process running (the command returns then) and to its
# first packet through the gateway (a TCP SYN to the internet host,
# seen by tcpdump there), median of repeated runs. Beside it, in the same
# run, plain `crun run --detach` of the same generated spec (no network
# set-up, no data plane): the runtime's own share.
#
#   bench/chute_start.sh [-n RUNS] [-o OUT.json] [-g REVISION]
set -u
here=$(dirname "$0")
source "$here/args.sh"
bench_args 10 "$@"
runs=$count
source "$here/../tests/lib/report.sh"
source "$here/../tests/lib/topo.sh"
chute_dir=$(mktemp -d)
name=bench$(($$ % 10000))
cleanup() {
	hearth_cli chute remove "$name" >/dev/null 2>&1
	crun --root="$HEARTH_RUN_DIR/crun" delete -f "base-$name" >/dev/null 2>&1
	topo_destroy
	rm -rf "$chute_dir"
}
trap cleanup EXIT
gateway_up "nat masquerade" "chute-dir $chute_dir" >/dev/null
"$here/../sandbox/examples/busybox-chute.sh" "$work/b" >/dev/null
jq --arg s "$SERVER_V4" '.process.args = ["/bin/sh", "-c", "nc -w 1 " + $s + " 9 </dev/null; exec sleep 600"]' \
	"$work/b/config.json" >"$work/c" && mv "$work/c" "$work/b/config.json"
hearth_cli chute install "$name" "$work/b" >/dev/null || exit 1

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
running=() packet=() base=()
for i in $(seq "$runs"); do
	nsx "$NS_IN" timeout 5 tcpdump -tt -n -i eth0 -c 1 tcp port 9 2>/dev/null >"$work/cap" &
	cap=$!
	sleep 0.5
	t0=$(date +%s%N)
	hearth_cli chute start "$name" >/dev/null || exit 1
	running+=("$(ms_since "$t0")")
	wait $cap
	first=$(awk '{ print $1; exit }' "$work/cap")
	[[ -n $first ]] && packet+=("$(awk -v f="$first" -v t="$t0" 'BEGIN { printf "%d", (f * 1e9 - t) / 1e6 }')")
	hearth_cli chute stop "$name" >/dev/null
done

# the runtime alone: the generated spec in a fresh network namespace
jq '.linux.namespaces |= map(if .type == "network" then del(.path) else . end)' \
	"$chute_dir/$name/config.json" >"$work/base.json"
mkdir -p "$work/base" && cp "$work/base.json" "$work/base/config.json"
ln -s "$chute_dir/$name/bundle" "$work/base/bundle" 2>/dev/null
jq --arg r "$chute_dir/$name/bundle/rootfs" '.root.path = $r' "$work/base.json" >"$work/base/config.json"
for i in $(seq "$runs"); do
	rm -f "$work/base.pid"
	t0=$(date +%s%N)
	unshare -m sh -c "umount -l /sys/fs/cgroup/unified 2>/dev/null; crun --root=$HEARTH_RUN_DIR/crun run -d --bundle $work/base --pid-file $work/base.pid base-$name" \
		>/dev/null 2>&1 </dev/null
	base+=("$(ms_since "$t0")")
	unshare -m sh -c "umount -l /sys/fs/cgroup/unified 2>/dev/null; crun --root=$HEARTH_RUN_DIR/crun delete -f base-$name" >/dev/null 2>&1
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "null" }'; }
m_run=$(median "${running[@]}") m_pkt=$(median "${packet[@]}") m_base=$(median "${base[@]}")
echo "  chute start to process running: median $m_run ms (runs: ${running[*]})"
echo "  chute start to first packet through the gateway: median $m_pkt ms (runs: ${packet[*]})"
echo "  plain crun run --detach of the same spec: median $m_base ms (runs: ${base[*]})"
ratio=$(awk -v a="$m_run" -v b="$m_base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "null" }')
echo "  hearth start / plain crun: ${ratio}x (target: start <= 150 ms)"
if [[ -n $out ]]; then
	jq -n --arg rev "$rev" --arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
		--argjson run "$m_run" --argjson pkt "$m_pkt" --argjson base "$m_base" \
		--argjson ratio "$ratio" --argjson runs "$runs" \
		--arg rs "${running[*]}" --arg ps "${packet[*]}" --arg bs "${base[*]}" \
		'{benchmark: "chute_start", revision: $rev, kernel: $kernel, date: $date, runs: $runs,
		  target_ms: 150, median_ms: {to_running: $run, to_first_packet: $pkt, plain_crun: $base},
		  ratio_to_plain_crun: $ratio,
		  samples_ms: {to_running: $rs, to_first_packet: $ps, plain_crun: $bs}}' >"$out"
fi
