#!/usr/bin/env bash
# ICMP and NAT (RFC 5508) with real clients, the LAN's MTU 1400 below the
# WAN's 1500: path MTU discovery from the internet to a home host through
# a forward and through a masqueraded connection (the gateway answers
# "fragmentation needed" from the WAN address), traceroute through a TCP
# forward (the gateway's hop answers "time exceeded"), a home server's port
# unreachable reaching the internet client translated, a home host's
# refused connection answered "administratively prohibited". A capture on
# the internet side shows no home address anywhere, quoted headers
# included.
source "$(dirname "$0")/../lib/prologue.sh" nat_icmp.sh ip ping jq nsenter tcpdump traceroute busybox /usr/bin/python3
trap 'kill $tcpdump_pid $httpd_pid 2>/dev/null; topo_destroy' EXIT
tcpdump_pid= httpd_pid=
probe() { local ns=$1; shift; nsx "$ns" /usr/bin/python3 "$here/../lib/udp_probe.py" "$@"; }

gateway_up "nat masquerade" "nat forward udp 9000 $H1_V4:9000" \
	"nat forward udp 9001 $H1_V4:9001" "nat forward tcp 8080 $H1_V4:80"
nat_only
nsx "$NS_GW" ip link set lan0 mtu 1400
nsx "$NS_H1" ip link set eth0 mtu 1400
nsx "$NS_H2" ip link set eth0 mtu 1400
sleep 0.5 # hearthd sees the link change: the cached routes carry the new MTU

ip netns exec "$NS_IN" tcpdump -i eth0 -n -U -w "$work/wan.pcap" 2>/dev/null &
tcpdump_pid=$!
mkdir -p "$work/www"
echo "served by home1" >"$work/www/index.html"
ip netns exec "$NS_H1" busybox httpd -f -p 80 -h "$work/www" &
httpd_pid=$!
sleep 1

# (a) Path MTU discovery through a forward. Without DF, a datagram too big
# for the LAN goes to the kernel, translated, which fragments it.
probe "$NS_H1" count 9000 3 >"$work/fwd.count" &
count_pid=$!
sleep 0.3
# a small one first: the gateway resolves home1's MAC, after which XDP
# forwards (before, the kernel does, as no-neigh)
probe "$NS_IN" nodf "$GW_WAN_V4" 9000 100 >/dev/null
sleep 0.3
probe "$NS_IN" nodf "$GW_WAN_V4" 9000 1472 >/dev/null
sleep 0.3
out=$(probe "$NS_IN" pmtu "$GW_WAN_V4" 9000)
wait "$count_pid"
read -r mtu resend <<<"$out"
read -r got sizes <"$work/fwd.count"
t_cmp "forward: the internet host learns the path MTU 1400 (IP_MTU)" "$mtu" -eq 1400
t_check "forward: ... and its kernel refuses 1472 bytes with DF now ($resend)" test "$resend" = EMSGSIZE
t_check "forward: ip route get shows mtu 1400" bash -c \
	"ip netns exec $NS_IN ip route get $GW_WAN_V4 | grep -q 'mtu 1400'"
t_check "forward: the 1472-byte datagram without DF reached home1 (fragmented by the kernel) ($sizes)" \
	grep -q ',1472' <<<"$sizes"
t_cmp "forward: the 5 datagrams of 1372 bytes reached home1" "$(tr ',' '\n' <<<"$sizes" | grep -c '^1372$')" -eq 5
t_cmp "forward: the DF-less one counted frag-needed" "$(counter wan0 frag-needed)" -ge 1
t_cmp "forward: counted nat-too-big" "$(counter wan0 nat-too-big)" -ge 1
t_cmp "forward: counted icmp-sent" "$(counter wan0 icmp-sent)" -ge 1

# ... and through a connection home1 opened (masquerade): the internet
# host answers it with datagrams too big for the LAN
nsx "$NS_IN" ip route flush cache
t_check "masquerade: the internet host forgot the path MTU first" bash -c \
	"! ip netns exec $NS_IN ip route get $GW_WAN_V4 | grep -q 'mtu 1400'"
probe "$NS_IN" answer 7001 pmtu >"$work/masq.pmtu" &
answer_pid=$!
sleep 0.3
read -r got sizes < <(probe "$NS_H1" hello "$SERVER_V4" 7001 7000 3)
wait "$answer_pid"
read -r mtu resend <"$work/masq.pmtu"
t_cmp "masquerade: the internet host learns the path MTU 1400" "$mtu" -eq 1400
t_cmp "masquerade: the 5 datagrams of 1372 bytes reached home1" "$(tr ',' '\n' <<<"$sizes" | grep -c '^1372$')" -eq 5
t_cmp "masquerade: counted nat-too-big" "$(counter wan0 nat-too-big)" -ge 2

# (b) traceroute through a TCP forward: the gateway is the first hop
out=$(nsx "$NS_IN" traceroute -n -T -p 8080 -q 1 -w 2 -m 4 "$GW_WAN_V4" 2>&1)
echo "$out" | sed 's/^/  /'
t_check "traceroute -T: the gateway's hop answers (time exceeded from the WAN address)" \
	grep -q "^ 1  $GW_WAN_V4 " <<<"$out"
t_check "traceroute -T: the home server answers at hop 2" grep -q "^ 2  $GW_WAN_V4 " <<<"$out"
t_cmp "traceroute: counted nat-ttl" "$(counter wan0 nat-ttl)" -ge 1

# (c) a home host's port unreachable, translated on its way out
out=$(probe "$NS_IN" refused "$GW_WAN_V4" 9001)
t_check "port unreachable from home1 reaches the client: ECONNREFUSED ($out)" test "$out" = refused
t_cmp "nothing blocked on the way (leak-blocked)" "$(counter lan0 leak-blocked)" -eq 0

# (d) a new connection NAT refuses (a range of two identifiers, both in
# use towards the server): the home host hears it at once
echo "nat ports 50000-50001" >>"$work/hearth.conf"
kill -HUP "$HEARTHD_PID"; sleep 0.5
nsx "$NS_H1" ping -c 1 -W 1 -e 50000 "$SERVER_V4" >/dev/null
nsx "$NS_H2" ping -c 1 -W 1 -e 50000 "$SERVER_V4" >/dev/null
out=$(nsx "$NS_H1" ping -c 2 -i 0.3 -W 1 -e 50001 "$SERVER_V4" 2>&1)
echo "$out" | grep From | sed 's/^/  /'
t_check "refused connection: 'Packet filtered' (admin prohibited) from the gateway's LAN address" \
	grep -q "From $GW_LAN_V4 .*Packet filtered" <<<"$out"
t_cmp "refused connection: counted nat-no-port" "$(counter lan0 nat-no-port)" -ge 2
t_cmp "refused connection: counted icmp-sent on the LAN" "$(counter lan0 icmp-sent)" -ge 2

sleep 0.5
kill "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null; tcpdump_pid=
read -r errors frag_needed time_exceeded unreachable holding < <(/usr/bin/python3 "$here/../lib/pcap_icmp_scan.py" "$work/wan.pcap" "$GW_WAN_V4" 192.168.1.0/24 9001)
echo "  capture: $errors ICMP errors from the WAN address: $frag_needed frag needed (MTU 1400), $time_exceeded time exceeded, $unreachable port unreachable"
t_cmp "capture: fragmentation needed, MTU 1400, quoting the WAN address" "$frag_needed" -ge 2
t_cmp "capture: time exceeded quoting the WAN address" "$time_exceeded" -ge 1
t_cmp "capture: port unreachable quoting the WAN address and port 9001" "$unreachable" -ge 1
t_cmp "capture: packets with a home address anywhere in them (must be none)" "$holding" -eq 0
