# shellcheck shell=bash
# The namespace topology shared by the integration tests, the demo and the
# benchmarks. Everything lives in namespaces named "$TOPO_PREFIX-*"; nothing
# touches the host's interfaces.
#
#   home1 (192.168.1.10)  \
#                          sw (bridge) -- lan0 [gw] wan0 -- eth0 [inet]
#   home2 (192.168.1.11)  /                                  203.0.113.10 on lo
#
# LAN 192.168.1.0/24 + 2001:db8:1::/64, WAN link 198.51.100.0/24 +
# 2001:db8:ff::/64, "internet" server 203.0.113.10 + 2001:db8:cafe::10
# (documentation prefixes only).

TOPO_PREFIX=${TOPO_PREFIX:-hth$$}
HEARTH_BUILD=${HEARTH_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
NS_H1=$TOPO_PREFIX-h1
NS_H2=$TOPO_PREFIX-h2
NS_SW=$TOPO_PREFIX-sw
NS_GW=$TOPO_PREFIX-gw
NS_IN=$TOPO_PREFIX-in
TOPO_NAMESPACES=("$NS_H1" "$NS_H2" "$NS_SW" "$NS_GW" "$NS_IN")

H1_V4=192.168.1.10
H2_V4=192.168.1.11
GW_LAN_V4=192.168.1.1
GW_WAN_V4=198.51.100.1
IN_WAN_V4=198.51.100.2
SERVER_V4=203.0.113.10
H1_V6=2001:db8:1::10
H2_V6=2001:db8:1::11
GW_LAN_V6=2001:db8:1::1
GW_WAN_V6=2001:db8:ff::1
IN_WAN_V6=2001:db8:ff::2
SERVER_V6=2001:db8:cafe::10

HEARTH_PIN_DIR=/sys/fs/bpf/$TOPO_PREFIX
HEARTH_RUN_DIR=/tmp/$TOPO_PREFIX-run
export HEARTH_PIN_DIR HEARTH_RUN_DIR

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# Network namespace only: `ip netns exec` also remounts /sys, which hides
# /sys/fs/bpf, so hearth's own binaries run through nsenter.
nsnet() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }

ns_sysctls() {
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	nsx "$1" ip link set lo up
}

# veth between two namespaces: veth_link NS_A NAME_A NS_B NAME_B
veth_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
}

topo_create() {
	local ns
	topo_reset
	for ns in "${TOPO_NAMESPACES[@]}"; do
		ip netns add "$ns"
		ns_sysctls "$ns"
	done
	veth_link "$NS_H1" eth0 "$NS_SW" p1
	veth_link "$NS_H2" eth0 "$NS_SW" p2
	veth_link "$NS_GW" lan0 "$NS_SW" p0
	veth_link "$NS_GW" wan0 "$NS_IN" eth0

	nsx "$NS_SW" ip link add br0 type bridge
	for ns in p0 p1 p2; do
		nsx "$NS_SW" ip link set "$ns" master br0 up
	done
	nsx "$NS_SW" ip link set br0 up
	# frames XDP redirects into a veth are only taken by a peer with GRO
	# (or an XDP program) on it
	nsx "$NS_SW" ethtool -K p0 gro on >/dev/null
	nsx "$NS_IN" ethtool -K eth0 gro on >/dev/null

	host_addrs "$NS_H1" "$H1_V4" "$H1_V6"
	host_addrs "$NS_H2" "$H2_V4" "$H2_V6"

	nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx "$NS_GW" ip addr add "$GW_LAN_V4/24" dev lan0
	nsx "$NS_GW" ip addr add "$GW_LAN_V6/64" dev lan0 nodad
	nsx "$NS_GW" ip addr add "$GW_WAN_V4/24" dev wan0
	nsx "$NS_GW" ip addr add "$GW_WAN_V6/64" dev wan0 nodad
	nsx "$NS_GW" ip link set lan0 up
	nsx "$NS_GW" ip link set wan0 up
	nsx "$NS_GW" ip route add default via "$IN_WAN_V4"
	nsx "$NS_GW" ip -6 route add default via "$IN_WAN_V6"

	nsx "$NS_IN" ip addr add "$IN_WAN_V4/24" dev eth0
	nsx "$NS_IN" ip addr add "$IN_WAN_V6/64" dev eth0 nodad
	nsx "$NS_IN" ip addr add "$SERVER_V4/32" dev lo
	nsx "$NS_IN" ip addr add "$SERVER_V6/128" dev lo
	nsx "$NS_IN" ip link set eth0 up
	# replies leave from the server address, as from a real remote host
	nsx "$NS_IN" ip route add 192.168.1.0/24 via "$GW_WAN_V4" src "$SERVER_V4"
	nsx "$NS_IN" ip -6 route add 2001:db8:1::/64 via "$GW_WAN_V6" src "$SERVER_V6"
	# veth hands locally built frames to XDP with the TCP/UDP checksum
	# left to offload; a redirected frame loses that state. A host behind
	# a real wire always sends full checksums, so make these hosts do too.
	for ns in "$NS_H1" "$NS_H2" "$NS_IN"; do
		nsx "$ns" ethtool -K eth0 tx off >/dev/null
	done
}

host_addrs() {
	nsx "$1" ip addr add "$2/24" dev eth0
	nsx "$1" ip addr add "$3/64" dev eth0 nodad
	nsx "$1" ip link set eth0 up
	nsx "$1" ip route add default via "$GW_LAN_V4"
	nsx "$1" ip -6 route add default via "$GW_LAN_V6"
}

# Writes the gateway's hearth.conf to $1.
topo_config() {
	cat >"$1" <<CONF
# hearth test gateway
wan wan0
lan lan0 192.168.1.0/24 2001:db8:1::/64
pin-dir $HEARTH_PIN_DIR
run-dir $HEARTH_RUN_DIR
state-file $HEARTH_RUN_DIR/state.json
chute-dir $HEARTH_RUN_DIR/chutes
CONF
}

HEARTHD_PID=
# start_hearthd CONFIG LOG: runs hearthd in the gateway namespace and waits
# until it reports that it runs.
start_hearthd() {
	local i seen
	# only lines written by this start count (the log is appended to)
	seen=$(cat "$2" 2>/dev/null | wc -l)
	# nsenter execs hearthd, so $! is hearthd itself (a function or
	# subshell in between would leave hearthd out of reach of kill)
	nsenter --net="/run/netns/$NS_GW" "$HEARTH_BUILD/hearthd" -c "$1" >>"$2" 2>&1 &
	HEARTHD_PID=$!
	for i in $(seq 100); do
		tail -n +$((seen + 1)) "$2" 2>/dev/null | grep -q "running with" && return 0
		kill -0 "$HEARTHD_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# hearthd_up CONF LOG [WHAT]: start_hearthd, or a FAIL naming WHAT
# ("hearthd starts") with the last lines of its log, and the test ends
# there (its EXIT trap cleans up).
hearthd_up() {
	start_hearthd "$1" "$2" && return 0
	echo "FAIL: ${3:-hearthd starts} ($(tail -n 3 "$2" 2>/dev/null | tr '\n' ' '))"
	exit 1
}

stop_hearthd() {
	[[ -n $HEARTHD_PID ]] || return 0
	kill -TERM "$HEARTHD_PID" 2>/dev/null || true
	wait "$HEARTHD_PID" 2>/dev/null || true
	HEARTHD_PID=
}

# topo_up: the topology and a fresh $work dir (topo_destroy removes it),
# for a test that starts hearthd itself.
topo_up() {
	work=$(mktemp -d)
	topo_create
}

# gateway_up [CONFIG_LINE...]: the topology, $work/hearth.conf (with the
# extra lines) and a running hearthd, for the integration tests. A hearthd
# that does not start fails the test. $work is removed by topo_destroy.
gateway_up() {
	local line
	topo_up
	topo_config "$work/hearth.conf"
	for line in "$@"; do
		echo "$line" >>"$work/hearth.conf"
	done
	if ! start_hearthd "$work/hearth.conf" "$work/hearthd.log"; then
		echo "FAIL: hearthd starts ($(tail -n 3 "$work/hearthd.log" | tr '\n' ' '))"
		exit 1
	fi
	echo "PASS: hearthd starts"
}

# nat_only: the internet forgets its route to 192.168.1.0/24, so that only
# NAT can bring replies home, and answers the gateway from the server
# address, as a remote host would.
nat_only() {
	nsx "$NS_IN" ip route del 192.168.1.0/24
	nsx "$NS_IN" ip route add "$GW_WAN_V4/32" dev eth0 src "$SERVER_V4"
}

hearth_cli() { nsnet "$NS_GW" "$HEARTH_BUILD/hearth" "$@"; }

# Removes what a topology left: daemon, pins, namespaces.
topo_reset() {
	local ns
	stop_hearthd
	if [[ -d $HEARTH_PIN_DIR ]]; then
		"$HEARTH_BUILD/hearth" down >/dev/null 2>&1 || true
		rm -rf "$HEARTH_PIN_DIR" 2>/dev/null || true
	fi
	rm -rf "$HEARTH_RUN_DIR"
	for ns in "${TOPO_NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

# The EXIT trap of every user: topo_reset, and the tests' $work dir.
topo_destroy() {
	topo_reset
	[[ -z ${work:-} ]] || rm -rf "$work"
}

# Reads one counter of one interface: counter IFACE NAME [packets|bytes]
counter() {
	hearth_cli -j stats dev "$1" | jq -r ".interfaces[0].counters[\"$2\"].${3:-packets}"
}
