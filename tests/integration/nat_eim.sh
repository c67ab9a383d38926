#!/usr/bin/env bash
# NAT behaviour as applications that traverse NATs see it (RFC 4787, RFC
# 5382): one public port per inside socket whatever it talks to, kept when
# free; address-dependent filtering by default, endpoint-independent when
# configured; hairpin by mappings; the gateway's own sockets kept apart;
# TCP simultaneous open. coturn's turnserver (RFC 5780 behaviour
# discovery) and its client turnutils_natdiscovery judge the first two.
source "$(dirname "$0")/../lib/prologue.sh" nat_eim.sh ip jq nsenter turnserver \
	turnutils_natdiscovery /usr/bin/python3
trap 'kill $bg_pids 2>/dev/null; topo_destroy' EXIT
bg_pids=
peer="/usr/bin/python3 $here/../lib/nat_peer.py"
SERVER2_V4=203.0.113.11
STRANGER_V4=203.0.113.12
WAN=$GW_WAN_V4

gateway_up "nat masquerade"
nat_only
for a in "$SERVER2_V4" "$STRANGER_V4"; do
	nsx "$NS_IN" ip addr add "$a/32" dev lo
done
bg() { "$@" & bg_pids="$bg_pids $!"; }

# --- endpoint-independent mapping, port preservation ---------------------
bg nsx "$NS_IN" $peer serve "$SERVER_V4" 7000 60
bg nsx "$NS_IN" $peer serve "$SERVER2_V4" 7000 60
sleep 0.5
out=$(nsx "$NS_H1" $peer ask 40000 "$SERVER_V4:7000" "$SERVER2_V4:7000")
echo "  home1:40000 seen as: $(echo $out)"
t_check "one socket, two servers: the same public address and port at both" \
	test "$(sed -n 1p <<<"$out")" = "$WAN:40000" -a "$(sed -n 2p <<<"$out")" = "$WAN:40000"
nat=$(hearth_cli -j nat show)
t_jq "nat show: one mapping for home1:40000, the servers' addresses may send in" \
	"[.mappings[] | select(.inside == \"$H1_V4:40000\" and .outside == \"$WAN:40000\")
	  | .permits | sort] == [[\"$SERVER_V4\", \"$SERVER2_V4\"]]" "$nat"
t_jq "nat show: filtering is address-dependent by default" '.filtering == "address-dependent"' "$nat"

# --- address-dependent filtering ----------------------------------------
bg nsx "$NS_H1" $peer listen 40000 3 >"$work/h1.txt"
sleep 0.3
filtered=$(counter wan0 nat-filtered)
nsx "$NS_IN" $peer send 7001 "$WAN:40000" "from-server-other-port" # an address it sent to
nsx "$NS_IN" /usr/bin/python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$STRANGER_V4', 7002)); s.sendto(b'from-stranger', ('$WAN', 40000))"
sleep 3.2
t_check "a server home1 sent to reaches its mapping from another port" \
	grep -q "^from $SERVER_V4:7001 from-server-other-port" "$work/h1.txt"
t_check "an address home1 never sent to does not" bash -c "! grep -q from-stranger $work/h1.txt"
t_cmp "  and is counted nat-filtered" "$(counter wan0 nat-filtered)" -ge $((filtered + 1))

# --- the gateway's own sockets keep their ports --------------------------
bg nsx "$NS_GW" $peer listen 42000 4 >"$work/gw.txt"
sleep 0.3
out=$(nsx "$NS_H1" $peer ask 42000 "$SERVER_V4:7000")
echo "  home1:42000 seen as: $out (the gateway listens on 42000)"
t_check "a port the gateway's own socket holds is not given to a home host" \
	test "${out%%:*}" = "$WAN" -a "${out##*:}" != 42000 -a "$out" != none
nsx "$NS_IN" $peer send 7000 "$WAN:42000" "for-the-gateway"
sleep 4
t_check "  and what arrives for it reaches the gateway's socket" grep -q "for-the-gateway" "$work/gw.txt"

# --- hairpin through mappings (RFC 4787 REQ-9) ---------------------------
bg nsx "$NS_H1" $peer listen 40100 4 >"$work/h1-hairpin.txt"
bg nsx "$NS_H2" $peer listen 40200 4 >"$work/h2-hairpin.txt"
sleep 0.3
# both learn their mappings, then each sends to the other's (the first
# packet, home2's, opens home2's filter to the WAN address, as hole
# punching does; home1's then passes)
nsx "$NS_H1" $peer send 40100 "$SERVER_V4:7000" "learn"
nsx "$NS_H2" $peer send 40200 "$SERVER_V4:7000" "learn"
sleep 0.2
nsx "$NS_H2" $peer send 40200 "$WAN:40100" "punch-from-home2"
nsx "$NS_H1" $peer send 40100 "$WAN:40200" "hello-from-home1"
nsx "$NS_H2" $peer send 40200 "$WAN:40100" "hello-from-home2"
sleep 4
t_check "hairpin: home2 gets home1's datagram from home1's mapping ($WAN:40100)" \
	grep -q "^from $WAN:40100 hello-from-home1" "$work/h2-hairpin.txt"
t_check "hairpin: home1 gets home2's answer from home2's mapping ($WAN:40200)" \
	grep -q "^from $WAN:40200 hello-from-home2" "$work/h1-hairpin.txt"
t_check "hairpin: no home address seen by either" bash -c \
	"! grep -q 'from 192.168' $work/h1-hairpin.txt $work/h2-hairpin.txt"

# --- TCP simultaneous open (RFC 5382 REQ-2, REQ-4) ------------------------
# home1's TCP mapping on 43000 exists (a connection to server2); the
# server's SYN to it comes first, unsolicited: dropped without a RST, so
# that the crossing SYN from home1 completes the open
bg nsx "$NS_IN" /usr/bin/python3 -c "
import socket; s = socket.socket(); s.bind(('$SERVER2_V4', 9000)); s.listen()
c, _ = s.accept(); c.close()"
sleep 0.3
nsx "$NS_H1" $peer tcp "$H1_V4" 43000 "$SERVER2_V4:9000" 0 >/dev/null
nsx "$NS_IN" $peer tcp "$SERVER_V4" 9100 "$WAN:43000" 0 >"$work/sim-in.txt" &
sim_pid=$!
nsx "$NS_H1" $peer tcp "$H1_V4" 43000 "$SERVER_V4:9100" 1.5 >"$work/sim-h1.txt"
wait "$sim_pid"
echo "  internet side: $(cat "$work/sim-in.txt"); home side: $(cat "$work/sim-h1.txt")"
t_check "simultaneous open: the internet end connected to home1's mapping" \
	grep -q "^connected hello from $H1_V4" "$work/sim-in.txt"
t_check "simultaneous open: home1 connected" grep -q "^connected hello from $SERVER_V4" "$work/sim-h1.txt"

# --- RFC 5780 behaviour discovery with coturn ----------------------------
natdiscovery() {
	local out
	out=$(nsx "$NS_H1" timeout 30 turnutils_natdiscovery -m -f "$SERVER_V4" 2>&1)
	echo "$out" | grep -E "Mapping|Filtering|NAT" | sed 's/^/    /' >&2
	echo "$out"
}
bg nsx "$NS_IN" turnserver -n --no-tls --no-dtls --no-cli --log-file=stdout \
	-L "$SERVER_V4" -L "$SERVER2_V4" --listening-port 3478 >"$work/turnserver.log" 2>&1
sleep 1
out=$(natdiscovery)
t_check "turnutils_natdiscovery: endpoint-independent mapping" \
	grep -qi "NAT with Endpoint Independent Mapping" <<<"$out"
t_check "turnutils_natdiscovery: address-dependent filtering (the default)" \
	grep -qi "NAT with Address Dependent Filtering" <<<"$out"

echo "nat filtering endpoint-independent" >>"$work/hearth.conf"
stop_hearthd
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts with endpoint-independent filtering"
t_jq "nat show: filtering is endpoint-independent" '.filtering == "endpoint-independent"' \
	"$(hearth_cli -j nat show)"
out=$(natdiscovery)
t_check "turnutils_natdiscovery: endpoint-independent mapping still" \
	grep -qi "NAT with Endpoint Independent Mapping" <<<"$out"
t_check "turnutils_natdiscovery: endpoint-independent filtering when configured" \
	grep -qi "NAT with Endpoint Independent Filtering" <<<"$out"
