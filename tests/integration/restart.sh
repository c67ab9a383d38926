#!/usr/bin/env bash
# The data plane keeps forwarding while hearthd is stopped, a restarted
# hearthd adopts it, and a ping across stop and restart loses nothing.
source "$(dirname "$0")/../lib/prologue.sh" restart.sh ip ping jq nsenter

gateway_up
prog_before=$(hearth_cli -j status | jq .program.id)
links_before=$(hearth_cli -j status | jq -c '[.interfaces[].link_id]')

# 10 s of pings, 100 per second, across a stop and a restart
nsx "$NS_H1" ping -c 1000 -i 0.01 -W 1 "$SERVER_V4" >"$work/ping.txt" 2>&1 &
ping_pid=$!
sleep 2
stop_hearthd
status=$(hearth_cli -j status)
t_jq "status shows the daemon stopped" '.daemon.running == false' "$status"
t_jq "XDP stays attached without the daemon" '[.interfaces[] | select(.attached)] | length == 2' "$status"
fwd_before=$(counter lan0 forward)
sleep 2
# ping manages 60-100 a second here
t_cmp "packets forwarded by XDP while hearthd was down" $(($(counter lan0 forward) - fwd_before)) -ge 100

start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts"
t_check "restarted hearthd adopted the pinned data plane" grep -q "adopted the data plane" "$work/hearthd.log"
t_cmp "same program after the restart" "$(hearth_cli -j status | jq .program.id)" -eq "$prog_before"
t_check "same links after the restart" test "$(hearth_cli -j status | jq -c '[.interfaces[].link_id]')" = "$links_before"
wait "$ping_pid"
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$work/ping.txt")
t_cmp "pings answered across stop and restart (of 1000)" "${received:-0}" -eq 1000

# SIGKILL: no clean shutdown at all, the pin and the pid lock still behave
kill -KILL "$HEARTHD_PID"; wait "$HEARTHD_PID" 2>/dev/null; HEARTHD_PID=
t_jq "a killed daemon is not reported as running" '.daemon.running == false' "$(hearth_cli -j status)"
out=$(nsx "$NS_H1" ping -c 20 -i 0.02 -W 1 "$SERVER_V4")
t_check "forwarding survives a killed daemon" grep -q " 0% packet loss" <<<"$out"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd starts after SIGKILL"
t_jq "restarted after SIGKILL" '.daemon.running == true' "$(hearth_cli -j status)"

# a second daemon on the same run dir is refused
out=$(nsnet "$NS_GW" "$HEARTH_BUILD/hearthd" -c "$work/hearth.conf" 2>&1); rc=$?
t_check "a second hearthd is refused" test "$rc" -ne 0
t_check "... saying which pid runs" grep -q "already running (pid $HEARTHD_PID)" <<<"$out"
