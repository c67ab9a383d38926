#!/usr/bin/env bash
# IPFIX over TLS, for a collector outside the home: hearthd checks the
# collector's certificate against the configured CA (and that it names
# the collector's address), and sends its records encrypted; a collector
# whose certificate another CA signed gets nothing, the failure counted
# and named. The collector here is a TLS terminator (tests/lib/
# ipfix_tls_relay.py) that hands each IPFIX message to nfdump's nfcapd,
# which has no TLS of its own; the flows' counts are checked there.
source "$(dirname "$0")/../lib/prologue.sh" flows_tls.sh ip nsenter python3 openssl nfcapd nfdump tshark jq
trap 'kill $relay_pid $nfcapd_pid $serve_pid $cap_pid 2>/dev/null; topo_destroy' EXIT
relay_pid= nfcapd_pid= serve_pid= cap_pid=
PEER="$here/../lib/flow_peer.py"
PORT=7000

topo_up
# a CA, the collector's certificate for its address, and another CA
pki() { openssl "$@" >/dev/null 2>&1; }
pki req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$work/ca.key" -out "$work/ca.pem" -subj /CN=hearth-test-ca
pki req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$work/other.key" -out "$work/other.pem" -subj /CN=another-ca
pki req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$work/collector.key" -out "$work/collector.csr" -subj /CN=collector
printf 'subjectAltName=IP:%s\n' "$SERVER_V4" >"$work/san"
pki x509 -req -in "$work/collector.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
	-CAcreateserial -days 2 -extfile "$work/san" -out "$work/collector.pem"
t_check "the test's certificates" test -s "$work/collector.pem"

mkdir -p "$work/nfcapd"
ip netns exec "$NS_IN" nfcapd -w "$work/nfcapd" -b 127.0.0.1 -p 4739 -t 3600 >/dev/null 2>&1 &
nfcapd_pid=$!
ip netns exec "$NS_IN" python3 "$here/../lib/ipfix_tls_relay.py" "$work/collector.pem" \
	"$work/collector.key" "$SERVER_V4" 127.0.0.1:4739 4740 4741 >"$work/relay.log" 2>&1 &
relay_pid=$!
ip netns exec "$NS_IN" tcpdump -q -i eth0 -w "$work/tls.pcap" "tcp port 4740" >/dev/null 2>&1 &
cap_pid=$!
ip netns exec "$NS_IN" python3 "$PEER" serve $PORT 60 &
serve_pid=$!
topo_config "$work/hearth.conf"
cat >>"$work/hearth.conf" <<CONF
nat masquerade
export ipfix $SERVER_V4:4740 tls ca $work/ca.pem
export ipfix $SERVER_V4:4741 tls ca $work/other.pem
export active-timeout 1
CONF
hearthd_up "$work/hearth.conf" "$work/hearthd.log"
nat_only
sleep 0.5

port=$(nsx "$NS_H1" python3 "$PEER" udp "$SERVER_V4" $PORT 5 100)
nsx "$NS_H2" python3 "$PEER" tcp "$SERVER_V4" $PORT 4 300 >/dev/null
sleep 8
x=$(hearth_cli -j status | jq -c .export)
by() { jq -r --arg c "$1" ".ipfix[] | select(.collector == \$c) | .$2" <<<"$x"; }
t_cmp "the collector with the right certificate took every record" \
	"$(by "$SERVER_V4:4740" messages)" -ge 2
t_cmp "  none dropped" "$(by "$SERVER_V4:4740" dropped_records)" -eq 0
t_check "  over tls" grep -qx tls <<<"$(by "$SERVER_V4:4740" transport)"
t_cmp "the one whose certificate another CA signed got nothing" \
	"$(by "$SERVER_V4:4741" messages)" -eq 0
t_cmp "  its failures counted" "$(by "$SERVER_V4:4741" errors)" -ge 1
t_check "  and named" grep -q 'certificate' <<<"$(by "$SERVER_V4:4741" last_error)"
t_check "hearth status shows it" grep -q "ipfix $SERVER_V4:4741 tls: .*certificate" <<<"$(hearth_cli status)"

kill -INT $cap_pid
wait $cap_pid 2>/dev/null
kill -TERM $nfcapd_pid
wait $nfcapd_pid 2>/dev/null
cap_pid= nfcapd_pid=
t_cmp "on the wire: TLS application data" \
	"$(tshark -r "$work/tls.pcap" -d tcp.port==4740,tls -Y tls.app_data 2>/dev/null | wc -l)" -ge 2
t_cmp "  and no IPFIX in the clear" \
	"$(tshark -r "$work/tls.pcap" -d tcp.port==4740,cflow -Y cflow 2>/dev/null | wc -l)" -eq 0
# nfdump, behind the TLS terminator: home1's UDP flow, 5 datagrams of 128
# IP bytes each way (the post-NAT port is home1's, kept by the masquerade)
got=$(nfdump -R "$work/nfcapd" -q -N -o 'fmt:%pr %xsp %ipkt %ibyt %opkt %obyt' "proto udp and dst port $PORT" 2>/dev/null |
	awk -v p="$port" '$2 == p { i += $3; ib += $4; o += $5; ob += $6 } END { print i, ib, o, ob }')
t_check "nfdump: home1's UDP flow, 5 packets and 640 bytes each way ($got)" \
	test "$got" = "5 640 5 640"
t_cmp "  and home2's TCP flow" \
	"$(nfdump -R "$work/nfcapd" -q -N -o 'fmt:%pr' "proto tcp and dst port $PORT" 2>/dev/null | wc -l)" -ge 1
