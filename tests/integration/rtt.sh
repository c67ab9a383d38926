#!/usr/bin/env bash
# Passive round-trip times: with one direction of the WAN link delayed by
# 1, 20 and 150 ms and one direction of home1's LAN link by 5 ms, the
# minimum WAN and home round-trip times a TCP connection's flow records
# report are the configured delays, within 5% or 0.5 ms; with TCP
# timestamps off, the handshake still gives both.
#
# This kernel has no netem (docs/ENVIRONMENT: HTB, TBF, clsact, pfifo), so
# the delays come from a delay line of the test's own: a namespace between
# the gateway's WAN and the internet, and between home1 and the switch,
# whose AF_PACKET sockets hold frames of one direction for the delay
# (tests/lib/delay_line.py).
source "$(dirname "$0")/../lib/prologue.sh" rtt.sh ip nsenter python3 jq ethtool curl promtool
NS_DL=$TOPO_PREFIX-dl
TOPO_NAMESPACES+=("$NS_DL")
trap 'kill $serve_pid $line_pid 2>/dev/null; topo_destroy' EXIT
serve_pid= line_pid=
PEER="$here/../lib/flow_peer.py"
PORT=7000

topo_up
# the WAN link through the delay line: wan0 - wa [dl] wb - eth0
nsx "$NS_GW" ip link del wan0
veth_link "$NS_GW" wan0 "$NS_DL" wa
veth_link "$NS_DL" wb "$NS_IN" eth0
nsx "$NS_GW" ip addr add "$GW_WAN_V4/24" dev wan0
nsx "$NS_GW" ip addr add "$GW_WAN_V6/64" dev wan0 nodad
nsx "$NS_GW" ip link set wan0 up
nsx "$NS_GW" ip route add default via "$IN_WAN_V4"
nsx "$NS_IN" ip addr add "$IN_WAN_V4/24" dev eth0
nsx "$NS_IN" ip addr add "$IN_WAN_V6/64" dev eth0 nodad
nsx "$NS_IN" ip link set eth0 up
nsx "$NS_IN" ethtool -K eth0 tx off >/dev/null
nsx "$NS_IN" ip route add "$GW_WAN_V4/32" dev eth0 src "$SERVER_V4" # as nat_only
# home1's link through it too: eth0 - la [dl] lb - p1
nsx "$NS_H1" ip link del eth0
veth_link "$NS_H1" eth0 "$NS_DL" la
veth_link "$NS_DL" lb "$NS_SW" p1
nsx "$NS_SW" ip link set p1 master br0 up
host_addrs "$NS_H1" "$H1_V4" "$H1_V6"
nsx "$NS_H1" ethtool -K eth0 tx off >/dev/null
for dev in wa wb la lb; do
	nsx "$NS_DL" ip link set $dev promisc on up
done
# wa takes what the gateway's XDP redirects: with an XDP program of its
# own (one that passes everything), not GRO, whose merged frames would
# reach the relay's sockets with their checksums left to offload
nsx "$NS_DL" ethtool -K wa gro off >/dev/null
nsx "$NS_DL" ip link set dev wa xdp obj "$HEARTH_BUILD/bpf/xdp_empty.bpf.o" sec xdp
echo 1 >"$work/delay"
DELAY_FILE="$work/delay" ip netns exec "$NS_DL" python3 "$here/../lib/delay_line.py" \
	1 wb wa 5 la lb &
line_pid=$!

topo_config "$work/hearth.conf"
printf 'nat masquerade\nexport log %s/flows.json sync-ms 100\nexport active-timeout 1\n' \
	"$work" >>"$work/hearth.conf"
hearthd_up "$work/hearth.conf" "$work/hearthd.log"
FLOWS=$work/flows.json
ip netns exec "$NS_IN" python3 "$PEER" serve $PORT 120 &
serve_pid=$!
sleep 0.5

# within GOT_US WANT_MS: |got - want| <= max(5%, 0.5 ms)
within() {
	local got=$1 want=$(($2 * 1000)) slack
	slack=$((want / 20 > 500 ? want / 20 : 500))
	((got >= want - slack && got <= want + slack))
}
# the smallest of the reported minimums toward @where of the flows whose
# source ports are in the list $1
min_of() {
	jq -s --arg ports "$1" '($ports | split(" ") | map(tonumber)) as $p
		| [.[] | select(.sport as $s | $p | index($s)) | .rtt.'"$2"'.min_us // empty] | min // 0' "$FLOWS"
}
samples_of() {
	jq -s "[.[] | select(.sport == $1) | .rtt.$2.samples // 0] | max // 0" "$FLOWS"
}

t_check "home1 reaches the server through the delay lines" \
	nsx "$NS_H1" ping -c 1 -W 2 "$SERVER_V4"
for delay in 1 20 150; do
	echo "$delay" >"$work/delay"
	sleep 0.3
	# 0.1 s between exchanges: the connection lasts over a second, so
	# that timestamps give samples beside the handshake's at any delay
	# (a direction samples 4 times a second at most)
	port=$(nsx "$NS_H1" python3 "$PEER" tcp "$SERVER_V4" $PORT 12 200 0.1)
	sleep 7 # a report (active timeout 1 s, looked at every 5 s)
	wan=$(min_of "$port" wan)
	home=$(min_of "$port" home)
	t_check "WAN ${delay} ms: the minimum WAN RTT reported is $wan us" within "$wan" "$delay"
	t_check "  and home1's (5 ms): $home us" within "$home" 5
	t_cmp "  timestamps as well as the handshake" "$(samples_of "$port" wan)" -ge 2
done

# no TCP timestamps: the handshake alone, one sample each way a
# connection, so three connections (the smallest of three samples, as
# the timestamp cases take the smallest of many)
nsx "$NS_H1" sysctl -qw net.ipv4.tcp_timestamps=0
echo 20 >"$work/delay"
sleep 0.3
ports=()
for i in 1 2 3; do
	ports+=("$(nsx "$NS_H1" python3 "$PEER" tcp "$SERVER_V4" $PORT 6 200)")
done
sleep 7
wan=$(min_of "${ports[*]}" wan)
home=$(min_of "${ports[*]}" home)
t_check "timestamps off: the handshake still gives the WAN's 20 ms ($wan us)" within "$wan" 20
t_check "  and home1's 5 ms ($home us)" within "$home" 5
t_cmp "  one sample each way, the handshake's" \
	"$(($(samples_of "${ports[0]}" wan) + $(samples_of "${ports[0]}" home)))" -eq 2

# the home's histograms: /metrics and tenant show
metrics=$(nsx "$NS_GW" curl -sS --max-time 3 http://127.0.0.1:9477/metrics)
t_check "/metrics passes promtool with the RTT histograms" \
	bash -c "promtool check metrics <<<\"\$1\"" _ "$metrics"
t_cmp "  the home's samples toward the WAN" \
	"$(awk '$1 == "hearth_rtt_seconds_count{tenant=\"home\",where=\"wan\"}" { print $2 }' <<<"$metrics")" -ge 8
t_cmp "  the 150 ms ones above 100 ms" \
	"$(awk '$1 == "hearth_rtt_seconds_count{tenant=\"home\",where=\"wan\"}" { n = $2 }
		$1 == "hearth_rtt_seconds_bucket{tenant=\"home\",where=\"wan\",le=\"0.1\"}" { le = $2 }
		END { print n - le }' <<<"$metrics")" -ge 2
t_check "tenant show: the home's round-trip times" \
	grep -Eq 'rtt +wan [0-9.]+ ms mean.*; home [0-9.]+ ms mean' <<<"$(hearth_cli tenant show home)"
