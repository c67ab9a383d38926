#!/usr/bin/env bash
# Masquerade with real clients: the internet host has no route to the home
# subnet, so only NAT can make ping, curl and iperf3 work; a capture on the
# internet side proves no frame ever carries an inside source address,
# including the first packets after the neighbour cache was flushed.
source "$(dirname "$0")/../lib/prologue.sh" nat.sh ip ping iperf3 curl jq nsenter tcpdump busybox tracepath
trap 'kill $tcpdump_pid $httpd_pid 2>/dev/null; topo_destroy' EXIT
tcpdump_pid= httpd_pid=

gateway_up "nat masquerade"
nat_only # replies come home through NAT alone, from the server address

ip netns exec "$NS_IN" tcpdump -i eth0 -n -U -w "$work/wan.pcap" ip 2>/dev/null &
tcpdump_pid=$!
mkdir -p "$work/www"
head -c 2M /dev/urandom >"$work/www/blob"
ip netns exec "$NS_IN" busybox httpd -f -p 80 -h "$work/www" &
httpd_pid=$!
sleep 1

# first packets while the gateway does not know the next hop: they cross
# the kernel, and tc on WAN egress must translate them
nsx "$NS_GW" ip neigh flush dev wan0
out=$(nsx "$NS_H1" ping -c 20 -i 0.05 -W 1 "$SERVER_V4")
t_check "ping from home1 through NAT" grep -q " 0% packet loss" <<<"$out"
out=$(nsx "$NS_H2" ping -c 20 -i 0.05 -W 1 "$SERVER_V4")
t_check "ping from home2 through NAT" grep -q " 0% packet loss" <<<"$out"
t_cmp "first packets translated on the slow path (snat-slow)" "$(counter wan0 snat-slow)" -ge 1

nsx "$NS_H1" curl -sS -o "$work/got" "http://$SERVER_V4/blob"
t_check "curl through NAT: content intact" cmp -s "$work/got" "$work/www/blob"

nsx "$NS_IN" iperf3 -s -D -1 -p 5201; sleep 0.3
json=$(nsx "$NS_H1" iperf3 -c "$SERVER_V4" -p 5201 -t 2 -J)
t_cmp "iperf3 TCP through NAT: bytes received" "$(jq '.end.sum_received.bytes' <<<"$json")" -gt 10000000
nsx "$NS_IN" iperf3 -s -D -1 -p 5202; sleep 0.3
json=$(nsx "$NS_H2" iperf3 -c "$SERVER_V4" -p 5202 -u -b 50M -t 2 -J)
# 50 Mbit/s for 2 s in 1460-byte datagrams: about 8500
t_cmp "iperf3 UDP through NAT: datagrams received" "$(jq '.end.sum_received.packets' <<<"$json")" -gt 8000
# correctness, not capacity: on a shared 2-core machine the receiving
# socket may shed a little; what NAT loses is nothing
t_cmp "iperf3 UDP through NAT: loss under 5%" "$(jq '.end.sum_received.lost_percent | floor' <<<"$json")" -lt 5

# Fragments both ways: 4000-byte echoes leave home1 in fragments (the
# kernel forwards them and tc translates each, later ones by datagram) and
# come back in fragments (XDP translates them before the kernel forwards)
out=$(nsx "$NS_H1" ping -c 3 -i 0.1 -W 2 -M dont -s 4000 "$SERVER_V4")
t_check "fragmented echoes through NAT, both ways" grep -q " 0% packet loss" <<<"$out"

# tracepath's last hop answers "port unreachable" to the WAN address: only
# the translation of ICMP errors (quoted header included) gets it home
out=$(nsx "$NS_H1" tracepath -n -m 5 "$SERVER_V4" 2>&1)
t_check "tracepath: first hop is the gateway" grep -q " 1:  $GW_LAN_V4 " <<<"$out"
t_check "tracepath: destination reached through NAT" grep -q "reached" <<<"$out"

nat=$(hearth_cli -j nat show)
# iperf3 has finished by now: its data connection saw FINs
t_jq "nat show: home1's TCP session, behind the WAN address, now closing" \
	"[.connections[] | select(.proto == \"tcp\" and (.inside | startswith(\"$H1_V4:\"))
	  and (.outside | startswith(\"$GW_WAN_V4:\")) and (.state | IN(\"fin-wait\", \"close-wait\", \"last-ack\", \"time-wait\", \"close\"))
	  and .packets_in > 1000)] | length >= 1" "$nat"
t_jq "nat show: home2's echo session" \
	"[.connections[] | select(.proto == \"icmp\" and (.inside | startswith(\"$H2_V4:\")))] | length == 1" "$nat"
t_jq "nat show: table fill and limit" '.entries == 2 * (.connections | length) and .capacity == 65536' "$nat"
t_jq "nat show: connections per home host, and what the table did" \
	".hosts[\"$H1_V4\"] >= 1 and .table_events.opened >= (.connections | length)" "$nat"
t_jq "status: masquerade to the WAN address, table fill shown" \
	".nat.masquerade and .nat.address == \"$GW_WAN_V4\" and .nat.entries > 0 and .nat.capacity == 65536 and .nat.wan_egress_prog_id > 0" \
	"$(hearth_cli -j status)"
t_check "nat show: text form" bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth nat show | grep -q '^connections: '"

out=$(nsx "$NS_H1" ping -6 -c 5 -i 0.05 -W 1 "$SERVER_V6")
t_check "IPv6 is routed, not translated" grep -q " 0% packet loss" <<<"$out"
t_cmp "most packets took the XDP fast path" "$(counter lan0 forward)" -gt 1000

# Record Route and Timestamp would carry the home address out inside the
# option: such packets never leave (nat-ip-options)
before=$(counter lan0 nat-ip-options)
nsx "$NS_H1" ping -R -c 2 -i 0.2 -W 1 "$SERVER_V4" >/dev/null 2>&1
nsx "$NS_H1" ping -T tsandaddr -c 2 -i 0.2 -W 1 "$SERVER_V4" >/dev/null 2>&1
t_cmp "IPv4 options from a home host: dropped and counted (nat-ip-options)" \
	$(($(counter lan0 nat-ip-options) - before)) -ge 4

# A long TCP transfer keeps going across a hearthd restart.
nsx "$NS_IN" iperf3 -s -D -1 -p 5203; sleep 0.3
nsx "$NS_H1" iperf3 -c "$SERVER_V4" -p 5203 -t 5 -i 1 -J >"$work/long.json" &
iperf_pid=$!
sleep 1.5
stop_hearthd
sleep 1
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts under a transfer"
wait "$iperf_pid"
t_cmp "transfer across a restart: no second without data" \
	"$(jq '[.intervals[].sum.bytes | select(. == 0)] | length' "$work/long.json")" -eq 0
t_jq "transfer across a restart: sessions survived" \
	'.end.sum_received.bytes > 10000000' "$(cat "$work/long.json")"

# A range of two identifiers: a third colliding echo session is refused
# with its own counter, the established ones keep working.
echo "nat ports 50000-50001" >>"$work/hearth.conf"
kill -HUP "$HEARTHD_PID"; sleep 0.5
nat_ping() { nsx "$1" ping -c 3 -i 0.05 -W 1 -e "$2" "$SERVER_V4" | grep -q " 0% packet loss"; }
t_check "port range: first session" nat_ping "$NS_H1" 50000
t_check "port range: second session moved to the other port" nat_ping "$NS_H2" 50000
before=$(counter lan0 nat-no-port)
t_check "port range: third session refused" bash -c "! ip netns exec $NS_H1 ping -c 2 -i 0.05 -W 1 -e 50001 $SERVER_V4 >/dev/null"
t_cmp "port range: refusals counted (nat-no-port)" $(($(counter lan0 nat-no-port) - before)) -ge 2
t_check "port range: established sessions undisturbed" nat_ping "$NS_H1" 50000

sleep 0.5
kill "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null; tcpdump_pid=
read -r with_options holding < <(/usr/bin/python3 "$here/../lib/pcap_ip_options.py" "$work/wan.pcap" 192.168.1.0/24)
t_cmp "capture: IPv4 packets with options holding a home address (must be none)" "$holding" -eq 0
t_cmp "capture: no packet of the home's with options reached the internet" "$with_options" -eq 0
inside=$(tcpdump -r "$work/wan.pcap" -n 'src net 192.168.1.0/24 or dst net 192.168.1.0/24' 2>/dev/null | wc -l)
from_wan=$(tcpdump -r "$work/wan.pcap" -n "src host $GW_WAN_V4" 2>/dev/null | wc -l)
t_cmp "capture: frames from the WAN address" "$from_wan" -gt 1000
t_cmp "capture: frames with an inside address (must be none)" "$inside" -eq 0

# The WAN address changes (a new DHCP lease): connections on the old one
# are dropped, new ones leave from the new address.
t_cmp "connections before the address change" "$(hearth_cli -j nat show | jq '.connections | length')" -gt 0
nsx "$NS_GW" ip addr del "$GW_WAN_V4/24" dev wan0
nsx "$NS_GW" ip addr add 198.51.100.5/24 dev wan0
nsx "$NS_GW" ip route replace default via "$IN_WAN_V4"
nsx "$NS_IN" ip route add 198.51.100.5/32 dev eth0 src "$SERVER_V4"
for i in $(seq 40); do
	grep -q "the WAN address changed" "$work/hearthd.log" && break
	sleep 0.05
done
t_check "old address: hearthd drops its connections" grep -q "the WAN address changed, [1-9][0-9]* connections and [1-9][0-9]* mappings on the old one dropped" "$work/hearthd.log"
t_check "  and its log names neither address" bash -c "! grep -Eq '${GW_WAN_V4//./\\.}|198\\.51\\.100\\.5' '$work/hearthd.log'"
out=$(nsx "$NS_H1" ping -c 3 -i 0.05 -W 1 "$SERVER_V4")
t_check "new address: ping through NAT again" grep -q " 0% packet loss" <<<"$out"
t_jq "new address: connections leave from it" \
	'[.connections[] | select(.outside | startswith("198.51.100.5:"))] | length >= 1' "$(hearth_cli -j nat show)"
