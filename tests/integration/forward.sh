#!/usr/bin/env bash
# Forwarding through hearth in namespaces with real clients: ICMP, UDP and
# TCP in both families, and counters proving the packets took XDP.
source "$(dirname "$0")/../lib/prologue.sh" forward.sh ip ping iperf3 jq nsenter

gateway_up

status=$(hearth_cli -j status)
t_jq "status: daemon running" '.daemon.running == true' "$status"
t_jq "status: lan0 and wan0 attached in native mode" \
	'[.interfaces[] | select(.attached and .mode == "native")] | length == 2' "$status"

# fwd_delta IFACE: forward-counter packets since the last snapshot
declare -A snap
snapshot() { local i; for i in lan0 wan0; do snap[$i]=$(counter "$i" forward); done; }
fwd_delta() { echo $(($(counter "$1" forward) - ${snap[$1]})); }
slow_total() {
	hearth_cli -j stats dev "$1" | jq '.interfaces[0].totals.slow.packets + .interfaces[0].totals.drop.packets'
}

ping_test() {
	local fam=$1 dst=$2 out received
	snapshot
	out=$(nsx "$NS_H1" ping "-$fam" -c 50 -i 0.02 -W 1 "$dst")
	received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	t_cmp "ICMPv$fam: echo replies received" "$received" -ge 49
	# the very first request may wait for the neighbour in the kernel
	t_cmp "ICMPv$fam: requests forwarded by XDP on lan0" "$(fwd_delta lan0)" -ge 48
	t_cmp "ICMPv$fam: replies forwarded by XDP on wan0" "$(fwd_delta wan0)" -ge 48
}

iperf_server() {
	nsx "$NS_IN" iperf3 -s -D -1 -p "$1" --logfile "$work/iperf-$1.log"
	sleep 0.3
}

# UDP datagrams the internet host's sockets dropped for a full receive
# buffer: the receiver's loss, not the path's (a starved iperf3 server)
rcvbuf_drops() {
	if [[ $1 == 4 ]]; then
		nsx "$NS_IN" awk '/^Udp:/ { if (!n++) { for (i = 1; i <= NF; i++) c[$i] = i }
			else print $c["RcvbufErrors"] }' /proc/net/snmp
	else
		nsx "$NS_IN" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6
	fi
}

# one 2 s UDP run at 100 Mbit/s; sets sent, lost (on the path) and
# fwd, slow (what the gateway did with it)
udp_trial() {
	local fam=$1 dst=$2 port=$3 json slow_before rcv_before
	iperf_server "$port"
	snapshot
	slow_before=$(slow_total lan0)
	rcv_before=$(rcvbuf_drops "$fam")
	json=$(nsx "$NS_H1" iperf3 "-$fam" -c "$dst" -p "$port" -u -b 100M -l 1200 -t 2 -J)
	sent=$(jq '.end.sum_sent.packets // 0' <<<"$json")
	# loss as the receiving server saw it, less its own socket's drops
	lost=$(jq '.end.sum_received.lost_packets // 999999' <<<"$json")
	local rcv=$(($(rcvbuf_drops "$fam") - rcv_before))
	lost=$((${lost:-999999} - ${rcv:-0}))
	fwd=$(fwd_delta lan0)
	slow=$(($(slow_total lan0) - slow_before))
	echo "  UDPv$fam: $sent sent, $lost lost on the way, $rcv dropped by the receiver's full socket"
}
udp_met() { [[ $sent =~ ^[0-9]+$ ]] && ((lost <= sent / 100)); }

udp_test() {
	local fam=$1 sent lost fwd slow trial stolen
	if ! trials_until udp_met udp_trial "$@"; then
		t_skip "UDPv$fam: 100 Mbit/s through the gateway" \
			"every trial ran with >= $STEAL_MAX% of the CPU stolen by the hypervisor"
		return
	fi
	t_cmp "UDPv$fam: datagrams sent" "${sent:-0}" -gt 10000 # 100 Mbit/s for 2 s: ~20800
	t_cmp "UDPv$fam: datagrams lost on the way" "$lost" -le $((sent / 100))
	t_cmp "UDPv$fam: datagrams forwarded by XDP" "$fwd" -ge "$sent"
	t_cmp "UDPv$fam: slow path stayed quiet" "$slow" -le 20
}

tcp_test() {
	local fam=$1 dst=$2 port=$3 json bytes bps
	iperf_server "$port"
	snapshot
	json=$(nsx "$NS_H1" iperf3 "-$fam" -c "$dst" -p "$port" -t 2 -J)
	bytes=$(jq '.end.sum_received.bytes' <<<"$json")
	bps=$(jq '.end.sum_received.bits_per_second | floor' <<<"$json")
	t_cmp "TCPv$fam: bytes received by the server" "${bytes:-0}" -gt 10000000
	echo "  TCPv$fam: $((bps / 1000000)) Mbit/s through the gateway"
	# each full segment is one forwarded frame of at most 1514 bytes
	t_cmp "TCPv$fam: data segments forwarded by XDP" "$(fwd_delta lan0)" -ge $((bytes / 1514))
	t_cmp "TCPv$fam: ACKs forwarded by XDP" "$(fwd_delta wan0)" -gt 1000
}

ping_test 4 "$SERVER_V4"
ping_test 6 "$SERVER_V6"
udp_test 4 "$SERVER_V4" 5201
udp_test 6 "$SERVER_V6" 5202
tcp_test 4 "$SERVER_V4" 5203
tcp_test 6 "$SERVER_V6" 5204

# Home host to home host stays on the LAN switch: nothing for XDP to do.
snapshot
nsx "$NS_H1" ping -c 3 -i 0.05 "$H2_V4" >/dev/null
t_cmp "LAN-local traffic bypasses the gateway" "$(fwd_delta lan0)" -eq 0

t_check "no drops on lan0" test "$(hearth_cli -j stats dev lan0 | jq .interfaces[0].totals.drop.packets)" -eq 0
