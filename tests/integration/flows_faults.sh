#!/usr/bin/env bash
# Flow export under faults: collectors that are down, unreachable, slow or
# silent never hold hearthd or the packet path (their errors are counted
# and shown); a full disk stops the flow log with a message, not hearthd;
# the log rotates under traffic, compressed, and survives a kill -9 with
# every line whole JSON and nothing lost that was synced before it.
source "$(dirname "$0")/../lib/prologue.sh" flows_faults.sh ip nsenter python3 jq mount curl promtool
trap 'kill $sink_pid 2>/dev/null; umount "$work/small" 2>/dev/null; topo_destroy' EXIT
sink_pid=
LOAD="$here/../lib/ct_load.py"
FLOOD_PORT=7100
quiet() { "$@" >/dev/null 2>&1; }

topo_up
mkdir -p "$work/small" "$work/logs"
mount -t tmpfs -o size=64k hearth-test "$work/small"
# a TCP collector that accepts and never reads
ip netns exec "$NS_IN" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("'"$SERVER_V4"'", 4740)); s.listen(4)
c, _ = s.accept(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
time.sleep(600)' &
sink_pid=$!
nsx "$NS_GW" ip route add unreachable 192.0.2.0/24
topo_config "$work/hearth.conf"
cat >>"$work/hearth.conf" <<CONF
nat masquerade
conntrack size 1024
export active-timeout 1
# down: nothing listens there (a home host: /metrics must not name it)
export ipfix $H2_V4:4739
# unreachable: no route
export ipfix 192.0.2.99:4739
# slow: accepts, never reads
export ipfix $SERVER_V4:4740 tcp
# silent: its SYN goes unanswered
export ipfix 203.0.113.77:4741 tcp
export log $work/small/flows.json size 1m
CONF
hearthd_up "$work/hearth.conf" "$work/hearthd.log"
nat_only

# 20000 flows, each a record, while the CLI is timed
nsx "$NS_H1" python3 "$LOAD" flood "$H1_V4" "$SERVER_V4" $FLOOD_PORT 20000 &
flood_pid=$!
slowest=0
for i in $(seq 20); do
	t0=$(date +%s%N)
	hearth_cli status >/dev/null || slowest=99999
	ms=$((($(date +%s%N) - t0) / 1000000))
	((ms > slowest)) && slowest=$ms
	sleep 0.2
done
wait $flood_pid
t_cmp "hearthd answered throughout (slowest 'hearth status', ms)" "$slowest" -lt 1000
t_check "the packet path too: home1 reaches the server" \
	quiet nsx "$NS_H1" ping -c 3 -i 0.2 -W 1 "$SERVER_V4"
sleep 7
x=$(hearth_cli -j status | jq -c .export)
by() { jq -r --arg c "$1" ".ipfix[] | select(.collector == \$c) | .$2" <<<"$x"; }
t_cmp "records were made" "$(jq .records <<<"$x")" -ge 15000
t_cmp "a collector that is down: its refusals counted" "$(by "$H2_V4:4739" errors)" -ge 1
t_check "  and shown" grep -q 'Connection refused' <<<"$(by "$H2_V4:4739" last_error)"
t_cmp "an unreachable collector: counted" "$(by 192.0.2.99:4739 errors)" -ge 1
t_cmp "  every message it was handed dropped" "$(by 192.0.2.99:4739 messages)" -eq 0
t_cmp "a slow collector: what its queue could not hold dropped" \
	"$(by "$SERVER_V4:4740" dropped_records)" -ge 1
t_cmp "  what it took, taken" "$(by "$SERVER_V4:4740" messages)" -ge 1
t_cmp "a silent collector: nothing sent, everything dropped" \
	"$(by 203.0.113.77:4741 dropped_records)" -eq "$(by 203.0.113.77:4741 records)"
t_check "a full disk stopped the flow log" \
	quiet jq -e '.log.running == false and (.log.error | test("No space left"))' <<<"$x"
t_check "  with one message in hearthd's log" grep -q 'flow log .*No space left on device.*stops here' "$work/hearthd.log"
t_check "  and every line it wrote is whole JSON" quiet jq -e . "$work/small/flows.json"
t_check "  hearth status says so" grep -q 'stopped: .*No space left' <<<"$(hearth_cli status)"
t_check "hearthd still runs" kill -0 "$HEARTHD_PID"
metrics=$(nsx "$NS_GW" curl -sS --max-time 3 http://127.0.0.1:9477/metrics)
t_check "/metrics passes promtool with the export's metrics" \
	bash -c "promtool check metrics <<<\"\$1\"" _ "$metrics"
t_check "  the unreachable collector's errors" \
	grep -Eq '^hearth_export_errors_total\{collector="192.0.2.99:4739",transport="udp"\} [1-9]' <<<"$metrics"
t_check "  the log stopped" grep -q '^hearth_export_log_running 0$' <<<"$metrics"
t_cmp "  each collector's errors" \
	"$(grep -c '^hearth_export_errors_total{collector=' <<<"$metrics")" -eq 4
t_check "  the one at a home address named anonymized, not as it is" \
	bash -c "! grep -q '192\.168\.1\.' <<<\"\$1\" && grep -Eq '^hearth_export_errors_total\{collector=\"[0-9.]+:4739\",transport=\"udp\"\} [1-9]' <<<\"\$1\"" _ "$metrics"
t_check "  the records made" grep -Eq '^hearth_flow_records_total [1-9][0-9]{4}' <<<"$metrics"

# rotation under traffic, then kill -9
stop_hearthd
sed -i "s|^export log .*|export log $work/logs/flows.json size 64k keep 100 sync-ms 100|" "$work/hearth.conf"
hearthd_up "$work/hearth.conf" "$work/hearthd.log" "hearthd starts again"
nsx "$NS_H1" python3 "$LOAD" flood "$H1_V4" "$SERVER_V4" $((FLOOD_PORT + 1)) 6000
sleep 7
lines=$(hearth_cli -j status | jq .export.log.lines)
sleep 0.5 # longer than sync-ms: all of them synced
kill -9 "$HEARTHD_PID"
wait "$HEARTHD_PID" 2>/dev/null
HEARTHD_PID=
# a write the kill cut in half, as a power cut would leave it
printf '{"start":"2026-12-07T00:00:00.000Z","end":' >>"$work/logs/flows.json"
hearthd_up "$work/hearth.conf" "$work/hearthd.log" "hearthd starts after kill -9"
sleep 1
rotated=$(ls "$work"/logs/flows.json.*.gz 2>/dev/null | wc -l)
t_cmp "the log rotated under traffic" "$rotated" -ge 10
t_check "  no rotation left uncompressed" bash -c "! ls '$work'/logs/*.rotating 2>/dev/null | grep -q ."
all=$(zcat -f "$work"/logs/flows.json.*.gz "$work/logs/flows.json")
t_check "after kill -9: every line of every file is whole JSON" quiet jq -e . <<<"$all"
t_cmp "  nothing synced before the kill is lost" "$(wc -l <<<"$all")" -ge "$lines"
t_cmp "  every flood flow is there" \
	"$(jq -s "[.[] | select(.dport == $((FLOOD_PORT + 1))) | .packets] | add" <<<"$all")" -ge 5900
