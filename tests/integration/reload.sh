#!/usr/bin/env bash
# SIGHUP re-reads the configuration: a good file takes effect without
# reloading the program, a bad one is refused with FILE:LINE and changes
# nothing.
source "$(dirname "$0")/../lib/prologue.sh" reload.sh ip ping jq nsenter

gateway_up
prog=$(hearth_cli -j status | jq .program.id)
hup_and_wait() { # hup_and_wait PATTERN: SIGHUP, then wait for PATTERN in the log
	local seen i
	seen=$(wc -l <"$work/hearthd.log")
	kill -HUP "$HEARTHD_PID"
	for i in $(seq 50); do
		tail -n +$((seen + 1)) "$work/hearthd.log" | grep -q "$1" && return 0
		sleep 0.05
	done
	return 1
}

echo "fib-cache off" >>"$work/hearth.conf"
t_check "reload of a good file is logged" hup_and_wait "reloaded $work/hearth.conf: 2 interfaces"
t_jq "fib-cache off took effect" '.fib_cache.enabled == false' "$(hearth_cli -j status)"
t_jq "... without reloading the program" ".program.id == $prog" "$(hearth_cli -j status)"
out=$(nsx "$NS_H1" ping -c 5 -i 0.05 -W 1 "$SERVER_V4")
t_check "forwarding goes on with the cache off" grep -q " 0% packet loss" <<<"$out"

lines=$(wc -l <"$work/hearth.conf")
echo "lan lan0 not-a-subnet" >>"$work/hearth.conf"
t_check "a bad file is refused with its line" \
	hup_and_wait "reload refused, keeping the running configuration: $work/hearth.conf:$((lines + 1)): "
t_check "the daemon is still running" kill -0 "$HEARTHD_PID"
t_jq "the running configuration is kept" '.fib_cache.enabled == false and (.interfaces | length) == 2' \
	"$(hearth_cli -j status)"

sed -i '$d' "$work/hearth.conf"
echo "fib-cache-ttl 5000" >>"$work/hearth.conf"
t_check "a load-time setting says it needs a restart" hup_and_wait "fib-cache-ttl is a load-time setting"

echo "lan lan7 10.7.0.0/16" >>"$work/hearth.conf"
t_check "a configured interface that does not exist yet is named" \
	hup_and_wait "$work/hearth.conf:$(wc -l <"$work/hearth.conf"): interface 'lan7' does not exist yet"
nsx "$NS_GW" ip link add lan7 type veth peer name lan7p
nsx "$NS_GW" ip link set lan7 up
nsx "$NS_GW" ip link set lan7p up
for i in $(seq 40); do
	hearth_cli -j status | jq -e '.interfaces[] | select(.name == "lan7" and .attached)' >/dev/null && break
	sleep 0.05
done
t_jq "... and is attached when it appears" '[.interfaces[] | select(.name == "lan7" and .attached)] | length == 1' \
	"$(hearth_cli -j status)"
