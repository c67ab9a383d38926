#!/usr/bin/env bash
# bench/e2e_nat.sh: end to end, hearth's masquerade against Linux forwarding
# with nftables masquerade and conntrack, on the namespace topology of the
# tests (tests/lib/topo.sh) and with the same generated frames.
#
#   bench/e2e_nat.sh [-o OUT.json] [-g REVISION]
#
# Generator: build/nat_e2e runs e2e_gen (bench/e2e_nat.bpf.c) with
# BPF_PROG_TEST_RUN and live frames in the switch namespace, redirecting
# every frame into p0, the switch side of the gateway's LAN veth. The
# gateway's lan0 therefore receives them off its veth, as it would from
# home1, whichever gateway runs behind it. The frames: UDP from
# 192.168.1.10 to 203.0.113.10:5201, 64 bytes of payload (106-byte frames),
# the source port round robin over FLOWS flows. The sink, e2e_sink on eth0
# of the internet namespace, counts what arrives translated (from the WAN
# address), checks IPv4 and UDP checksums from scratch and drops it; it
# passes ARP.
#
# CPUs: the generator runs on CPU 0. The gateway's LAN receive runs in a
# threaded NAPI kthread of lan0 pinned to CPU 1: it receives from the veth
# and runs hearth's XDP program, or the kernel's stack (netfilter included),
# up to the transmit into wan0. That thread's run time (schedstat) divided
# by the packets delivered is the gateway's CPU time per packet. The sink
# runs in eth0's NAPI kthread on CPU 0, at SCHED_FIFO so that it preempts
# the generator as soon as frames wait; the gateway's thread and the
# generator run at nice -20, so that whatever else the machine runs takes
# little from them (SCHED_FIFO would stop a busy thread 50 ms a second).
# While it measures, nat_e2e keeps the gateway CPU out of idle with a
# SCHED_IDLE spinner: a virtual CPU that halts wakes so slowly that a paced
# load overflows the veth ring (18% of the frames lost at 0.2 Mpps with the
# gateway doing nothing); the spinner yields to any woken thread at once.
#
# Per trial (BENCH_E2E_TRIALS, default 3), in this order: Linux (nftables
# masquerade, no hearth) then hearth (`nat masquerade`, no nftables): a
# warm-up at 20 kpps that opens every flow's connection (checked in the
# kernel's or hearth's table), then the offered load flat out, then paced at
# the equal rate; and, in the Linux block, the harness's own capacity: the
# same frames flat out with the sink on lan0 itself (gen: what reaches the
# gateway), and flat out and paced through e2e_fwd, a bare XDP redirect from
# lan0 to wan0 (floor: the ceiling of generator, veths and sink together,
# and the least CPU an XDP gateway can spend). The equal rate is 40% of the first Linux maximum
# (BENCH_E2E_RATE overrides). Medians of the trials are reported.
set -u
cd "$(dirname "$0")/.." || exit 1

OUT=
REVISION=unknown
while getopts "o:g:" opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	g) REVISION=$OPTARG ;;
	*) echo "usage: $0 [-o OUT.json] [-g REVISION]" >&2; exit 2 ;;
	esac
done

TRIALS=${BENCH_E2E_TRIALS:-3}
SECONDS_EACH=${BENCH_E2E_SECONDS:-1.5}
FLOWS=${BENCH_E2E_FLOWS:-1024}
FIXED_RATE=${BENCH_E2E_RATE:-}
WARM_RATE=20000
WARM_SECONDS=0.5
GEN_CPU=0
GW_CPU=1
# the loss a paced run may show and still count as sustained
MAX_LOSS=0.01
TARGET_RATE_RATIO=3
TARGET_CPU_RATIO=0.3333

export HEARTH_BUILD
HEARTH_BUILD=$(cd "${HEARTH_BUILD:-build}" && pwd) || exit 1
TOPO_PREFIX=hbn$$
# shellcheck source=../tests/lib/topo.sh
source tests/lib/topo.sh

fail() {
	echo "nat_e2e: FAILED: $*" >&2
	exit 1
}

work=$(mktemp -d)
cleanup() {
	topo_destroy # hearthd, pins, namespaces (and with them every XDP link and nft rule), $work
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in nft jq renice chrt taskset ethtool "$HEARTH_BUILD/nat_e2e" "$HEARTH_BUILD/hearthd" "$HEARTH_BUILD/hearth"; do
	command -v "$tool" >/dev/null || fail "$tool is missing (make deps; make bench builds the binaries)"
done
[[ $(nproc) -ge 2 ]] || fail "needs 2 CPUs (generator and gateway on separate CPUs)"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"

topo_create
# a frame redirected into a veth is only taken by a peer with NAPI: XDP or
# GRO; GRO on lan0 lets the kernel baseline receive them (hearth's XDP
# would not need it; it is on for both)
nsx "$NS_GW" ethtool -K lan0 gro on >/dev/null
topo_config "$work/hearth.conf"
echo "nat masquerade" >>"$work/hearth.conf"
cat >"$work/nat.nft" <<NFT
table ip hearth_bench {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" ip saddr 192.168.1.0/24 masquerade
	}
}
NFT
LAN_MAC=$(nsx "$NS_GW" cat /sys/class/net/lan0/address)
H1_MAC=$(nsx "$NS_H1" cat /sys/class/net/eth0/address)

# pids of the NAPI kthreads of every interface named $1 (any namespace)
napi_pids() {
	local f comm
	for f in /proc/[0-9]*/comm; do
		{ read -r comm <"$f"; } 2>/dev/null || continue
		[[ $comm == "napi/$1-"* ]] && f=${f#/proc/} && echo "${f%/comm}"
	done | sort
}

# napi_claim NS DEV CPU PRIO: threaded NAPI for DEV, its kthread pinned to
# CPU, at nice -20 (PRIO "nice") or SCHED_FIFO PRIO; prints the kthread's
# pid. Other namespaces may have a DEV too: ours is the thread that appears
# when threading is turned on.
napi_claim() {
	local before after pid
	nsx "$1" sh -c "echo 0 > /sys/class/net/$2/threaded" || return 1
	before=$(napi_pids "$2")
	nsx "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" || return 1
	after=$(napi_pids "$2")
	pid=$(comm -13 <(echo "$before") <(echo "$after"))
	[[ -n $pid && $pid != *$'\n'* ]] || return 1
	taskset -pc "$3" "$pid" >/dev/null || return 1
	if [[ $4 == nice ]]; then
		renice -n -20 -p "$pid" >/dev/null || return 1
	else
		chrt -f -p "$4" "$pid" || return 1
	fi
	echo "$pid"
}

# The gateway's thread may use all of its CPU: SCHED_FIFO would be
# throttled for 50 ms a second. The sink's shares the generator's CPU and
# must run as soon as frames wait, or its ring overflows: SCHED_FIFO (it
# needs far less than the 95% throttling allows).
GW_NAPI= SINK_NAPI=
claim_threads() {
	GW_NAPI=$(napi_claim "$NS_GW" lan0 "$GW_CPU" nice) || fail "threaded NAPI on lan0"
	SINK_NAPI=$(napi_claim "$NS_IN" eth0 "$GEN_CPU" 50) || fail "threaded NAPI on eth0"
}

# Frames the veth rings refused: into lan0 (the gateway did not keep up)
# and into the sink's eth0 (XDP redirects and the kernel's transmits).
ring_drops() {
	local in xdp skb
	in=$(nsx "$NS_SW" ethtool -S p0 | awk '/tx_queue_0_xdp_xmit_errors/ {print $2}')
	xdp=$(nsx "$NS_GW" ethtool -S wan0 | awk '/tx_queue_0_xdp_xmit_errors/ {print $2}')
	skb=$(nsx "$NS_GW" ip -j -s link show wan0 | jq '.[0].stats64.tx.dropped')
	echo "{\"lan_ring\":${in:-0},\"wan_ring\":$((${xdp:-0} + ${skb:-0}))}"
}

xdp_on() { nsx "$NS_GW" ip -j link show "$1" | jq -e '.[0].xdp != null' >/dev/null; }

# offer LABEL SINK_NS SINK_DEV RATE SECONDS [NAT_E2E_ARGS...]: one nat_e2e
# run, its JSON line (with the label) appended to $work/runs.jsonl.
offer() {
	local line d0 d1
	d0=$(ring_drops)
	line=$(timeout 60 nice -n -20 "$HEARTH_BUILD/nat_e2e" -G "/run/netns/$NS_SW" -g p0 \
		-S "/run/netns/$2" -s "$3" -m "$LAN_MAC" -M "$H1_MAC" \
		--src "$H1_V4" --dst "$SERVER_V4" --wan "$GW_WAN_V4" \
		-f "$FLOWS" -r "$4" -d "$5" -c "$GEN_CPU" -p "$GW_NAPI" -q "$SINK_NAPI" \
		-w "$GW_CPU" "${@:6}") ||
		fail "$1: the generator failed"
	d1=$(ring_drops)
	line=$(jq -c --arg l "$1" --argjson t "$trial" --argjson a "$d0" --argjson b "$d1" \
		'. + {label: $l, trial: $t, ring_drops: {lan0: ($b.lan_ring - $a.lan_ring),
		      eth0: ($b.wan_ring - $a.wan_ring)}}' <<<"$line")
	echo "$line" >>"$work/runs.jsonl"
	LAST=$line
	jq -r '"nat_e2e: \(.label): offered \(.offered_pps) pps, delivered \(.translated_pps + .untranslated_pps) pps"' \
		<<<"$line" >&2
}

field() { jq -r ".$1" <<<"$LAST"; }

# Self-checks of a gateway run: everything delivered was translated, with
# valid checksums, and a paced run lost at most MAX_LOSS.
check_run() {
	local label=$1 paced=$2
	[[ $(field untranslated) -eq 0 ]] || fail "$label: $(field untranslated) frames left untranslated"
	[[ $(field bad_checksum) -eq 0 ]] || fail "$label: $(field bad_checksum) frames with a wrong checksum"
	[[ $(field translated) -gt 0 ]] || fail "$label: nothing delivered"
	if [[ $paced == paced ]]; then
		jq -e --argjson m "$MAX_LOSS" '.translated >= .offered * (1 - $m)' <<<"$LAST" >/dev/null ||
			echo "nat_e2e: note: $label lost more than ${MAX_LOSS} of $(field offered) (delivered $(field translated))" >&2
	fi
}

# The generator alone (sink on lan0) or through the bare XDP forwarder:
# the frames arrive as generated.
check_capacity() {
	[[ $(field bad_checksum) -eq 0 ]] || fail "$1: the generator's checksums are wrong"
	[[ $(field translated) -eq 0 ]] || fail "$1: frames were translated"
	[[ $(field untranslated) -gt 0 ]] || fail "$1: nothing arrived"
}

mode_linux() {
	stop_hearthd
	nsnet "$NS_GW" "$HEARTH_BUILD/hearth" down >/dev/null 2>&1
	rm -rf "$HEARTH_PIN_DIR" "$HEARTH_RUN_DIR"
	! xdp_on lan0 && ! xdp_on wan0 || fail "hearth is still attached"
	nsx "$NS_GW" nft -f "$work/nat.nft" || fail "nft"
	claim_threads
	nsx "$NS_GW" ping -c 1 -W 1 "$IN_WAN_V4" >/dev/null || fail "the gateway cannot reach the next hop"
}

mode_hearth() {
	nsx "$NS_GW" nft delete table ip hearth_bench || fail "nft delete"
	start_hearthd "$work/hearth.conf" "$work/hearthd.log" ||
		fail "hearthd does not start: $(tail -n 3 "$work/hearthd.log" | tr '\n' ' ')"
	xdp_on lan0 && xdp_on wan0 || fail "hearth is not attached"
	claim_threads
	nsx "$NS_GW" ping -c 1 -W 1 "$IN_WAN_V4" >/dev/null || fail "the gateway cannot reach the next hop"
}

: >"$work/runs.jsonl"
RATE=$FIXED_RATE
for trial in $(seq "$TRIALS"); do
	mode_linux
	offer linux_warm "$NS_IN" eth0 "$WARM_RATE" "$WARM_SECONDS"
	check_run linux_warm -
	n=$(nsx "$NS_GW" cat /proc/sys/net/netfilter/nf_conntrack_count)
	[[ $n -ge $FLOWS ]] || fail "linux: $n connections tracked after the warm-up, want $FLOWS"
	offer linux_max "$NS_IN" eth0 0 "$SECONDS_EACH"
	check_run linux_max -
	if [[ -z $RATE ]]; then
		# 40% of the kernel's maximum, in 10 kpps steps: at 60% the
		# kernel already lost about 1% in bursts
		RATE=$(jq -r '[(.translated_pps * 0.4 / 10000 | floor) * 10000, 10000] | max' <<<"$LAST")
	fi
	offer linux_paced "$NS_IN" eth0 "$RATE" "$SECONDS_EACH"
	check_run linux_paced paced
	offer gen_max "$NS_GW" lan0 0 "$SECONDS_EACH"
	check_capacity gen_max
	fwd=(-X "/run/netns/$NS_GW" -x lan0 -y wan0)
	offer floor_max "$NS_IN" eth0 0 "$SECONDS_EACH" "${fwd[@]}"
	check_capacity floor_max
	offer floor_paced "$NS_IN" eth0 "$RATE" "$SECONDS_EACH" "${fwd[@]}"
	check_capacity floor_paced

	mode_hearth
	offer hearth_warm "$NS_IN" eth0 "$WARM_RATE" "$WARM_SECONDS"
	check_run hearth_warm -
	n=$(hearth_cli -j nat show | jq '.entries')
	[[ $n -ge $((2 * FLOWS)) ]] || fail "hearth: $n conntrack entries after the warm-up, want $((2 * FLOWS))"
	offer hearth_max "$NS_IN" eth0 0 "$SECONDS_EACH"
	check_run hearth_max -
	offer hearth_paced "$NS_IN" eth0 "$RATE" "$SECONDS_EACH"
	check_run hearth_paced paced
	echo "nat_e2e: trial $trial/$TRIALS done" >&2
done

spectre=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null || echo unknown)
cpu_model=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
report=$(jq -s \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg rev "$REVISION" \
	--arg kernel "$(uname -r)" --arg cpu "$cpu_model" --argjson nproc "$(nproc)" \
	--arg spectre "$spectre" --argjson rate "$RATE" --argjson flows "$FLOWS" \
	--argjson trials "$TRIALS" --argjson secs "$SECONDS_EACH" \
	--argjson tr "$TARGET_RATE_RATIO" --argjson tc "$TARGET_CPU_RATIO" \
	--argjson maxloss "$MAX_LOSS" --argjson gencpu "$GEN_CPU" --argjson gwcpu "$GW_CPU" '
	def median: sort | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r(d): . * pow(10; d) | round / pow(10; d);
	def runs($l): map(select(.label == $l));
	def delivered: if .label | test("^(gen|floor)_") then .untranslated else .translated end;
	def cpu_ns: .napi_ns / delivered;
	def cpu1_ns: (.cpu_busy_ns[$gwcpu] - .spinner_ns) / delivered;
	. as $all |
	def summary($l): ($all | runs($l)) as $r | {
		trials: ($r | length),
		offered_pps: ($r | map(.offered_pps) | median | round),
		delivered_pps: ($r | map(delivered / .seconds) | median | round),
		delivered_pps_trials: ($r | map(delivered / .seconds | round)),
		loss: ($r | map(1 - delivered / .offered) | median | r(4)),
		gw_cpu_ns_per_pkt: ($r | map(cpu_ns) | median | r(1)),
		gw_cpu_ns_per_pkt_trials: ($r | map(cpu_ns | r(1))),
		cpu1_busy_ns_per_pkt: ($r | map(cpu1_ns) | median | r(1)),
		gw_thread_busy: ($r | map(.napi_ns / .seconds / 1e9) | median | r(3)),
		sink_thread_busy: ($r | map(.sink_ns / .seconds / 1e9) | median | r(3)),
		late_bursts: ($r | map(.late_bursts) | add),
		ring_drops_lan0: ($r | map(.ring_drops.lan0) | add),
		ring_drops_eth0: ($r | map(.ring_drops.eth0) | add)
	};
	(summary("linux_max")) as $lm | (summary("hearth_max")) as $hm |
	(summary("linux_paced")) as $lp | (summary("hearth_paced")) as $hp |
	(summary("gen_max")) as $gm | (summary("floor_max")) as $fm |
	(summary("floor_paced")) as $fp |
	($hm.delivered_pps / $lm.delivered_pps) as $rate_ratio |
	($hp.gw_cpu_ns_per_pkt / $lp.gw_cpu_ns_per_pkt) as $cpu_ratio |
	def capacity($x): $x.delivered_pps / $x.gw_thread_busy | round;
	{
		benchmark: "nat_e2e", date: $date, revision: $rev,
		machine: { kernel: $kernel, cpu_model: $cpu, nproc: $nproc,
			   generator_cpu: $gencpu, gateway_cpu: $gwcpu, spectre_v2: $spectre },
		method: {
			topology: "tests/lib/topo.sh: home1 -- sw (bridge) -- lan0 [gw] wan0 -- eth0 [inet]",
			generator: "BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES in the sw namespace, e2e_gen redirecting every frame into p0 (the peer of the gateway'"'"'s lan0); batch 64",
			frames: "IPv4 UDP 192.168.1.10:(20000 + flow) -> 203.0.113.10:5201, 64-byte payload, 106-byte frames, valid checksums, round robin over the flows",
			flows: $flows,
			sink: "e2e_sink (XDP) on eth0 of the internet namespace: counts frames from the WAN address, checks IPv4 and UDP checksums, drops; passes ARP",
			linux: "no hearth; nftables: table ip hearth_bench, postrouting nat chain, oifname wan0 ip saddr 192.168.1.0/24 masquerade (conntrack); GRO on lan0",
			hearth: "hearthd with nat masquerade, XDP on lan0 and wan0; no nftables",
			cpu: "gateway CPU per packet = run time (schedstat) of lan0'"'"'s threaded NAPI kthread, pinned to the gateway CPU at nice -20, over the window / packets delivered; it covers the veth receive, the XDP program or the kernel stack with netfilter, and the transmit into wan0. cpu1_busy (from /proc/stat, tick-sampled, minus the spinner) is a cross-check",
			awake: "while measuring, a SCHED_IDLE thread spins (pause) on the gateway CPU so that it never halts: waking a halted virtual CPU is slow enough to overflow the veth ring at a paced load",
			generator_capacity: "gen_max: the same frames flat out with the sink attached to lan0 itself: what reaches the gateway when it does no work. floor_*: the gateway replaced by e2e_fwd, an XDP program on lan0 that redirects every frame untouched into wan0: the ceiling of the whole harness (generator, veths, sink) and the CPU floor of an XDP gateway",
			capacity_from_cpu: "delivered pps / busy fraction of the gateway thread: what the gateway would forward with its CPU to itself, when the generator and sink (CPU 0) are the limit",
			warmup: "each block first offers 20 kpps for 0.5 s, opening every flow'"'"'s connection; checked: nf_conntrack_count >= flows, or hearth nat show entries >= 2 x flows",
			window: "each run offers for a 0.3 s ramp, then measures over the window",
			seconds_per_run: $secs, trials: $trials, statistic: "median of trials",
			equal_rate_pps: $rate,
			equal_rate_choice: "40% of the first Linux maximum, in 10 kpps steps (BENCH_E2E_RATE overrides)",
			paced: "bursts of 64 frames every 64/rate seconds (one test-run batch), the veth ring holds 256",
			max_loss_sustained: $maxloss
		},
		generator: { into_lan0: $gm, bare_xdp_forward: { max: $fm, paced: $fp } },
		linux: { max: $lm, paced: $lp },
		hearth: { max: $hm, paced: $hp },
		comparison: {
			rate_ratio: ($rate_ratio | r(2)),
			cpu_ratio: ($cpu_ratio | r(3)),
			gw_cpu_over_bare_xdp_forward_ns: {
				linux: ($lp.gw_cpu_ns_per_pkt - $fp.gw_cpu_ns_per_pkt | r(1)),
				hearth: ($hp.gw_cpu_ns_per_pkt - $fp.gw_cpu_ns_per_pkt | r(1))
			},
			capacity_from_cpu_pps: { linux: capacity($lm), hearth: capacity($hm),
						 bare_xdp_forward: capacity($fm) },
			capacity_from_cpu_ratio: (capacity($hm) / capacity($lm) | r(2)),
			both_sustain_equal_rate: ($lp.loss <= $maxloss and $hp.loss <= $maxloss),
			hearth_max_bound_by_generator: ($hm.gw_thread_busy < 0.9),
			target_rate_ratio: $tr, target_cpu_ratio: $tc,
			rate_target_met: ($rate_ratio >= $tr),
			cpu_target_met: ($cpu_ratio <= $tc),
			target_met: ($rate_ratio >= $tr or $cpu_ratio <= $tc)
		},
		runs: $all
	}' "$work/runs.jsonl") || fail "summarising"

jq -r '
	def lpad($n): tostring | (" " * ($n - length)) + .;
	def rpad($n): tostring | . + (" " * ($n - length));
	def pct: . * 100 | round | tostring + "%";
	def row($name; $x): "\($name | rpad(28))\($x.offered_pps | lpad(11))\($x.delivered_pps | lpad(12))\($x.gw_cpu_ns_per_pkt | lpad(10))\($x.gw_thread_busy | pct | lpad(8))\($x.loss | pct | lpad(8))";
	"\nnat_e2e: \(.machine.kernel), \(.machine.cpu_model), \(.machine.nproc) CPUs, \(.date)",
	"the same frames for all: \(.method.flows) UDP flows, 106-byte frames; \(.method.trials) trials x \(.method.seconds_per_run) s, medians;",
	"generator and sink on CPU \(.machine.generator_cpu), the gateway'"'"'s LAN receive thread on CPU \(.machine.gateway_cpu)\n",
	"                               offered   delivered  gw CPU   gw CPU    loss",
	"flat out                          pps         pps  ns/pkt     busy",
	row("generator -> lan0 (no gw)"; .generator.into_lan0),
	row("bare XDP redirect (floor)"; .generator.bare_xdp_forward.max),
	row("linux nftables masquerade"; .linux.max),
	row("hearth nat masquerade"; .hearth.max),
	"\nequal offered load, \(.method.equal_rate_pps) pps",
	row("bare XDP redirect (floor)"; .generator.bare_xdp_forward.paced),
	row("linux nftables masquerade"; .linux.paced),
	row("hearth nat masquerade"; .hearth.paced),
	"",
	"delivered pps, hearth / linux: \(.comparison.rate_ratio)x (target >= \(.comparison.target_rate_ratio)x: \(if .comparison.rate_target_met then "met" else "NOT MET" end))",
	(if .comparison.hearth_max_bound_by_generator then
	"  hearth'"'"'s thread was \(.hearth.max.gw_thread_busy | pct) busy: CPU \(.machine.generator_cpu) (generator + sink) was the limit, a lower bound;\n  from CPU use: hearth \(.comparison.capacity_from_cpu_pps.hearth) pps, linux \(.comparison.capacity_from_cpu_pps.linux) pps: \(.comparison.capacity_from_cpu_ratio)x"
	else empty end),
	"gateway CPU per packet at equal load, hearth / linux: \(.comparison.cpu_ratio) (target <= 1/3: \(if .comparison.cpu_target_met then "met" else "NOT MET" end))",
	"  above the bare XDP redirect: linux \(.comparison.gw_cpu_over_bare_xdp_forward_ns.linux) ns/pkt, hearth \(.comparison.gw_cpu_over_bare_xdp_forward_ns.hearth) ns/pkt",
	"both sustain the equal load (loss <= \(.method.max_loss_sustained | pct)): \(.comparison.both_sustain_equal_rate)",
	"target (either): \(if .comparison.target_met then "met" else "NOT MET" end)"
' <<<"$report"

if [[ -n $OUT ]]; then
	jq . <<<"$report" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT" || fail "writing $OUT"
	echo "wrote $OUT"
fi
