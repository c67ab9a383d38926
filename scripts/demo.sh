#!/usr/bin/env bash
# `make demo`: a home gateway in network namespaces. Two home hosts behind a
# LAN switch, the gateway running hearth with NAT, and an "internet" host on
# TEST-NET addresses serving a file over HTTP, with no route back to the
# home subnet (only NAT brings answers home; IPv6 is routed). Traffic from
# the home crosses the XDP fast path; the counters and the connection table
# show it. Everything is torn down at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
	echo "demo: needs root (network namespaces, XDP)" >&2
	exit 1
fi
source tests/lib/topo.sh
work=$(mktemp -d)
# the chutes live under it, and crun reaches them as each chute's own
# root (a user namespace): the directory must be searchable by others
chmod 711 "$work"
httpd_pid= nfcapd_pid=
cleanup() {
	set +e # every step must run, whatever failed before
	for pid in $httpd_pid $nfcapd_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	hearth_cli chute remove sensor >/dev/null 2>&1
	topo_destroy
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Topology: home1, home2 -- switch -- lan0 [gateway, NAT] wan0 -- internet ($SERVER_V4, $SERVER_V6)"
topo_create
topo_config "$work/hearth.conf"
echo "nat masquerade" >>"$work/hearth.conf"
echo "firewall allow tcp $H2_V6 22" >>"$work/hearth.conf"
echo "chute-dir $work/chutes" >>"$work/hearth.conf"
# flow records: IPFIX to nfdump's collector on the internet host, and a JSON log
echo "export ipfix $SERVER_V4:4739" >>"$work/hearth.conf"
echo "export log $work/flows.json" >>"$work/hearth.conf"
echo "export active-timeout 2" >>"$work/hearth.conf"
nat_only
mkdir -p "$work/nfcapd"
ip netns exec "$NS_IN" nfcapd -w "$work/nfcapd" -b "$SERVER_V4" -p 4739 -t 3600 >/dev/null 2>&1 &
nfcapd_pid=$!
sed 's/^/    /' "$work/hearth.conf"

step "Starting hearthd in the gateway's network namespace"
if ! start_hearthd "$work/hearth.conf" "$work/hearthd.log"; then
	cat "$work/hearthd.log" >&2
	exit 1
fi
cat "$work/hearthd.log"
hearth_cli status

step "A web server on the internet host (busybox httpd), with a 50 MB file"
mkdir -p "$work/www"
head -c 50M /dev/urandom >"$work/www/big.bin"
echo "hello from the internet" >"$work/www/index.html"
# not through nsx: $! must be the server itself, not a subshell
ip netns exec "$NS_IN" busybox httpd -f -p 80 -h "$work/www" &
httpd_pid=$!
sleep 0.3

step "ping from home1 (IPv4) and home2 (IPv6)"
nsx "$NS_H1" ping -c 5 -i 0.2 "$SERVER_V4" | tail -2
nsx "$NS_H2" ping -6 -c 5 -i 0.2 "$SERVER_V6" | tail -2

step "HTTP from both home hosts through the gateway"
nsx "$NS_H1" curl -sS "http://$SERVER_V4/index.html"
for host in "$NS_H1 $SERVER_V4" "$NS_H2 [$SERVER_V6]"; do
	set -- $host
	nsx "$1" curl -sS -o "$work/got.bin" -w "  ${1##*-}: %{size_download} bytes in %{time_total} s (%{speed_download} B/s)\n" \
		"http://$2/big.bin"
	cmp -s "$work/got.bin" "$work/www/big.bin" && echo "  content verified"
done

step "What crossed the XDP fast path (hearth stats)"
hearth_cli stats

step "Cached forwarding decisions (hearth fib show)"
hearth_cli fib show

step "NAT as STUN sees it: coturn's RFC 5780 discovery from home1 (turnserver on two internet addresses)"
nsx "$NS_IN" ip addr add 203.0.113.11/32 dev lo
ip netns exec "$NS_IN" turnserver -n --no-tls --no-dtls --no-cli --log-file=stdout \
	-L "$SERVER_V4" -L 203.0.113.11 >/dev/null 2>&1 &
turn_pid=$!
sleep 1
nsx "$NS_H1" timeout 30 turnutils_natdiscovery -m -f "$SERVER_V4" 2>&1 |
	grep -E "^NAT with" | sed 's/^/  /'
kill "$turn_pid" 2>/dev/null
echo "  the server's answers from its other address, which home1 never sent to, were refused: nat-filtered = $(counter wan0 nat-filtered)"

step "The firewall: nmap from the internet against home2's IPv6 address, which has no NAT in front"
nsx "$NS_H2" python3 -c 'import socket, time
ls = [socket.create_server(("::", p), family=socket.AF_INET6) for p in (22, 23)]
time.sleep(60)' &
listen_pid=$!
sleep 0.5
nsx "$NS_IN" nmap -6 -n -Pn -T5 --max-retries 1 -p 1-1000 "$H2_V6" 2>&1 |
	grep -E '^[0-9]+/tcp|Not shown|filtered' | sed 's/^/  /'
kill "$listen_pid" 2>/dev/null
echo "  port 22 is the pinhole of 'firewall allow tcp $H2_V6 22'; home2 listens on 23 as well, unreached"
echo "  unsolicited probes refused: fw-refused = $(counter wan0 fw-refused)"
hearth_cli firewall

step "Flow records: hearth flows (root sees home addresses), then what left the gateway"
sleep 6 # each connection reported once it is 2 s old; hearthd looks every 5 s
hearth_cli flows limit 6
kill "$nfcapd_pid" && wait "$nfcapd_pid" 2>/dev/null # writes its file
nfcapd_pid=
echo "  nfdump, on the internet host's collector (IPFIX; 'out' is the reverse direction, RFC 5103):"
nfdump -R "$work/nfcapd" -q -N -o 'fmt:%pr %sa %sp -> %da %dp  in %ipkt pkts %ibyt B  out %opkt pkts %obyt B' 2>/dev/null |
	head -n 4 | sed 's/^/    /'
echo "  the JSON flow log (jq), with the round-trip times measured on the way:"
jq -c 'select(.proto == "tcp") | {src, dst, dport, bytes, rev_bytes, rtt}' "$work/flows.json" |
	head -n 2 | sed 's/^/    /'
echo "  home1 is 192.168.1.10 and home2 2001:db8:1::11 at home; outside, only their anonymized"
echo "  addresses (prefix-preserving Crypto-PAn, this gateway's key) and the server's real one"
hearth_cli tenant show home | grep -E '^ +rtt' || true

step "Connections: masqueraded IPv4 with their mappings, tracked IPv6 (hearth nat show)"
hearth_cli nat show

step "The table keeps itself: hearthd stopped, home1 opens 50000 UDP flows, more than the table holds"
stop_hearthd
nsx "$NS_H1" python3 tests/lib/ct_load.py flood "$H1_V4" "$SERVER_V4" 9 50000
start_hearthd "$work/hearth.conf" "$work/hearthd.log" >/dev/null
hearth_cli nat show | sed -n '2,4p'
echo "  the data plane made room by itself: home1's flows gave way to its own (evicted-own),"
echo "  it never held more than half the table, and the flows that ended waited in the ring for"
echo "  hearthd, as many as the ring holds (the rest are counted: ends-lost)"

step "The same for Prometheus: GET /metrics on the gateway's loopback (a few of its lines)"
nsx "$NS_GW" curl -s http://127.0.0.1:9477/metrics |
	grep -E '^hearth_(conntrack_entries|conntrack_ended_total|tenant_bytes_total)' | head -n 8

step "A chute: busybox httpd + a sensor loop, installed from an OCI bundle and run by crun"
sandbox/examples/busybox-chute.sh "$work/sensor-bundle" >/dev/null
hearth_cli chute install sensor "$work/sensor-bundle"
hearth_cli chute start sensor
chute_addr=$(hearth_cli -j chute status sensor | jq -r .address)
sleep 1.5
echo "  from home1, directly: $(nsx "$NS_H1" curl -s -m 3 "http://$chute_addr/" | grep -o '<h1>.*</h1>')"
echo "  from the internet, WAN port 8080: $(nsx "$NS_IN" curl -s -m 3 "http://$GW_WAN_V4:8080/" | grep -o '<h1>.*</h1>')"
echo "  the sensor's readings in its data directory: $(tail -n 1 "$work/chutes/sensor/data/readings/log")"
if nsx hearth-sensor ping -c 1 -W 1 "$H1_V4" >/dev/null 2>&1; then
	echo "  UNEXPECTED: the chute reached home1"
else
	echo "  the chute cannot reach home1: chute-isolated = $(counter hc-sensor chute-isolated)"
fi
hearth_cli chute status sensor
hearth_cli chute logs sensor tail 3

step "Changes go through hearthd; it keeps them (hearth config show: each setting and its source)"
hearth_cli tenant add guest prio 3 down ceil 20mbit prefix "$H2_V4/32"
hearth_cli config show | grep -E '^(nat|wan|lan|tenant|forward|pin-dir)'
echo "  hearthd restarted: the runtime tenant is still there"
stop_hearthd
start_hearthd "$work/hearth.conf" "$work/hearthd.log" >/dev/null
hearth_cli tenant show guest | head -n 1

hearth_cli -j stats | jq -r '
	[.interfaces[].totals] as $t
	| "\nIn all: \($t | map(.fast.packets) | add) packets forwarded by XDP, \($t | map(.slow.packets) | add) handed to the kernel (ARP, ND, first packets before the neighbour was known), \($t | map(.drop.packets) | add) dropped."'

step "A researcher's probe: a signed bundle, checked as the gateway checks it (nothing loaded)"
openssl genpkey -algorithm ed25519 -out "$work/researcher.pem" 2>/dev/null
openssl pkey -in "$work/researcher.pem" -pubout -out "$work/researcher.pub"
# the researcher guide's example, as make built it: the key and expiry filled in, signed
mkdir -p "$work/probe"
cp "$HEARTH_BUILD/examples/tcp_retrans/probe.bpf.o" "$HEARTH_BUILD/examples/tcp_retrans/manifest.json" \
	"$work/probe/"
sed -i "s/\"KEY\"/\"$("$HEARTH_BUILD/hearth" probe key "$work/researcher.pub")\"/; s/\"EXPIRES\"/\"2099-01-01T00:00:00Z\"/" \
	"$work/probe/manifest.json"
"$HEARTH_BUILD/hearth" probe sign "$work/probe" "$work/researcher.pem" >/dev/null
"$HEARTH_BUILD/hearth" probe show "$work/probe" key "$work/researcher.pub" | sed 's/^/  /'
probe_bundle() { # probe_bundle DIR OBJECT: the test probe OBJECT with its manifest, signed
	mkdir -p "$1"
	cp "$HEARTH_BUILD/probes/$2.bpf.o" "$1/probe.bpf.o"
	cat >"$1/manifest.json" <<JSON
{"name": "seen-packets", "abi": 1, "author": "A. Researcher <ar@example.org>",
 "key": "$("$HEARTH_BUILD/hearth" probe key "$work/researcher.pub")",
 "purpose": "counts the packets that pass the packet probe point", "point": "packet",
 "maps": [{"name": "seen", "type": "percpu_array",
           "bytes": $((16 * 12 * ($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1)))}],
 "output": "seen", "cpu_budget_ns": 200, "expires": "2099-01-01T00:00:00Z"}
JSON
	"$HEARTH_BUILD/hearth" probe sign "$1" "$work/researcher.pem" >/dev/null
}
echo "  a probe calling bpf_probe_write_user, signed all the same:"
probe_bundle "$work/hostile" hostile_write_user
{ "$HEARTH_BUILD/hearth" probe check "$work/hostile" key "$work/researcher.pub" 2>&1 || true; } |
	sed 's/^/  /'
echo "  (attaching probes needs a kernel that loads fentry programs; the tests attach them in a VM)"

step "Tearing down (hearth down, namespaces removed)"
