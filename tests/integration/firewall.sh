#!/usr/bin/env bash
# The firewall against a real scanner (nmap) on the internet side: home1
# listens on TCP 22, 80 and 8022 and UDP 53 on both families, and a capture
# on home1 proves that no probe reaches it, on the fast path and on the
# kernel path (fragments, IPv4 options), while its own connections out, an
# IPv6 pinhole and an IPv4 forward work. Then `firewall open lan0`.
source "$(dirname "$0")/../lib/prologue.sh" firewall.sh ip nmap jq nsenter tcpdump python3 curl
trap 'kill $listen_pid $listen2_pid $tcpdump_pid $httpd_pid 2>/dev/null; topo_destroy' EXIT
listen_pid= listen2_pid= tcpdump_pid= httpd_pid=

gateway_up "nat masquerade" "nat forward tcp 8080 $H1_V4:80" \
	"firewall allow tcp $H1_V6 8022"

# home1's services: dual-stack TCP listeners and a UDP one that answers
cat >"$work/listen.py" <<'PY'
import socket, select
socks = []
for port in (22, 80, 8022):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port)); s.listen(64); socks.append(s)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
u.bind(("::", 53)); socks.append(u)
while True:
    for s in select.select(socks, [], [])[0]:
        if s is u:
            data, peer = u.recvfrom(2048); u.sendto(data, peer)
        else:
            c, _ = s.accept(); c.sendall(b"hello\n"); c.close()
PY
nsx "$NS_H1" python3 "$work/listen.py" &
listen_pid=$!
# what reaches home1 from outside the home (ND and the gateway's own
# link-local traffic aside)
nsx "$NS_H1" tcpdump -i eth0 -n -U -w "$work/h1.pcap" \
	'(ip or ip6) and not src net 192.168.1.0/24 and not src net 2001:db8:1::/64 and not src net fe80::/10' \
	2>/dev/null &
tcpdump_pid=$!
mkdir -p "$work/www" && echo outside >"$work/www/index.html"
nsx "$NS_IN" python3 -m http.server --bind :: --directory "$work/www" 8000 >/dev/null 2>&1 &
httpd_pid=$!
sleep 1

# arrived FILTER: packets in home1's capture so far that match FILTER
arrived() {
	sleep 0.5
	tcpdump -r "$work/h1.pcap" -n "$1" 2>/dev/null | wc -l
}
# a LAN-fast scan: nothing answers a refused probe, so the timeouts set
# the pace
FAST="-n -Pn -T5 --initial-rtt-timeout 50ms --max-rtt-timeout 100ms --min-rate 2000"
# nmap's verdicts for the ports it scanned: "open", "closed", "filtered"
scan() {
	nsx "$NS_IN" nmap $FAST --max-retries 1 -oG - "$@" 2>/dev/null |
		grep -o 'Ports: .*\|Ignored State: [a-z|]* ([0-9]*)'
}
opened() { grep -o '[0-9]*/open/' <<<"$1" | wc -l; }

# --- the fast path: 1000 ports of each address, TCP and UDP -------------
out=$(scan -6 -sS -p 1-1000 "$H1_V6")
echo "  nmap -6 -sS: $out"
t_cmp "TCP scan of home1's IPv6 address: no port answers" "$(opened "$out")" -eq 0
t_cmp "  and no probe reached home1" "$(arrived 'ip6 and tcp')" -eq 0
refused_v6=$(counter wan0 fw-refused)
out=$(scan -sS -p 1-1000 "$H1_V4")
echo "  nmap -sS: $out"
t_cmp "TCP scan of home1's IPv4 address (routed to it): no port answers" "$(opened "$out")" -eq 0
t_cmp "  and no probe reached home1" "$(arrived 'ip and tcp')" -eq 0
t_cmp "  refused by tc on WAN ingress (with NAT on, XDP leaves such IPv4 to it)" \
	"$(counter wan0 fw-refused)" -ge $((refused_v6 + 1000))
nsx "$NS_IN" nmap $FAST -sU -p 1-1000 --max-retries 0 "$H1_V6" >/dev/null 2>&1
nsx "$NS_IN" nmap $FAST -sU -p 1-1000 --max-retries 0 "$H1_V4" >/dev/null 2>&1
t_cmp "UDP scans of both addresses: no probe reached home1" "$(arrived 'udp')" -eq 0
t_cmp "the refusals are counted (fw-refused on wan0)" "$(counter wan0 fw-refused)" -ge 4000

# --- the kernel path: fragments, IPv4 options -----------------------------
nsx "$NS_IN" nmap $FAST -6 -sS -f -p 1-100 --max-retries 0 "$H1_V6" >/dev/null 2>&1
nsx "$NS_IN" nmap $FAST -sS -f -p 1-100 --max-retries 0 "$H1_V4" >/dev/null 2>&1
nsx "$NS_IN" nmap $FAST -sS --ip-options R -p 1-100 --max-retries 0 "$H1_V4" >/dev/null 2>&1
t_cmp "fragmented and optioned scans (the kernel path): no probe reached home1" \
	"$(arrived 'tcp or ip6[6] == 44 or (ip[6:2] & 0x3fff) != 0')" -eq 0
t_cmp "  refused on the kernel path too (fw-refused by tc)" "$(counter wan0 fw-refused)" -ge 4300

# --- what the home asked for ----------------------------------------------
t_check "home1 reaches the internet over IPv6" \
	bash -c "ip netns exec $NS_H1 curl -sS -m 5 'http://[$SERVER_V6]:8000/' | grep -q outside"
t_check "  and over IPv4 (masqueraded)" \
	bash -c "ip netns exec $NS_H1 curl -sS -m 5 'http://$SERVER_V4:8000/' | grep -q outside"
frags=$(counter wan0 fragment)
out=$(nsx "$NS_H1" ping -6 -c 3 -i 0.2 -W 2 -s 4000 "$SERVER_V6")
t_check "fragmented answers to home1's pings come in (by fragment id)" grep -q " 0% packet loss" <<<"$out"
t_cmp "  on the kernel path" "$(counter wan0 fragment)" -ge $((frags + 6))
out=$(scan -6 -sS -p 22,8022 "$H1_V6")
t_check "the IPv6 pinhole (tcp $H1_V6 8022) is open, port 22 is not" \
	grep -q '8022/open/.*' <<<"$out"
t_check "  port 22 stays filtered" bash -c "! grep -q '22/open/' <<<'${out//8022\/open/}'"
t_check "  and a connection through it works" \
	bash -c "ip netns exec $NS_IN curl -sS -m 5 'telnet://[$H1_V6]:8022' </dev/null | grep -q hello"
out=$(scan -sS -p 8080 "$GW_WAN_V4")
t_check "the IPv4 forward (tcp 8080 to home1:80) is open" grep -q '8080/open/' <<<"$out"
nat=$(hearth_cli -j nat show)
t_jq "nat show: home1's IPv6 connection out, tracked untranslated" \
	"[.connections[] | select(.kind == \"tracked\" and .family == 6 and (.inside | startswith(\"[$H1_V6]\")))] | length >= 1" "$nat"
t_jq "  and the pinhole's, opened from outside" \
	"[.connections[] | select(.kind == \"pinhole\" and (.inside | endswith(\":8022\")))] | length >= 1" "$nat"

# --- pinholes at run time: the CLI, through hearthd's API --------------------
out=$(hearth_cli firewall allow tcp "$H1_V6" 2200-2299 2>&1)
t_check "hearth firewall allow tcp home1 2200-2299" test -z "$out"
t_jq "  firewall show lists it as a runtime pinhole, the file's as the file's" \
	'[.result.pinholes[] | .origin] == ["config", "runtime"] and .result.enabled' \
	"$(hearth_cli -j firewall show)"
out=$(scan -6 -sS -p 22,2222 "$H1_V6")
t_check "  home1's port 22 is still filtered" bash -c "! grep -q '/open/' <<<'${out//2222\/open/}'"
nsx "$NS_H1" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET6); s.bind(("::",2222)); s.listen(); time.sleep(60)' &
listen2_pid=$!
sleep 0.5
out=$(scan -6 -sS -p 2222 "$H1_V6")
t_check "  a listener on 2222 is reached through it" grep -q '2222/open/' <<<"$out"
stop_hearthd
start_hearthd "$work/hearth.conf" "$work/hearthd.log"
t_jq "  kept across a restart (the state file)" \
	'[.result.pinholes[] | select(.origin == "runtime")] | length == 1' \
	"$(hearth_cli -j firewall show)"
out=$(hearth_cli firewall delete tcp "$H1_V6" 8022 2>&1)
t_check "the file's pinhole is not the API's to delete" grep -q "allows it; change it there" <<<"$out"
out=$(hearth_cli firewall allow tcp 2001:db8:99::1 22 2>&1)
t_check "a pinhole outside the home is refused, one line" \
	bash -c "[[ \$(wc -l <<<'$out') -eq 1 ]] && grep -q 'not inside a LAN subnet' <<<'$out'"
out=$(hearth_cli firewall allow tcp "$H1_V6" 99999 2>&1)
t_check "a bad port is refused, one line" grep -q "bad pinhole port '99999'" <<<"$out"
hearth_cli firewall delete tcp "$H1_V6" 2200-2299
out=$(scan -6 -sS -p 2222 "$H1_V6")
echo "  after the delete: $out"
t_check "hearth firewall delete closes it again (the listener is still there)" \
	grep -q 'filtered' <<<"$out"
kill $listen2_pid 2>/dev/null

# --- source validation -----------------------------------------------------
nsx "$NS_H1" ip -6 addr add 2001:db8:99::10/128 dev eth0 nodad
nsx "$NS_H1" curl -sS -m 2 --interface 2001:db8:99::10 "http://[$SERVER_V6]:8000/" >/dev/null 2>&1
t_cmp "a home host with a source outside the home prefixes does not get out (fw-spoofed)" \
	"$(counter lan0 fw-spoofed)" -ge 1

# --- the switch: a plain router towards lan0 --------------------------------
echo "firewall open lan0" >>"$work/hearth.conf"
kill -HUP "$HEARTHD_PID"
wait_for 5 grep -q "reloaded" "$work/hearthd.log"
out=$(scan -6 -sS -p 22,80,443 "$H1_V6")
echo "  after 'firewall open lan0': $out"
t_check "firewall open lan0: home1's listening port answers" grep -q '22/open/' <<<"$out"
t_check "  and a closed one says so" grep -q '443/closed/' <<<"$out"
