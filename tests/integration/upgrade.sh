#!/usr/bin/env bash
# A hearthd whose program differs from the pinned one (here: another
# load-time setting) replaces it under the same links with bpf_link_update:
# no packet lost, maps and counters kept.
source "$(dirname "$0")/../lib/prologue.sh" upgrade.sh ip ping jq nsenter

gateway_up
nsx "$NS_H1" ping -c 20 -i 0.02 "$SERVER_V4" >/dev/null
before=$(hearth_cli -j status)
fwd_before=$(counter lan0 forward)

nsx "$NS_H1" ping -c 400 -i 0.01 -W 1 "$SERVER_V4" >"$work/ping.txt" 2>&1 &
ping_pid=$!
sleep 1
stop_hearthd
echo "fib-cache-ttl 3000" >>"$work/hearth.conf"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts with a new program"
after=$(hearth_cli -j status)
wait "$ping_pid"

t_check "the new build was loaded as an upgrade" grep -q "upgraded the data plane" "$work/hearthd.log"
echo "  program $(jq .program.id <<<"$before") -> $(jq .program.id <<<"$after")"
t_check "a new program runs" test "$(jq .program.id <<<"$before")" != "$(jq .program.id <<<"$after")"
t_jq "the links now run the new program" \
	"[.interfaces[] | select(.prog_id == $(jq .program.id <<<"$after"))] | length == 2" "$after"
t_check "the links are the same ones" \
	test "$(jq -c '[.interfaces[].link_id]' <<<"$before")" = "$(jq -c '[.interfaces[].link_id]' <<<"$after")"
t_cmp "counters survived the upgrade" "$(counter lan0 forward)" -ge $((fwd_before + 300))
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping.txt")
t_cmp "pings answered across the upgrade (of 400)" "${received:-0}" -eq 400
t_check "the old programs are gone from the pin dir (XDP and the two tc remain)" test "$(ls "$HEARTH_PIN_DIR/progs" | wc -l)" -eq 3

# A partial data plane (here a map pin lost, as when a new build adds a
# map) is upgraded in place, never taken for a fresh start.
stop_hearthd
links=$(hearth_cli -j status | jq -c '[.interfaces[].link_id]')
rm "$HEARTH_PIN_DIR/hearth_fibl1"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd starts on a partial data plane"
t_check "partial data plane: upgraded, not loaded afresh" \
	bash -c "tail -n 1 '$work/hearthd.log' | grep -q 'upgraded the data plane'"
t_check "partial data plane: same links" test "$(hearth_cli -j status | jq -c '[.interfaces[].link_id]')" = "$links"
t_check "partial data plane: the missing map is pinned again" test -e "$HEARTH_PIN_DIR/hearth_fibl1"
