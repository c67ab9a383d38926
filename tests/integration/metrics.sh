#!/usr/bin/env bash
# /metrics: Prometheus' promtool accepts what hearthd serves on the
# loopback of the gateway (127.0.0.1:9477 by default), the values move
# as traffic crosses, and bad or idle clients leave it answering others:
# an oversized request, a line that is no request, a wrong method or
# path, and a client that connects and sends nothing.
source "$(dirname "$0")/../lib/prologue.sh" metrics.sh ip ping curl jq nsenter promtool busybox
trap 'kill $idle_pid 2>/dev/null; topo_destroy' EXIT
idle_pid=
URL=http://127.0.0.1:9477/metrics

gateway_up "nat masquerade"
nat_only
scrape() { nsx "$NS_GW" curl -sS --max-time 3 "$@"; }
status() { nsx "$NS_GW" curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$@"; }
value() { awk -v m="$2" '$1 == m { print $2 }' <<<"$1"; }
fwd='hearth_packets_total{interface="lan0",role="lan",class="fast",reason="forward"}'
opened='hearth_conntrack_events_total{event="opened"}'

before=$(scrape "$URL")
t_check "promtool check metrics passes" bash -c "promtool check metrics <<<\"\$1\"" _ "$before"
t_check "  with the interfaces' counters, the tenants' and the table's" \
	bash -c "grep -q '^hearth_packets_total{interface=\"wan0\"' <<<\"\$1\" &&
		 grep -q '^hearth_tenant_bytes_total{tenant=\"home\",direction=\"down\"}' <<<\"\$1\" &&
		 grep -q '^hearth_conntrack_capacity_entries ' <<<\"\$1\"" _ "$before"

nsx "$NS_H1" ping -c 20 -i 0.05 -W 1 "$SERVER_V4" >/dev/null
nsx "$NS_H2" ping -c 5 -i 0.05 -W 1 "$SERVER_V4" >/dev/null
after=$(scrape "$URL")
t_cmp "lan0's forwarded packets moved by the pings" \
	"$(($(value "$after" "$fwd") - $(value "$before" "$fwd")))" -ge 20
t_cmp "connections opened moved" "$(($(value "$after" "$opened") - $(value "$before" "$opened")))" -ge 2
t_cmp "home's upload bytes moved" \
	"$(value "$after" 'hearth_tenant_bytes_total{tenant="home",direction="up"}')" -gt 0

# a client that connects and sends nothing, kept open meanwhile
nsx "$NS_GW" busybox sh -c "sleep 8 | busybox nc 127.0.0.1 9477" >/dev/null 2>&1 &
idle_pid=$!
sleep 0.3
t_check "a silent client does not hold the others" scrape -o /dev/null "$URL"
t_cmp "an oversized request is refused" \
	"$(status -H "X-Pad: $(head -c 20000 /dev/zero | tr '\0' a)" "$URL")" -ge 400
got=$(nsx "$NS_GW" busybox sh -c "printf 'NONSENSE\r\n\r\n' | busybox nc -w 2 127.0.0.1 9477" | head -n 1)
t_check "a line that is no request gets no metrics" bash -c "! grep -q ' 200 ' <<<\"\$1\"" _ "$got"
t_cmp "POST is refused (405)" "$(status -X POST -d x "$URL")" -eq 405
t_cmp "another path is not found (404)" "$(status http://127.0.0.1:9477/other)" -eq 404
t_check "and /metrics still answers" bash -c "promtool check metrics <<<\"\$1\"" _ "$(scrape "$URL")"
t_check "only on the loopback: not from home1" \
	bash -c "! ip netns exec $NS_H1 curl -s --max-time 2 http://192.168.1.1:9477/metrics >/dev/null"
