#!/usr/bin/env bash
# `make bench`: runs the benchmark steps in order; each prints its table and
# leaves its JSON in bench/results/<step>.json. Ends non-zero if any step
# failed (a step fails when it could not verify that it measured the path it
# names; missing a target is reported, not a failure).
#
#   bench/run.sh            every step
#   bench/run.sh STEP...    only these (bench/run.sh -l lists them)
#
# Environment: BENCH_REPEATS, BENCH_TRIALS, BENCH_CPU are handed to the
# BPF_PROG_TEST_RUN steps; BENCH_E2E_TRIALS, BENCH_E2E_SECONDS,
# BENCH_E2E_FLOWS, BENCH_E2E_RATE to nat_e2e (see bench/e2e_nat.sh);
# BENCH_FUZZ_FRAMES (400000) and BENCH_FUZZ_SEED (the test's) to fw_fuzz;
# BENCH_CPAN_ADDRS (1000000) to cryptopan;
# HEARTH_BUILD is the build directory (default build).
#
# A new benchmark is a step_<name> function plus a line in STEPS.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${HEARTH_BUILD:-build}
RESULTS=bench/results

# name|what it measures
STEPS=(
	"xdp_forward|per-packet cost of the XDP forwarding path vs an empty XDP program (BPF_PROG_TEST_RUN)"
	"xdp_nat|per-packet cost of the NAT paths (established both ways, new connections) vs an empty XDP program (BPF_PROG_TEST_RUN)"
	"ct_scale|the established NAT path going round 1k, 64k and a full table of connections (per-CPU lines missing, the table read) vs an empty XDP program"
	"nat_eim|the NAT paths before and after endpoint-independent mapping, one run: the revision before it (BENCH_BASE) and this one, alternately"
	"nat_e2e|end to end in namespaces, same frames: hearth masquerade vs Linux nftables masquerade, delivered pps and CPU per packet"
	"chute_start|chute start latency: start command to the process running and to its first packet through the gateway, beside plain crun (median)"
	"tenant|home first on a 100 Mbit/s shaped link: the acceptance figures of tests/integration/tenant.sh (tenant metering cost is in xdp_nat)"
	"fw_fuzz|the firewall fuzz test of make check (tests/prog_tests/fw_fuzz.c), 20 times longer: frames/s and invariant violations (fails on any)"
	"cryptopan|Crypto-PAn address anonymization (userspace/lib/cryptopan.c): ns per IPv4 and per IPv6 address"
	"flow_rtt|the established path of a TCP connection with timestamps, round-trip times on and off (the same build, conntrack rtt), alternately: the per-packet cost of passive RTT"
	"probe_point|the packet probe point: the revision before it, this one with no probe (the flag clear) and with the flag set and nothing attached (the record filled, the empty point passed), alternately: what a probe point costs when shut and when open"
	"flow_export|the exporter with 100k active flows: hearthd's walk, records a second and CPU for a full report (IPFIX and the JSON log), and hearthd's memory"
)

# The revision measured; "-dirty" when files other than the results
# differ from it (a step that ran before has rewritten its results).
revision() {
	local rev
	rev=$(git rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
	if [[ -n $(git status --porcelain -- . ':!bench/results' 2>/dev/null) ]]; then
		rev=$rev-dirty
	fi
	echo "$rev"
}

# Options common to the BPF_PROG_TEST_RUN benchmarks.
test_run_args() {
	[[ -n ${BENCH_REPEATS:-} ]] && printf '%s\n' -r "$BENCH_REPEATS"
	[[ -n ${BENCH_TRIALS:-} ]] && printf '%s\n' -t "$BENCH_TRIALS"
	[[ -n ${BENCH_CPU:-} ]] && printf '%s\n' -c "$BENCH_CPU"
	return 0
}

step_xdp_forward() {
	local args
	mapfile -t args < <(test_run_args)
	# xdp_bench builds its own network namespace (tests/lib/fixture.c)
	"$BUILD/xdp_bench" "${args[@]}" -g "$(revision)" -o "$RESULTS/xdp_forward.json"
}

step_xdp_nat() {
	local args
	mapfile -t args < <(test_run_args)
	"$BUILD/xdp_bench" -s nat "${args[@]}" -g "$(revision)" -o "$RESULTS/xdp_nat.json"
}

step_ct_scale() {
	local args
	mapfile -t args < <(test_run_args)
	"$BUILD/xdp_bench" -s ct-scale "${args[@]}" -g "$(revision)" -o "$RESULTS/ct_scale.json"
}

# Round-trip times on and off in the same build (xdp_bench -R loads the
# gateway with conntrack rtt off), alternately, twice each.
step_flow_rtt() {
	local args out=$RESULTS/flow_rtt.json runs i rc=0
	mapfile -t args < <(test_run_args)
	runs=$(mktemp -d)
	for i in 1 2; do
		"$BUILD/xdp_bench" "${args[@]}" -R -o "$runs/off$i.json" >/dev/null &&
			"$BUILD/xdp_bench" "${args[@]}" -o "$runs/on$i.json" >/dev/null || rc=1
	done
	if [[ $rc -eq 0 ]]; then
		jq -n --arg rev "$(revision)" --arg date "$(date -u +%FT%TZ)" \
			--slurpfile f1 "$runs/off1.json" --slurpfile f2 "$runs/off2.json" \
			--slurpfile n1 "$runs/on1.json" --slurpfile n2 "$runs/on2.json" '
			def pick($r): [$r[0].results[] | select(.name as $n |
				["empty", "fw_ipv6", "fw_tcp6", "fw_tcp6_tick"] | index($n))
				| {key: .name, value: {median_ns, ratio_to_empty}}] | from_entries;
			def mean(f): (f | add) / (f | length);
			([pick($f1), pick($f2)]) as $off | ([pick($n1), pick($n2)]) as $on |
			{benchmark: "flow_rtt", date: $date, revision: $rev, machine: $n1[0].machine,
			 method: "bench/xdp_bench (BPF_PROG_TEST_RUN), the forward suite, loaded with conntrack rtt off (-R) and on, alternately, twice each, on one machine in one run: off, on, off, on. fw_tcp6 and fw_tcp6_tick are an established IPv6 TCP connection (picked up mid-stream, firewall on) whose segments carry the timestamps option. fw_tcp6_tick (bench_gw_tick) gives each repeat a TSval one higher, as the timestamp clock of a sender moves: a sample is armed and waits for its echo, none is due, and the packet leaves at the inline gate (one array read, three tests): what most packets of a connection cost. fw_tcp6 repeats the same segment: its TSval never changes, so once its direction is due it waits for a new TSval for good and every packet goes on to read its options (ct_rtt_options): the worst case (in real traffic the wait ends at the next tick of the timestamp clock of the sender, a millisecond on Linux). fw_ipv6 (UDP) takes no part in it: the control.",
			 off: $off, on: $on,
			 fw_tcp6_tick_added_ns: (mean([$on[].fw_tcp6_tick.median_ns]) - mean([$off[].fw_tcp6_tick.median_ns])),
			 fw_tcp6_tick_ratio_on_off: ((mean([$on[].fw_tcp6_tick.median_ns]) / mean([$off[].fw_tcp6_tick.median_ns])) * 1000 | round / 1000),
			 fw_tcp6_added_ns: (mean([$on[].fw_tcp6.median_ns]) - mean([$off[].fw_tcp6.median_ns])),
			 fw_tcp6_ratio_on_off: ((mean([$on[].fw_tcp6.median_ns]) / mean([$off[].fw_tcp6.median_ns])) * 1000 | round / 1000),
			 target: "at most 1.10 (10% more)"}' >"$out"
		jq -r '"rtt\tempty ns\tfw_ipv6 ns\tfw_tcp6_tick ns\tfw_tcp6 ns",
			(.off[] | "off\t\(.empty.median_ns)\t\(.fw_ipv6.median_ns)\t\(.fw_tcp6_tick.median_ns)\t\(.fw_tcp6.median_ns)"),
			(.on[] | "on\t\(.empty.median_ns)\t\(.fw_ipv6.median_ns)\t\(.fw_tcp6_tick.median_ns)\t\(.fw_tcp6.median_ns)")' \
			"$out" | column -t -s $'\t'
		jq -r '"fw_tcp6_tick (most packets) with rtt on / off: \(.fw_tcp6_tick_ratio_on_off) (+\(.fw_tcp6_tick_added_ns) ns), target \(.target)",
			"fw_tcp6 (every packet reads its options) on / off: \(.fw_tcp6_ratio_on_off) (+\(.fw_tcp6_added_ns) ns)"' "$out"
	fi
	rm -rf "$runs"
	return $rc
}

# base_xdp_bench STEP REV DIR: REV's own xdp_bench, built in a worktree at
# DIR/src (DIR/src/build/xdp_bench); on failure, says so and cleans up.
base_xdp_bench() {
	if git worktree add -q --detach "$3/src" "$2" &&
		make -s -C "$3/src" build/xdp_bench >/dev/null; then
		return 0
	fi
	echo "$1: cannot build $2" >&2
	git worktree remove --force "$3/src" 2>/dev/null
	return 1
}

# The revision before endpoint-independent mapping (issue 14); its own
# xdp_bench is built in a temporary worktree and run in turn with this
# build's, twice each, so that both sets of figures come from one run.
NAT_EIM_BASE=${BENCH_BASE:-f732114}

step_nat_eim() {
	local args base out=$RESULTS/nat_eim.json runs i rc=0
	mapfile -t args < <(test_run_args)
	base=$(mktemp -d) runs=$(mktemp -d)
	if ! base_xdp_bench nat_eim "$NAT_EIM_BASE" "$base"; then
		rm -rf "$base" "$runs"
		return 1
	fi
	for i in 1 2; do
		"$base/src/build/xdp_bench" -s nat "${args[@]}" -o "$runs/before$i.json" >/dev/null &&
			"$BUILD/xdp_bench" -s nat "${args[@]}" -o "$runs/after$i.json" >/dev/null || rc=1
	done
	git worktree remove --force "$base/src"
	if [[ $rc -eq 0 ]]; then
		jq -n --arg before "$(git rev-parse --short "$NAT_EIM_BASE")" --arg after "$(revision)" \
			--arg date "$(date -u +%FT%TZ)" \
			--slurpfile b1 "$runs/before1.json" --slurpfile b2 "$runs/before2.json" \
			--slurpfile a1 "$runs/after1.json" --slurpfile a2 "$runs/after2.json" '
			def pick($r): [$r[0].results[] | select(.name as $n |
				["empty", "nat_out", "nat_in", "nat_new"] | index($n))
				| {key: .name, value: {median_ns, ratio_to_empty}}] | from_entries;
			{benchmark: "nat_eim", date: $date, machine: $a1[0].machine,
			 method: "bench/xdp_bench -s nat (BPF_PROG_TEST_RUN) of the revision before endpoint-independent mapping and of this one, alternately, twice each, on one machine in one run: before, after, before, after",
			 before: {revision: $before, runs: [pick($b1), pick($b2)]},
			 after: {revision: $after, runs: [pick($a1), pick($a2)]}}' >"$out"
		jq -r '"revision\tempty ns\tnat_out ns (x empty)\tnat_in ns (x empty)\tnat_new ns",
			(([.before.revision] + .before.runs), ([.after.revision] + .after.runs)
			 | .[0] as $rev | .[1:][] | "\($rev)\t\(.empty.median_ns)\t\(.nat_out.median_ns) (\(.nat_out.ratio_to_empty))\t\(.nat_in.median_ns) (\(.nat_in.ratio_to_empty))\t\(.nat_new.median_ns)")' \
			"$out" | column -t -s $'\t'
	fi
	rm -rf "$base" "$runs"
	return $rc
}

# The revision before the packet probe point (issue 17).
PROBE_BASE=${BENCH_PROBE_BASE:-17861ba}

# Figures in one run, alternately, twice each: the revision before the
# probe point, this one (the flag clear: the gate shut), this one with the
# flag set and no probe attached (xdp_bench -P: the record filled and the
# empty point passed), and the last two again with the kernel's run-time
# statistics on (-S: what the probe budgets' sampling windows cost every
# program while they are open). A probe attached (fentry) cannot be
# measured on the machines that run this: their kernel refuses fentry
# programs (docs/benchmarks.md).
step_probe_point() {
	local args base out=$RESULTS/probe_point.json runs i rc=0
	mapfile -t args < <(test_run_args)
	base=$(mktemp -d) runs=$(mktemp -d)
	if ! base_xdp_bench probe_point "$PROBE_BASE" "$base"; then
		rm -rf "$base" "$runs"
		return 1
	fi
	for i in 1 2; do
		"$base/src/build/xdp_bench" "${args[@]}" -o "$runs/before$i.json" >/dev/null &&
			"$BUILD/xdp_bench" "${args[@]}" -o "$runs/shut$i.json" >/dev/null &&
			"$BUILD/xdp_bench" "${args[@]}" -P -o "$runs/open$i.json" >/dev/null &&
			"$BUILD/xdp_bench" "${args[@]}" -S -o "$runs/shut_stats$i.json" >/dev/null &&
			"$BUILD/xdp_bench" "${args[@]}" -P -S -o "$runs/open_stats$i.json" >/dev/null || rc=1
	done
	git worktree remove --force "$base/src"
	if [[ $rc -eq 0 ]]; then
		jq -n --arg before "$(git rev-parse --short "$PROBE_BASE")" --arg rev "$(revision)" \
			--arg date "$(date -u +%FT%TZ)" \
			--slurpfile b1 "$runs/before1.json" --slurpfile b2 "$runs/before2.json" \
			--slurpfile s1 "$runs/shut1.json" --slurpfile s2 "$runs/shut2.json" \
			--slurpfile o1 "$runs/open1.json" --slurpfile o2 "$runs/open2.json" \
			--slurpfile ss1 "$runs/shut_stats1.json" --slurpfile ss2 "$runs/shut_stats2.json" \
			--slurpfile os1 "$runs/open_stats1.json" --slurpfile os2 "$runs/open_stats2.json" '
			def pick($r): [$r[0].results[] | select(.name as $n |
				["empty", "fwd_ipv4", "fwd_ipv6", "fw_ipv4", "fw_tcp6"] | index($n))
				| {key: .name, value: .median_ns}] | from_entries;
			def mean($runs; $k): ($runs | map(.[$k]) | add) / ($runs | length);
			([pick($b1), pick($b2)]) as $b | ([pick($s1), pick($s2)]) as $s |
			([pick($o1), pick($o2)]) as $o |
			([pick($ss1), pick($ss2)]) as $ss | ([pick($os1), pick($os2)]) as $os |
			{benchmark: "probe_point", date: $date, machine: $s1[0].machine,
			 method: "bench/xdp_bench, the forward suite (BPF_PROG_TEST_RUN), of the revision before the probe point, of this one with the probe flag clear (no probe: the gate shut) and of this one with the flag set and no probe attached (-P: the record filled and the empty point passed), and of the last two with the kernel'"'"'s BPF run-time statistics on (-S), alternately, twice each, in one run. A probe attached cannot be measured here: this kernel refuses fentry programs.",
			 before: {revision: $before, runs: $b}, shut: {revision: $rev, runs: $s},
			 open: {revision: $rev, runs: $o},
			 shut_stats: {revision: $rev, runs: $ss}, open_stats: {revision: $rev, runs: $os},
			 shut_added_ns: ([ "fwd_ipv4", "fwd_ipv6", "fw_ipv4", "fw_tcp6"] | map({key: ., value: (mean($s; .) - mean($b; .))}) | from_entries),
			 open_added_ns: ([ "fwd_ipv4", "fwd_ipv6", "fw_ipv4", "fw_tcp6"] | map({key: ., value: (mean($o; .) - mean($s; .))}) | from_entries),
			 stats_added_ns: (["empty", "fwd_ipv4", "fwd_ipv6", "fw_ipv4", "fw_tcp6"] | map({key: ., value: (mean($ss; .) - mean($s; .))}) | from_entries),
			 stats_open_added_ns: (["empty", "fwd_ipv4", "fwd_ipv6", "fw_ipv4", "fw_tcp6"] | map({key: ., value: (mean($os; .) - mean($o; .))}) | from_entries)}' >"$out"
		jq -r '"build\tempty ns\tfwd_ipv4 ns\tfwd_ipv6 ns\tfw_ipv4 ns\tfw_tcp6 ns",
			(("before " + .before.revision) as $n | .before.runs[] | "\($n)\t\(.empty)\t\(.fwd_ipv4)\t\(.fwd_ipv6)\t\(.fw_ipv4)\t\(.fw_tcp6)"),
			(.shut.runs[] | "shut\t\(.empty)\t\(.fwd_ipv4)\t\(.fwd_ipv6)\t\(.fw_ipv4)\t\(.fw_tcp6)"),
			(.open.runs[] | "open\t\(.empty)\t\(.fwd_ipv4)\t\(.fwd_ipv6)\t\(.fw_ipv4)\t\(.fw_tcp6)"),
			(.shut_stats.runs[] | "shut, stats on\t\(.empty)\t\(.fwd_ipv4)\t\(.fwd_ipv6)\t\(.fw_ipv4)\t\(.fw_tcp6)"),
			(.open_stats.runs[] | "open, stats on\t\(.empty)\t\(.fwd_ipv4)\t\(.fwd_ipv6)\t\(.fw_ipv4)\t\(.fw_tcp6)")' \
			"$out" | column -t -s $'\t'
		jq -r '"shut, against before: \(.shut_added_ns) ns", "open, against shut: \(.open_added_ns) ns",
			"run-time statistics on, shut: \(.stats_added_ns) ns", "run-time statistics on, open: \(.stats_open_added_ns) ns"' "$out"
	fi
	rm -rf "$base" "$runs"
	return $rc
}

step_nat_e2e() {
	# builds and removes its own namespaces (tests/lib/topo.sh); takes
	# BENCH_E2E_TRIALS, BENCH_E2E_SECONDS, BENCH_E2E_FLOWS, BENCH_E2E_RATE
	HEARTH_BUILD=$BUILD bench/e2e_nat.sh -g "$(revision)" -o "$RESULTS/nat_e2e.json"
}

step_flow_export() {
	HEARTH_BUILD=$BUILD bench/flow_export.sh -g "$(revision)" -o "$RESULTS/flow_export.json"
}

step_chute_start() {
	HEARTH_BUILD=$BUILD bench/chute_start.sh -g "$(revision)" -o "$RESULTS/chute_start.json"
}

step_tenant() {
	local figures out=$RESULTS/tenant.json log rc
	figures=$(mktemp) log=$(mktemp)
	HEARTH_BUILD=$BUILD TENANT_FIGURES=$figures tests/integration/tenant.sh >"$log" 2>&1
	rc=$?
	grep -E '^(  |FAIL)' "$log"
	if [[ $rc -ne 0 || ! -s $figures ]] || grep -q '^FAIL' "$log"; then
		echo "tenant: the acceptance run failed (figures kept if any)" >&2
		rc=1
	fi
	if [[ -s $figures ]]; then
		jq --arg rev "$(revision)" --arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
			'{benchmark: "tenant", revision: $rev, kernel: $kernel, date: $date,
			  setup: "ISP router shaped to 100 Mbit/s each way (HTB, 1000-packet queues), servers one hop behind it; hearth wan-capacity 90 Mbit/s each way; tenant guest: guaranteed 10, ceiling 50 Mbit/s each way, prio 3; home1 runs iperf3 TCP + ping while guest floods (TCP x4 + UDP; download UDP at its guarantee)",
			  targets: {home_share: ">= 85% of (capacity - guaranteed) = 68 Mbit/s",
				    guest_alone: ">= 85% of ceiling = 42.5 Mbit/s",
				    guest_window: "<= ceiling + 5% = 52.5 Mbit/s over any 10 s",
				    ping_p95: "<= 10 ms", runtime_set: "new ceiling (20 Mbit/s) within 1 s, UDP at 45 Mbit/s: 17-21 Mbit/s"},
			  figures: .}' "$figures" >"$out"
		jq -r '.figures | to_entries[] | "  \(.key)\t\(.value)"' "$out" | column -t
	fi
	rm -f "$figures" "$log"
	return $rc
}

# build/test_progs -t fw_fuzz with more frames; the test writes the
# figures, this adds where they come from.
step_fw_fuzz() {
	local out=$RESULTS/fw_fuzz.json figures log rc
	figures=$(mktemp) log=$(mktemp)
	HEARTH_FW_FUZZ_FRAMES=${BENCH_FUZZ_FRAMES:-400000} HEARTH_FW_FUZZ_SEED=${BENCH_FUZZ_SEED:-0} \
		HEARTH_FW_FUZZ_JSON=$figures "$BUILD/test_progs" -t fw_fuzz >"$log" 2>&1
	rc=$?
	grep -E '^  [0-9]+ frames|^    seen (home|wan ):|frames/s|^  tests/|connection table' "$log"
	if [[ -s $figures ]]; then
		jq --arg rev "$(revision)" --arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
			'{benchmark: "fw_fuzz", revision: $rev, kernel: $kernel, date: $date,
			  method: "build/test_progs -t fw_fuzz: random frames, live (BPF_F_TEST_XDP_LIVE_FRAMES) into lan0 and wan0 of the test gateway, one at a time, what leaves judged at packet sockets on the far veth ends"} + .' \
			"$figures" >"$out"
	fi
	if [[ $rc -ne 0 ]]; then
		echo "fw_fuzz: the fuzz test failed (violations above; figures kept if any)" >&2
		rc=1
	fi
	rm -f "$figures" "$log"
	return $rc
}

# build/test_progs -t cryptopan_cost over more addresses; the test writes
# the figures, this adds where they come from.
step_cryptopan() {
	local out=$RESULTS/cryptopan.json figures log rc
	figures=$(mktemp) log=$(mktemp)
	HEARTH_CRYPTOPAN_ADDRS=${BENCH_CPAN_ADDRS:-1000000} HEARTH_CRYPTOPAN_JSON=$figures \
		"$BUILD/test_progs" -t cryptopan_cost >"$log" 2>&1
	rc=$?
	grep -E 'ns/address|^  tests/' "$log"
	if [[ $rc -eq 0 && -s $figures ]]; then
		jq --arg rev "$(revision)" --arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" \
			--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
			--arg crypto "$(openssl version 2>/dev/null)" \
			'{benchmark: "cryptopan", revision: $rev, kernel: $kernel, date: $date, cpu: $cpu,
			  libcrypto: $crypto,
			  method: "build/test_progs -t cryptopan_cost: hearth_cryptopan_ip4 and _ip6 over the same random addresses, one instance, one thread, median of the trials; wall clock per address"} + .' \
			"$figures" >"$out"
	else
		echo "cryptopan: the cost test failed" >&2
		rc=1
	fi
	rm -f "$figures" "$log"
	return $rc
}

list_steps() {
	local s
	for s in "${STEPS[@]}"; do
		printf '  %-14s %s\n' "${s%%|*}" "${s#*|}"
	done
}

main() {
	local wanted=("$@") s name failed=() ran=0

	if [[ ${1:-} == -l ]]; then
		list_steps
		return 0
	fi
	if [[ $(id -u) -ne 0 ]]; then
		echo "bench: needs root (BPF_PROG_TEST_RUN, network namespaces)" >&2
		return 1
	fi
	mkdir -p "$RESULTS"
	for s in "${STEPS[@]}"; do
		name=${s%%|*}
		if [[ ${#wanted[@]} -gt 0 && " ${wanted[*]} " != *" $name "* ]]; then
			continue
		fi
		echo "== bench $name: ${s#*|}"
		ran=$((ran + 1))
		"step_$name" || failed+=("$name")
	done
	if [[ $ran -eq 0 ]]; then
		echo "bench: no step named ${wanted[*]}; steps are:" >&2
		list_steps >&2
		return 1
	fi
	if [[ ${#failed[@]} -gt 0 ]]; then
		echo "bench: FAILED: ${failed[*]}" >&2
		return 1
	fi
	echo "bench: $ran step(s) done, results in $RESULTS/"
}

main "$@"
