#!/usr/bin/env bash
# The hearth CLI: bad objects, commands and arguments give one line and a
# non-zero exit; -j gives JSON; fib flush and down do what they say.
source "$(dirname "$0")/../lib/prologue.sh" cli.sh ip ping jq nsenter

topo_up

# refuse NAME EXIT_CODE MESSAGE ARGS...: one stderr line, that code
refuse() {
	local name=$1 code=$2 msg=$3 rc
	shift 3
	hearth_cli "$@" >"$work/out" 2>"$work/err"; rc=$?
	t_cmp "$name: exit code" "$rc" -eq "$code"
	t_check "$name: says '$msg'" grep -qF "$msg" "$work/err"
	t_cmp "$name: one line" "$(wc -l <"$work/err")" -eq 1
}

refuse "status before start" 1 "no data plane pinned at $HEARTH_PIN_DIR" status

topo_config "$work/hearth.conf"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || { t_fail "hearthd starts"; exit 1; }
nsx "$NS_H1" ping -c 5 -i 0.05 "$SERVER_V4" >/dev/null

refuse "unknown object" 2 "unknown object 'bogus'" bogus
refuse "prefix of 'down' is not 'down'" 2 "unknown object 'd'" d
t_check "... and the data plane is still there" test -e "$HEARTH_PIN_DIR/progs/hearth_xdp_gateway"
refuse "unknown stats command" 2 "unknown command 'bogus' for 'stats'" stats bogus
refuse "dev without a name" 2 "'dev' needs an interface name" stats dev
refuse "stats of a foreign interface" 1 "'nope' is not a hearth interface" stats dev nope
refuse "extra argument" 2 "unknown argument 'now' for 'fib flush'" fib flush now
refuse "status takes nothing" 2 "'status' takes no arguments" status x
refuse "bad option" 2 "bad option '--frobnicate'" --frobnicate status
refuse "bad short option among good ones" 2 "bad option '-x'" -jx status
refuse "option without its argument" 2 "option '-P' needs an argument" -P

# tenants at run time: bad input refused in one line, nothing left behind
refuse "tenant with a bad name" 2 "bad tenant name '../x'" tenant add ../x
refuse "tenant with a bad rate" 2 "bad down rate 'lots'" tenant add g down rate lots
refuse "tenant with a bad prio" 2 "prio is 1 (first to borrow) to 7, not '0'" tenant add g prio 0
refuse "tenant on a foreign interface" 1 "interface 'eth9' is not a gateway interface" tenant add g iface eth9
refuse "set of a missing tenant" 1 "no tenant 'nobody'" tenant set nobody prio 2
refuse "del of the home" 1 "the home (tenant 0) cannot be deleted" tenant del home
t_jq "refused tenants leave nothing" '[.tenants[].name] == ["home"]' "$(hearth_cli -j tenant show)"
hearth_cli tenant add guest prio 2 down rate 2mbit ceil 8mbit prefix 192.168.1.11/32
t_jq "tenant add: shown with its settings" \
	'.name == "guest" and .prio == 2 and .origin == "runtime" and .down.rate == 2000000 and .down.ceil == 8000000 and .match.prefix == ["192.168.1.11/32"]' \
	"$(hearth_cli -j tenant show guest)"
refuse "a second tenant of that name" 1 "tenant 'guest' already exists" tenant add guest
refuse "a prefix another tenant has" 1 "that prefix already belongs to tenant 'guest'" tenant add other prefix 192.168.1.11/32
nsx "$NS_H2" ping -c 3 -i 0.05 "$SERVER_V4" >/dev/null
t_jq "tenant meters: the guest's pings, both ways" '.up.packets >= 3 and .down.packets >= 3' \
	"$(hearth_cli -j tenant show guest)"
hearth_cli tenant set guest prio 5 iface lan0
t_jq "tenant set: new prio, rules replaced" '.prio == 5 and .match.prefix == [] and .match.iface == ["lan0"] and .down.ceil == 8000000' \
	"$(hearth_cli -j tenant show guest)"
stop_hearthd
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts"
t_jq "a runtime tenant survives a hearthd restart" '.prio == 5 and .origin == "runtime"' \
	"$(hearth_cli -j tenant show guest)"
hearth_cli tenant del guest
t_jq "tenant del: gone" '[.tenants[].name] == ["home"]' "$(hearth_cli -j tenant show)"

hearth_cli -j bogus >"$work/out" 2>/dev/null
t_jq "-j errors are JSON too" '.error | test("unknown object")' "$(cat "$work/out")"

stats=$(hearth_cli -j stats)
t_jq "-j stats lists both interfaces" '[.interfaces[].name] | sort == ["lan0", "wan0"]' "$stats"
t_jq "-j stats has every counter" \
	"[.interfaces[0].counters | keys[]] | length == $(grep -c '^	X(' "$here/../../maps/hearth_maps.h")" "$stats"
t_jq "-j stats counts the pings as forwarded" \
	'.interfaces[] | select(.name == "lan0") | .counters.forward.packets >= 4' "$stats"
t_check "stats show dev lan0 prints lan0 only" \
	bash -c "[[ \$(nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth stats show dev lan0 | grep -c '(lan') == 1 ]]"
t_jq "-j status is JSON with the daemon's pid" ".daemon.pid == $HEARTHD_PID" "$(hearth_cli -j status)"

t_jq "fib show lists the server" \
	"[.[] | select(.destination == \"$SERVER_V4\" and .action == \"forward\" and .dev == \"wan0\")] | length == 1" \
	"$(hearth_cli -j fib show)"
hearth_cli fib flush
t_jq "fib flush empties the cache" 'length == 0' "$(hearth_cli -j fib show)"
nsx "$NS_H1" ping -c 2 -i 0.05 "$SERVER_V4" >/dev/null
t_jq "... which refills on traffic" 'length > 0' "$(hearth_cli -j fib show)"

touch_foreign_pin() { # a pin of someone else's in our pin dir
	bpftool map create "$HEARTH_PIN_DIR/not_ours" type array key 4 value 4 entries 1 name not_ours
}
t_check "a foreign pin can sit in the pin dir" touch_foreign_pin
t_check "hearth down succeeds" hearth_cli down
t_check "down: a foreign pin is left alone" test -e "$HEARTH_PIN_DIR/not_ours"
rm -f "$HEARTH_PIN_DIR/not_ours"
rmdir "$HEARTH_PIN_DIR"
t_check "down: daemon stopped" bash -c "! kill -0 $HEARTHD_PID 2>/dev/null"
HEARTHD_PID=
t_check "down: our pins removed" test ! -e "$HEARTH_PIN_DIR/progs" -a ! -e "$HEARTH_PIN_DIR/hearth_stats"
t_check "down: no XDP left on lan0" bash -c "! ip -n $NS_GW -d link show lan0 | grep -q 'prog/xdp'"
t_check "down: no XDP left on wan0" bash -c "! ip -n $NS_GW -d link show wan0 | grep -q 'prog/xdp'"
out=$(nsx "$NS_H1" ping -c 3 -i 0.05 -W 1 "$SERVER_V4")
t_check "down: the kernel forwards on its own" grep -q " 0% packet loss" <<<"$out"
