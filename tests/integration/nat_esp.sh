#!/usr/bin/env bash
# IPsec's ESP through IPv4 NAT, with the firewall on (the default): home1's
# ESP to the internet host leaves as the WAN address and the host's answers
# come back to it; home2's ESP to the same host is refused while home1's
# session lives (ESP has no port to tell two home hosts apart), and goes to
# another host. A capture on the internet side sees ESP from the WAN
# address only. The ends are raw ESP sockets (tests/lib/esp_peer.py): this
# kernel has no IPsec (CONFIG_INET_ESP), the gateway sees the same packets.
source "$(dirname "$0")/../lib/prologue.sh" nat_esp.sh ip jq nsenter tcpdump /usr/bin/python3
trap 'kill $tcpdump_pid $echo_pids 2>/dev/null; topo_destroy' EXIT
tcpdump_pid= echo_pids=
peer="/usr/bin/python3 $here/../lib/esp_peer.py"
SERVER2_V4=203.0.113.20

gateway_up "nat masquerade"
nat_only
nsx "$NS_IN" ip addr add "$SERVER2_V4/32" dev lo
nsx "$NS_IN" tcpdump -i eth0 -n -U -w "$work/wan.pcap" esp 2>/dev/null &
tcpdump_pid=$!
nsx "$NS_IN" $peer echo "$SERVER_V4" 8 >"$work/echo.txt" &
echo_pids=$!
nsx "$NS_IN" $peer echo "$SERVER2_V4" 8 >"$work/echo2.txt" &
echo_pids="$echo_pids $!"
sleep 1

got=$(nsx "$NS_H1" $peer send "$SERVER_V4" 0x1000 5)
t_cmp "home1's ESP through NAT: every packet answered" "$got" -eq 5
got=$(nsx "$NS_H2" $peer send "$SERVER_V4" 0x2000 3)
t_cmp "home2's ESP to home1's peer meanwhile: no answer" "$got" -eq 0
t_cmp "  refused as nat-no-port" "$(counter lan0 nat-no-port)" -ge 3
got=$(nsx "$NS_H2" $peer send "$SERVER2_V4" 0x3000 3)
t_cmp "home2's ESP to another peer: answered" "$got" -eq 3
got=$(nsx "$NS_H1" $peer send "$SERVER_V4" 0x1000 2)
t_cmp "home1's session still answered" "$got" -eq 2

wait $echo_pids 2>/dev/null
echo "  the peers saw: $(cat "$work/echo.txt" "$work/echo2.txt" | tr '\n' ' ')"
t_check "the peers saw ESP from the WAN address only" \
	bash -c "[[ \$(cat $work/echo.txt $work/echo2.txt | awk '{print \$1}' | sort -u) == $GW_WAN_V4 ]]"
sleep 0.5
kill "$tcpdump_pid" 2>/dev/null; wait "$tcpdump_pid" 2>/dev/null
srcs=$(tcpdump -r "$work/wan.pcap" -n 2>/dev/null | awk '{print $3}' | sort -u | tr '\n' ' ')
echo "  ESP sources on the internet side: $srcs"
t_check "no home address in any ESP frame on the internet side" \
	bash -c "! tcpdump -r $work/wan.pcap -n 2>/dev/null | grep -q '192\.168\.'"
# 13 from home (home2's 3 to home1's peer never left) and 10 answers
t_cmp "  and there were ESP frames" "$(tcpdump -r "$work/wan.pcap" -n 2>/dev/null | wc -l)" -eq 20
nat=$(hearth_cli -j nat show)
t_jq "hearth nat show lists the ESP sessions" \
	'[.connections[] | select(.proto == "esp")] | length == 2' "$nat"
