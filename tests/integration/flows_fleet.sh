#!/usr/bin/env bash
# Two homes, one collector: two gateways (two hearthd, each in its own
# namespace, each home on 192.168.1.0/24 as homes are) export to one
# nfcapd, which tells them apart by observation domain; each flow is
# counted to the gateway it crossed, and the same private address in two
# homes comes out as two different ones (each gateway's own key).
source "$(dirname "$0")/../lib/prologue.sh" flows_fleet.sh ip nsenter python3 nfcapd tshark jq
NS_GW2=$TOPO_PREFIX-gw2
NS_H3=$TOPO_PREFIX-h3
TOPO_NAMESPACES+=("$NS_GW2" "$NS_H3")
PIN2=/sys/fs/bpf/$TOPO_PREFIX-2
RUN2=/tmp/$TOPO_PREFIX-run2
gw2_pid= nfcapd_pid= tshark_pid= serve_pid=
cleanup() {
	kill $nfcapd_pid $tshark_pid $serve_pid 2>/dev/null
	if [[ -n $gw2_pid ]]; then
		kill -TERM "$gw2_pid" 2>/dev/null
		wait "$gw2_pid" 2>/dev/null
	fi
	if [[ -d $PIN2 ]]; then
		"$HEARTH_BUILD/hearth" --pin-dir "$PIN2" down >/dev/null 2>&1 || true
		rm -rf "$PIN2"
	fi
	rm -rf "$RUN2"
	topo_destroy
}
trap cleanup EXIT
PEER="$here/../lib/flow_peer.py"
PORT=7000

topo_up # makes every namespace of TOPO_NAMESPACES, these two too
# the second home: gw2 behind the same internet router, home3 behind it
veth_link "$NS_GW2" wan0 "$NS_IN" eth1
veth_link "$NS_GW2" lan0 "$NS_H3" eth0
nsx "$NS_IN" ethtool -K eth1 gro on tx off >/dev/null # as topo_create does for eth0
nsx "$NS_IN" ip addr add 198.18.0.2/24 dev eth1
nsx "$NS_IN" ip link set eth1 up
# answers leave from the server address, as from a real remote host
nsx "$NS_IN" ip route add 198.18.0.1/32 dev eth1 src "$SERVER_V4"
nsx "$NS_GW2" sysctl -qw net.ipv4.ip_forward=1
nsx "$NS_GW2" ip addr add 198.18.0.1/24 dev wan0
nsx "$NS_GW2" ip addr add 192.168.1.1/24 dev lan0
nsx "$NS_GW2" ip link set wan0 up
nsx "$NS_GW2" ip link set lan0 up
nsx "$NS_GW2" ip route add default via 198.18.0.2
nsx "$NS_H3" ip addr add 192.168.1.10/24 dev eth0 # home1's address, in another home
nsx "$NS_H3" ip link set eth0 up
nsx "$NS_H3" ip route add default via 192.168.1.1
nsx "$NS_H3" ethtool -K eth0 tx off >/dev/null
nsx "$NS_H3" ethtool -K eth0 gro on >/dev/null # takes what XDP redirects

ip netns exec "$NS_IN" nfcapd -w "$work" -b "$SERVER_V4" -p 4739 -t 3600 >"$work/nfcapd.log" 2>&1 &
nfcapd_pid=$!
ip netns exec "$NS_IN" tshark -q -i any -f "udp port 4739" -w "$work/ipfix.pcap" >/dev/null 2>&1 &
tshark_pid=$!
ip netns exec "$NS_IN" python3 "$PEER" serve $PORT 60 &
serve_pid=$!

topo_config "$work/hearth.conf"
printf 'nat masquerade\nexport ipfix %s:4739\nexport active-timeout 1\n' "$SERVER_V4" >>"$work/hearth.conf"
hearthd_up "$work/hearth.conf" "$work/hearthd.log" "gateway 1 starts"
nat_only
cat >"$work/gw2.conf" <<CONF
wan wan0
lan lan0 192.168.1.0/24
pin-dir $PIN2
run-dir $RUN2
state-file $RUN2/state.json
chute-dir $RUN2/chutes
nat masquerade
export ipfix $SERVER_V4:4739
export active-timeout 1
CONF
nsenter --net="/run/netns/$NS_GW2" "$HEARTH_BUILD/hearthd" -c "$work/gw2.conf" >"$work/gw2.log" 2>&1 &
gw2_pid=$!
for i in $(seq 100); do
	grep -q "running with" "$work/gw2.log" && break
	sleep 0.05
done
t_check "two gateways run" grep -q "running with" "$work/gw2.log"
sleep 0.5

nsx "$NS_H1" python3 "$PEER" udp "$SERVER_V4" $PORT 3 100 >/dev/null
nsx "$NS_H3" python3 "$PEER" udp "$SERVER_V4" $PORT 5 100 >/dev/null
sleep 8
d1=$(hearth_cli -j status | jq .export.observation_domain)
d2=$(nsnet "$NS_GW2" "$HEARTH_BUILD/hearth" --run-dir "$RUN2" --pin-dir "$PIN2" -j status |
	jq .export.observation_domain)
t_cmp "each gateway has its own observation domain (from its own key)" "$d1" -ne "$d2"
kill -INT $tshark_pid
wait $tshark_pid 2>/dev/null
kill -TERM $nfcapd_pid
wait $nfcapd_pid 2>/dev/null
tshark_pid= nfcapd_pid=

t_check "nfcapd took both exporters, by observation domain" \
	bash -c "grep -q 'Observation domain $d1 ' '$work/nfcapd.log' && grep -q 'Observation domain $d2 ' '$work/nfcapd.log'"
# per domain: the packets of the flows to the server's port
per_domain=$(tshark -r "$work/ipfix.pcap" -d udp.port==4739,cflow -T json --no-duplicate-keys 2>/dev/null |
	jq -r ".[]._source.layers.cflow | .[\"cflow.od_id\"] as \$od | .. | objects |
		select(.[\"cflow.dstport\"] == \"$PORT\") | \"\\(\$od) \\(.[\"cflow.packets\"][0]) \\(.[\"cflow.srcaddr\"])\"" |
	awk '{ p[$1] += $2; a[$1] = $3 } END { for (d in p) print d, p[d], a[d] }')
t_cmp "gateway 1's domain: home1's 3 packets" "$(awk -v d="$d1" '$1 == d { print $2 }' <<<"$per_domain")" -eq 3
t_cmp "gateway 2's domain: home3's 5 packets" "$(awk -v d="$d2" '$1 == d { print $2 }' <<<"$per_domain")" -eq 5
a1=$(awk -v d="$d1" '$1 == d { print $3 }' <<<"$per_domain")
a2=$(awk -v d="$d2" '$1 == d { print $3 }' <<<"$per_domain")
t_check "192.168.1.10 in two homes: two different anonymized addresses ($a1, $a2)" \
	bash -c "[[ -n '$a1' && -n '$a2' && '$a1' != '$a2' && '$a1' != 192.168.1.10 ]]"
