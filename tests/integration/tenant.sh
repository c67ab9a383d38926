#!/usr/bin/env bash
# Tenants, metering and home first, measured with real clients on a shaped
# link. The internet namespace (the ISP's router; the servers sit one hop
# behind it) limits its side of the WAN link to 100 Mbit/s each way (HTB
# on its egress for the download, HTB on an ifb behind its ingress for
# the upload), with a deep ISP-like queue (1000 packets). hearth
# is told the link carries 90 Mbit/s each way: an operator sets a little
# below the line rate so that the queue builds at the gateway, not at the
# ISP, as with any home shaper (SQM advises 85-95%). home2 is
# the tenant "guest" (by prefix): guaranteed 10 Mbit/s, ceiling 50 Mbit/s
# each way; home1 is the home.
#
# Printed figures are saved to $TENANT_FIGURES (JSON) when that is set
# (make bench does).
source "$(dirname "$0")/../lib/prologue.sh" tenant.sh ip ping iperf3 jq nsenter tc
# the remote servers sit one hop behind the ISP, not in its namespace: a
# sender whose own qdisc is the bottleneck never sees the ISP queue's loss
# (TCP small queues hold it back instead), unlike any real remote host
NS_SRV=$TOPO_PREFIX-srv
TOPO_NAMESPACES+=("$NS_SRV")

LINE_MBIT=100 CAP_MBIT=90 G_MBIT=10 CEIL_MBIT=50
gateway_up "nat masquerade" \
	"wan-capacity up ${CAP_MBIT}mbit down ${CAP_MBIT}mbit" \
	"tenant guest prio 3 prefix $H2_V4/32 prefix $H2_V6/128" \
	"tenant guest up rate ${G_MBIT}mbit ceil ${CEIL_MBIT}mbit down rate ${G_MBIT}mbit ceil ${CEIL_MBIT}mbit"
nsx "$NS_IN" ip route del 192.168.1.0/24
nsx "$NS_IN" ip addr del "$SERVER_V4/32" dev lo
nsx "$NS_IN" ip route add "$GW_WAN_V4/32" dev eth0 src "$IN_WAN_V4"
veth_link "$NS_IN" srv0 "$NS_SRV" eth0
nsx "$NS_IN" sysctl -qw net.ipv4.ip_forward=1
nsx "$NS_IN" ip link set srv0 up
nsx "$NS_IN" ip route add "$SERVER_V4/32" dev srv0
nsx "$NS_SRV" ip addr add "$SERVER_V4/32" dev eth0
nsx "$NS_SRV" ip link set eth0 up
nsx "$NS_SRV" ip route add "$IN_WAN_V4/32" dev eth0
nsx "$NS_SRV" ip route add default via "$IN_WAN_V4" dev eth0 onlink
nsx "$NS_SRV" ethtool -K eth0 tx off >/dev/null

# the ISP: 100 Mbit/s each way, 1000-packet queues. A wire carries
# frames, not the host stack's 64 kB GSO bundles, which would make the
# queue move in 5 ms steps: segment before the queue, as a link would.
nsx "$NS_IN" ethtool -K eth0 gso off tso off >/dev/null
nsx "$NS_IN" tc qdisc add dev eth0 root handle 1: htb default 1
nsx "$NS_IN" tc class add dev eth0 parent 1: classid 1:1 htb rate ${LINE_MBIT}mbit
nsx "$NS_IN" ip link add ifb0 type ifb
nsx "$NS_IN" ip link set ifb0 up
nsx "$NS_IN" tc qdisc add dev ifb0 root handle 1: htb default 1
nsx "$NS_IN" tc class add dev ifb0 parent 1: classid 1:1 htb rate ${LINE_MBIT}mbit
nsx "$NS_IN" tc qdisc add dev eth0 handle ffff: ingress
nsx "$NS_IN" tc filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 \
	action mirred egress redirect dev ifb0
for port in 5201 5202 5203 5204 5205; do
	nsx "$NS_SRV" iperf3 -s -D -p $port
done
sleep 0.5

json=$(hearth_cli -j tenant show)
t_jq "tenant show -j lists home and guest" \
	'[.tenants[].name] == ["home","guest"] and .capacity.down == 90000000' \
	"$json"
t_jq "home's guaranteed rate is the capacity minus the guest's" \
	'.tenants[0].down.rate == 80000000 and .tenants[0].up.ceil == 90000000' \
	"$json"
t_jq "guest matched by its prefixes" \
	'.tenants[1].match.prefix == ["192.168.1.11/32","2001:db8:1::11/128"]' \
	"$json"
htb=$(nsx "$NS_GW" tc class show dev wan0)
t_check "HTB shaper on the WAN: home class prio 0, guest class" \
	grep -q "class htb 4854:101 parent 4854:1.*prio 3" <<<"$htb"

mbit() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
# iperf3 receiver throughput in bits/s from its JSON: TCP, or UDP
tcp_bps() { jq -r '.end.sum_received.bits_per_second // 0' "$1" 2>/dev/null || echo 0; }
udp_bps() {
	jq -r '(.end.sum.bits_per_second // 0) * (1 - (.end.sum.lost_percent // 0) / 100)' \
		"$1" 2>/dev/null || echo 0
}
# 95th percentile of the RTTs in a ping output
ping_p95() {
	grep -o 'time=[0-9.]*' "$1" | cut -d= -f2 | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) { print 9999; exit }
			i = int(NR * 0.95 + 0.999); if (i > NR) i = NR; print v[i] }'
}
# Samples the guest's bytes through the gateway about once a second:
# "seconds up_sent_bytes down_bytes" per line, until killed.
sample_guest() {
	while :; do
		hearth_cli -j tenant show guest |
			jq -r --arg t "$(date +%s.%N)" '"\($t) \(.up.sent_bytes // 0) \(.down.bytes)"'
		sleep 1
	done >"$1"
}
# The largest rate over any 10 s window (or the whole run when shorter)
# of column $2 of a sample file, in Mbit/s; windows are measured by the
# samples' own times, since each sample takes a little more than a second.
max_window() {
	awk -v col="$2" '{ t[NR] = $1; v[NR] = $col } END {
		m = 0
		for (i = 1; i < NR; i++) {
			for (j = i + 1; j < NR && t[j] - t[i] < 10; j++)
				;
			if (t[j] - t[i] < 10 && i > 1)
				break
			r = (v[j] - v[i]) * 8 / (t[j] - t[i]) / 1e6; if (r > m) m = r
		}
		printf "%.1f", m }' "$1"
}
figures="{}"
figure() { figures=$(jq -c --arg k "$1" --argjson v "$2" '.[$k] = $v' <<<"$figures"); }

# flood_trial DIR: the guest floods (TCP x4 and UDP) while home1 runs a
# TCP transfer and a ping; DIR is "up" or "down". Sets home, p95, gmax.
flood_trial() {
	local dir=$1 r=() udp_rate=300M
	if [[ $dir == down ]]; then
		r=(-R)
		# an unresponsive download takes link capacity before the
		# gateway sees it: no gateway can give that back, so the
		# download flood's UDP part stays within its guarantee
		udp_rate=${G_MBIT}M
	fi
	sample_guest "$work/$dir.samples" & local sampler=$!
	nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5202 -P 4 -t 14 "${r[@]}" -J >"$work/$dir.gtcp" &
	local g1=$!
	nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5203 -u -b $udp_rate -l 1400 -t 14 "${r[@]}" -J \
		>"$work/$dir.gudp" &
	local g2=$!
	sleep 3
	nsx "$NS_H1" ping -i 0.05 -c 180 "$SERVER_V4" >"$work/$dir.ping" &
	local p=$!
	nsx "$NS_H1" iperf3 -c "$SERVER_V4" -p 5201 -t 9 "${r[@]}" -J >"$work/$dir.home"
	wait $p $g1 $g2
	kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
	home=$(tcp_bps "$work/$dir.home")
	p95=$(ping_p95 "$work/$dir.ping")
	gmax=$(max_window "$work/$dir.samples" $([[ $dir == up ]] && echo 2 || echo 3))
	echo "  $dir: home $(mbit "$home") Mbit/s (need >= $(mbit "$need")), guest TCP $(mbit "$(tcp_bps "$work/$dir.gtcp")")" \
		"+ UDP $(mbit "$(udp_bps "$work/$dir.gudp")") Mbit/s, guest max 10 s window $gmax Mbit/s" \
		"(ceiling $CEIL_MBIT), home ping p95 $p95 ms"
}

flood_met() {
	((${home%.*} >= ${need%.*})) &&
		awk -v m="$gmax" -v c=$CEIL_MBIT -v p="$p95" \
			'BEGIN { exit !(m <= c * 1.05 && p <= 10) }'
}

# flood DIR: the home keeps its share and its latency while the guest
# floods; trials as tests/lib/report.sh's trials_until runs them.
flood() {
	local dir=$1 trial home p95 gmax stolen disturbed=
	local need=$((85 * (CAP_MBIT - G_MBIT) * 10000))
	trials_until flood_met flood_trial "$dir" || disturbed=1
	figure "flood_${dir}_home_mbit" "$(mbit "$home")"
	figure "flood_${dir}_home_need_mbit" "$(mbit "$need")"
	figure "flood_${dir}_guest_max_window_mbit" "$gmax"
	figure "flood_${dir}_ping_p95_ms" "$p95"
	figure "flood_${dir}_cpu_stolen_pct" "$stolen"
	figure "flood_${dir}_trials" "$trial"
	if [[ -n $disturbed ]]; then
		t_skip "$dir, guest flooding: home's share and latency" \
			"every trial ran with >= $STEAL_MAX% of the CPU stolen by the hypervisor"
		return
	fi
	t_cmp "$dir, guest flooding: home gets >= 85% of (capacity - guaranteed)" \
		"${home%.*}" -ge "$need"
	t_check "$dir, guest flooding: guest within its ceiling +5% over 10 s" \
		awk -v m="$gmax" -v c=$CEIL_MBIT 'BEGIN { exit !(m <= c * 1.05) }'
	t_check "$dir, guest flooding: home ping p95 <= 10 ms" \
		awk -v p="$p95" 'BEGIN { exit !(p <= 10) }'
}

# alone DIR: the home is idle; the guest may borrow up to its ceiling.
alone() {
	local dir=$1 r=() got gmax
	[[ $dir == down ]] && r=(-R)
	sample_guest "$work/$dir.alone.samples" & local sampler=$!
	nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5204 -P 2 -t 10 "${r[@]}" -J >"$work/$dir.alone"
	kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
	got=$(tcp_bps "$work/$dir.alone")
	gmax=$(max_window "$work/$dir.alone.samples" $([[ $dir == up ]] && echo 2 || echo 3))
	echo "  $dir: guest alone $(mbit "$got") Mbit/s (ceiling $CEIL_MBIT, need >= $(mbit $((CEIL_MBIT * 850000)))), max 10 s window $gmax"
	figure "alone_${dir}_guest_mbit" "$(mbit "$got")"
	figure "alone_${dir}_guest_max_window_mbit" "$gmax"
	t_cmp "$dir, home idle: guest reaches >= 85% of its ceiling" "${got%.*}" -ge $((CEIL_MBIT * 850000))
	t_check "$dir, home idle: guest within its ceiling +5% over 10 s" \
		awk -v m="$gmax" -v c=$CEIL_MBIT 'BEGIN { exit !(m <= c * 1.05) }'
}

flood up
flood down
alone up
alone down

# a UDP download far above the ceiling: the policer holds what reaches
# the guest to its ceiling, and says why it dropped the rest
before=$(hearth_cli -j tenant show guest | jq '.down.drops.ceiling')
nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5205 -u -b 90M -l 1400 -t 5 -R -J >"$work/udp.over"
got=$(udp_bps "$work/udp.over")
after=$(hearth_cli -j tenant show guest | jq '.down.drops.ceiling')
echo "  down: guest UDP at 90 Mbit/s, delivered $(mbit "$got") Mbit/s, tenant-ceiling drops $((after - before))"
figure udp_over_ceiling_delivered_mbit "$(mbit "$got")"
t_check "UDP download over the ceiling delivered within ceiling +5%" \
	awk -v b="$got" -v c=$CEIL_MBIT 'BEGIN { exit !(b <= c * 1.05e6) }'
t_cmp "tenant-ceiling drops counted for the guest" "$((after - before))" -ge 100
t_cmp "and on the WAN's interface counters" "$(counter wan0 tenant-ceiling)" -ge 100

# runtime change: a new ceiling shows within a second. UDP, so that the
# figure is the policer's and not TCP's recovery from the cut: with this
# testbed's quarter-millisecond RTT a TCP flow cannot go slower than one
# or two segments per RTT, so it stalls in timeouts far below a 20 Mbit/s
# ceiling (docs/architecture.md, Limits).
nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5204 -u -b 45M -l 1400 -t 6 -R -i 0.5 -J >"$work/set.json" &
iperf=$!
sleep 2.5
hearth_cli tenant set guest down ceil 20mbit
set_at=2.5
wait $iperf
# intervals that start a second after the change
late=$(jq -r --argjson t $set_at '[.intervals[] | select(.sum.start >= $t + 1 and .sum.seconds >= 0.4) |
	.sum.bits_per_second] | max' "$work/set.json")
low=$(jq -r --argjson t $set_at '[.intervals[] | select(.sum.start >= $t + 1 and .sum.seconds >= 0.4) |
	.sum.bits_per_second] | min' "$work/set.json")
early=$(jq -r --argjson t $set_at '[.intervals[] | select(.sum.end <= $t) |
	.sum.bits_per_second] | max' "$work/set.json")
echo "  runtime set: before $(mbit "$early") Mbit/s, from 1 s after 'tenant set ... ceil 20mbit' $(mbit "$low")-$(mbit "$late") Mbit/s"
figure runtime_set_before_mbit "$(mbit "$early")"
figure runtime_set_after_max_mbit "$(mbit "$late")"
figure runtime_set_after_min_mbit "$(mbit "$low")"
t_check "tenant set: the new ceiling holds within a second" \
	awk -v b="$late" 'BEGIN { exit !(b <= 20 * 1.05e6) }'
t_check "tenant set: and the guest still gets it (>= 85%)" \
	awk -v b="$low" 'BEGIN { exit !(b >= 20 * 0.85e6) }'
t_jq "tenant set: show reports the new ceiling" \
	'.down.ceil == 20000000 and .down.rate == 10000000 and .up.ceil == 50000000' \
	"$(hearth_cli -j tenant show guest)"
t_jq "a tenant's host share is the gateway's until set" '.host_share == null' \
	"$(hearth_cli -j tenant show guest)"
hearth_cli tenant set guest host-share 25
t_jq "tenant set host-share: shown, the rest kept" '.host_share == 25 and .down.ceil == 20000000' \
	"$(hearth_cli -j tenant show guest)"
t_cmp "tenant set host-share 0: refused as usage" "$(hearth_cli tenant set guest host-share 0 >/dev/null 2>&1; echo $?)" -eq 2

echo "figures: $figures"
[[ -z ${TENANT_FIGURES:-} ]] || echo "$figures" >"$TENANT_FIGURES"

hearth_cli down
t_check "down: our HTB shaper is gone from the WAN" \
	bash -c "! ip netns exec $NS_GW tc qdisc show dev wan0 | grep -q 'htb 4854:'"
