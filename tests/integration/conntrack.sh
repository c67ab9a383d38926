#!/usr/bin/env bash
# The connection table without hearthd: with hearthd stopped for the whole
# load, home1 sends 200000 new UDP flows through NAT (many times what a
# table of 4096 connections holds) while home2's TCP connection talks on;
# the connection never breaks, and home2's 100 new connections at the end
# are all answered. hearthd, started again, shows what the data plane did,
# and reads the connections that ended meanwhile from the ring of ends.
source "$(dirname "$0")/../lib/prologue.sh" conntrack.sh ip jq nsenter /usr/bin/python3
trap 'kill $bg_pids 2>/dev/null; topo_destroy' EXIT
bg_pids=
load="/usr/bin/python3 $here/../lib/ct_load.py"
bg() { "$@" & bg_pids="$bg_pids $!"; }
FLOWS=200000

gateway_up "nat masquerade" "conntrack size 4096"
nat_only
bg nsx "$NS_IN" $load echo "$SERVER_V4" 7100 120
sleep 0.5
bg nsx "$NS_H2" $load talk "$SERVER_V4" 7100 12 "$work/talk.txt"
sleep 1

pid=$HEARTHD_PID
stop_hearthd
t_check "hearthd stopped for the load" bash -c "! kill -0 $pid 2>/dev/null"
start=$SECONDS
nsx "$NS_H1" $load flood "$H1_V4" "$SERVER_V4" 9 "$FLOWS"
echo "  $FLOWS flows from home1 in $((SECONDS - start)) s"
answered=$(nsx "$NS_H2" $load open "$SERVER_V4" 7100 100)
t_cmp "home2's 100 new connections after the flood, hearthd stopped: all answered" \
	"$answered" -eq 100
wait_for() { for _ in $(seq 100); do [[ -s $1 ]] && return 0; sleep 0.2; done; return 1; }
wait_for "$work/talk.txt"
echo "  home2's connection: $(cat "$work/talk.txt")"
t_check "home2's established TCP connection never broke" grep -q " failed 0$" "$work/talk.txt"
t_check "  and talked all along" bash -c "awk '{exit !(\$2 >= 80)}' $work/talk.txt"

start_hearthd "$work/hearth.conf" "$work/hearthd.log" || echo "FAIL: hearthd starts again"
nat=$(hearth_cli -j nat show)
echo "  table: $(jq -c .table_events <<<"$nat")"
echo "  ended: $(jq -c .ended <<<"$nat")"
echo "  lan0 drops: $(hearth_cli -j stats dev lan0 | jq -c '[.interfaces[0].counters | to_entries[] | select(.value.packets > 0) | {(.key): .value.packets}] | add')"
t_jq "the data plane made room itself: home1's flows gave way to its own" \
	".table_events[\"evicted-own\"] + .table_events[\"evicted-closed\"] + .table_events[\"evicted-unassured\"] + .table_events[\"expired-reused\"] > $FLOWS / 2" "$nat"
t_jq "  no answered connection evicted" '.table_events["evicted-assured"] == 0' "$nat"
t_jq "  home1 holds at most half the table" \
	"(.hosts[\"$H1_V4\"] // 0) <= .capacity / 4" "$nat"
t_jq "  home2's new connections are in it" "(.hosts[\"$H2_V4\"] // 0) >= 100" "$nat"
t_jq "the connections that ended while hearthd was stopped waited for it in the ring" \
	'.ended.idle + .ended.closed + .ended.evicted > 9000' "$nat"
t_jq "  and what the ring had no room for is counted" \
	".ended.idle + .ended.closed + .ended.evicted + .table_events[\"ends-lost\"] > $FLOWS / 2" "$nat"
t_jq "  with their packets" '.ended.packets >= .ended.idle + .ended.closed + .ended.evicted' "$nat"
