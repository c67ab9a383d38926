#!/usr/bin/env bash
# Cached forwarding decisions follow route and neighbour changes: at once
# through hearthd's netlink watch, and within the cache TTL when hearthd is
# not running.
source "$(dirname "$0")/../lib/prologue.sh" invalidate.sh ip ping jq nsenter

# a long TTL: only invalidation can explain a prompt update
gateway_up "fib-cache-ttl 60000"

pings_ok() { nsx "$NS_H1" ping -c "$1" -i 0.05 -W 1 "$SERVER_V4" | grep -q " 0% packet loss"; }
cached_dmac() {
	hearth_cli -j fib show |
		jq -r --arg d "$SERVER_V4" '.[] | select(.destination == $d and .valid) | .dmac'
}
new_inet_mac() { # moves the internet host to MAC $1, as after a NIC swap
	nsx "$NS_IN" ip link set eth0 address "$1"
	nsx "$NS_GW" ip neigh replace "$IN_WAN_V4" lladdr "$1" dev wan0 nud reachable
}

t_check "forwarding works" pings_ok 5
old=$(cached_dmac)
t_check "decision cached with the next hop's MAC" test -n "$old"

new_inet_mac 02:00:00:00:99:01
t_check "neighbour change: forwarding follows at once" pings_ok 5
t_check "neighbour change: cache holds the new MAC" test "$(cached_dmac)" = 02:00:00:00:99:01

before=$(counter lan0 no-route)
nsx "$NS_GW" ip route add blackhole "$SERVER_V4/32"
out=$(nsx "$NS_H1" ping -c 3 -i 0.05 -W 1 "$SERVER_V4")
t_check "route change: blackhole route takes effect" grep -q " 0 received" <<<"$out"
t_cmp "route change: packets handed to the kernel as no-route" $(($(counter lan0 no-route) - before)) -ge 3
nsx "$NS_GW" ip route del blackhole "$SERVER_V4/32"
t_check "route change: removing it restores forwarding" pings_ok 5

# Without hearthd only the expiry can refresh a decision.
stop_hearthd
sed -i 's/^fib-cache-ttl .*/fib-cache-ttl 1000/' "$work/hearth.conf"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts with a 1 s TTL"
t_check "pings with the 1 s TTL" pings_ok 5
stop_hearthd
new_inet_mac 02:00:00:00:99:02
sleep 1.5
t_check "daemon stopped: a stale decision expires within its TTL" pings_ok 5
t_check "daemon stopped: cache holds the new MAC" test "$(cached_dmac)" = 02:00:00:00:99:02
