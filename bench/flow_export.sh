#!/usr/bin/env bash
# The flow exporter with 100k active flows, on the namespace topology:
# home1 opens N UDP flows (one datagram each, every one a connection of
# the data plane's own making), then hearthd's walk reports them all
# (export active-timeout 1) to an IPFIX collector and the JSON flow log.
# Measured from hearthd's /proc: the CPU the full report took (records a
# CPU second), the CPU its idle walks take with the table full, and its
# memory (VmRSS, VmHWM).
#
#   bench/flow_export.sh [-n FLOWS] [-o OUT.json] [-g REVISION]
set -u
here=$(dirname "$0")
source "$here/args.sh"
bench_args 100000 "$@"
flows=$count
source "$here/../tests/lib/report.sh"
source "$here/../tests/lib/topo.sh"
sink_pid=
trap 'kill $sink_pid 2>/dev/null; topo_destroy' EXIT
topo_up
logdir=$work/log
mkdir -p "$logdir"
# a collector that takes the datagrams and drops them
ip netns exec "$NS_IN" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind(("'"$SERVER_V4"'", 4739))
while True:
    s.recv(65535)' &
sink_pid=$!
topo_config "$work/hearth.conf"
cat >>"$work/hearth.conf" <<CONF
nat masquerade
conntrack size 131072
conntrack host-share 100
export ipfix $SERVER_V4:4739
export log $logdir/flows.json size 1g
export active-timeout 1
CONF
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || { echo "flow_export: hearthd does not start" >&2; exit 1; }
nat_only
pid=$HEARTHD_PID
cpu_s() { awk '{ printf "%.3f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$pid/stat"; }
mem_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
records() { hearth_cli -j status | jq '.export.records'; }

# N distinct flows from home1: raw UDP datagrams, source and destination
# ports counting up (none answered; they live the UDP timeout, 2 min)
nsx "$NS_H1" python3 - "$H1_V4" "$SERVER_V4" "$flows" <<'PY'
import socket, struct, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s, d = socket.inet_aton(src), socket.inet_aton(dst)
def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
for i in range(n):
    sport, dport = 1024 + i % 60000, 20000 + i // 60000
    udp = struct.pack("!HHHH", sport, dport, 13, 0) + b"flows"
    c = csum(s + d + struct.pack("!BBH", 0, 17, 13) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 33, i & 0xffff, 0, 64, 17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    raw.sendto(ip + udp, (dst, 0))
PY
live=$(($(hearth_cli -j nat show | jq '.entries') / 2))
# the full report: from now until every flow has its record
cpu0=$(cpu_s) t0=$(date +%s%N) r0=$(records)
for i in $(seq 120); do
	(($(records) - r0 >= live)) && break
	sleep 0.25
done
t1=$(date +%s%N) cpu1=$(cpu_s) r1=$(records)
# idle walks: nothing moved, nothing to report (4 walks)
sleep 20
cpu2=$(cpu_s)
rss=$(mem_kb VmRSS) hwm=$(mem_kb VmHWM)
reported=$((r1 - r0))
report_cpu=$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { printf "%.3f", a - b }')
idle_cpu_share=$(awk -v a="$cpu2" -v b="$cpu1" 'BEGIN { printf "%.4f", (a - b) / 20 }')
lines=$(wc -l <"$logdir/flows.json")
x=$(hearth_cli -j status | jq -c '.export')
json=$(jq -n --arg rev "$rev" --arg date "$(date -u +%FT%TZ)" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	--argjson flows "$flows" --argjson live "$live" --argjson reported "$reported" \
	--argjson report_cpu "$report_cpu" --argjson wall_ms "$(((t1 - t0) / 1000000))" \
	--argjson idle_share "$idle_cpu_share" --argjson rss "$rss" --argjson hwm "$hwm" \
	--argjson lines "$lines" --argjson x "$x" '
	{benchmark: "flow_export", revision: $rev, date: $date, kernel: $kernel, cpu: $cpu,
	 method: "bench/flow_export.sh: home1 opens the flows (one UDP datagram each) in a table of 131072 connections; hearthd (export active-timeout 1, one IPFIX collector over UDP that drops what it takes, the JSON flow log) reports every one at its next walk; CPU is hearthd utime+stime from /proc, memory its VmRSS and VmHWM. Idle: 20 s more with the table full and nothing to report (4 walks).",
	 flows_sent: $flows, live_connections: $live, records: $reported, log_lines: $lines,
	 report_cpu_s: $report_cpu, report_wall_ms: $wall_ms,
	 records_per_cpu_second: (if $report_cpu > 0 then ($reported / $report_cpu | floor) else null end),
	 idle_walk_cpu_share: ($idle_share * 1000 | round / 1000),
	 cpu_share_at_60s_active_timeout: (if $report_cpu > 0 then ((($report_cpu / 60) + $idle_share) * 1000 | round / 1000) else null end),
	 hearthd_rss_kb: $rss, hearthd_hwm_kb: $hwm,
	 ipfix: $x.ipfix[0]}')
echo "$json" | jq -r '"flows live \(.live_connections), records \(.records) in \(.report_wall_ms) ms, \(.report_cpu_s) s of CPU: \(.records_per_cpu_second) records a CPU second",
	"idle walks with the table full: \(.idle_walk_cpu_share * 1000 | round / 10) % of a CPU; at the default active timeout (60 s) with every flow moving: \(.cpu_share_at_60s_active_timeout * 1000 | round / 10) %",
	"hearthd memory: \(.hearthd_rss_kb) kB resident (peak \(.hearthd_hwm_kb) kB)"'
[[ -n $out ]] && echo "$json" >"$out"
((reported >= live * 99 / 100))
