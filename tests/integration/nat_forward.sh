#!/usr/bin/env bash
# Port forwards: from the internet to a home server through the WAN
# address, from a home host to the same WAN address (hairpin), set in the
# configuration and at run time with `hearth nat forward`.
source "$(dirname "$0")/../lib/prologue.sh" nat_forward.sh ip curl jq nsenter busybox
trap 'kill $httpd_pid 2>/dev/null; topo_destroy' EXIT
httpd_pid=

gateway_up "nat masquerade" "nat forward tcp 8080 $H1_V4:80"
nat_only
mkdir -p "$work/www"
echo "served by home1" >"$work/www/index.html"
ip netns exec "$NS_H1" busybox httpd -f -p 80 -h "$work/www" &
httpd_pid=$!
sleep 0.3

out=$(nsx "$NS_IN" curl -sS -m 5 "http://$GW_WAN_V4:8080/index.html")
t_check "internet reaches the home server on WAN:8080" test "$out" = "served by home1"
out=$(nsx "$NS_H2" curl -sS -m 5 "http://$GW_WAN_V4:8080/index.html")
t_check "hairpin: home2 reaches it through the WAN address" test "$out" = "served by home1"
nat=$(hearth_cli -j nat show)
t_jq "nat show: a forward connection from the internet" \
	"[.connections[] | select(.kind == \"forward\" and .inside == \"$H1_V4:80\" and .outside == \"$GW_WAN_V4:8080\")] | length >= 1" "$nat"
t_jq "nat show: a hairpin connection from home2" \
	"[.connections[] | select(.kind == \"hairpin\" and (.remote | startswith(\"$H2_V4:\")))] | length >= 1" "$nat"

t_check "a port not forwarded is the gateway's" bash -c \
	"! ip netns exec $NS_IN curl -sS -m 2 http://$GW_WAN_V4:8081/ 2>/dev/null"

t_check "runtime forward added" hearth_cli nat forward add tcp 8081 "$H1_V4:80"
out=$(nsx "$NS_IN" curl -sS -m 5 "http://$GW_WAN_V4:8081/index.html")
t_check "... and reachable at once" test "$out" = "served by home1"
out=$(hearth_cli nat forward add tcp 8082 10.9.9.9:80 2>&1); rc=$?
t_check "a runtime forward outside every LAN subnet is refused as the file refuses it ($out)" \
	test "$rc" -eq 1 -a "$out" = "hearth: forward target 10.9.9.9 is not in a LAN subnet"
out=$(hearth_cli nat forward add tcp 8081 "$H2_V4:80" 2>&1); rc=$?
t_check "a second forward of the port is refused without 'replace' ($out)" \
	test "$rc" -eq 1 -a "$out" = "hearth: tcp port 8081 is already forwarded to $H1_V4:80; say 'replace' to replace it"
t_check "  and replaces it with 'replace'" hearth_cli nat forward add tcp 8081 "$H2_V4:80" replace
t_jq "  the forward points at the new target" '[.[] | select(.port == 8081) | .to] == ["'"$H2_V4"':80"]' \
	"$(hearth_cli -j nat forward list)"
hearth_cli nat forward add tcp 8081 "$H1_V4:80" replace
t_jq "forward list shows both with their origin" \
	'[.[] | "\(.proto) \(.port) \(.to) \(.origin)"] | sort == ["tcp 8080 '"$H1_V4"':80 config", "tcp 8081 '"$H1_V4"':80 runtime"]' \
	"$(hearth_cli -j nat forward list)"

kill -HUP "$HEARTHD_PID"; sleep 0.5
t_jq "a reload keeps runtime forwards" '[.[] | select(.port == 8081)] | length == 1' \
	"$(hearth_cli -j nat forward list)"
t_check "runtime forward deleted" hearth_cli nat forward del tcp 8081
out=$(hearth_cli nat forward del tcp 8081 2>&1); rc=$?
t_check "deleting it twice says so" test "$rc" -eq 1 -a "$out" = "hearth: no forward for tcp port 8081"
out=$(hearth_cli nat forward add sctp 1 "$H1_V4:80" 2>&1); rc=$?
t_check "a bad forward is refused in one line" test "$rc" -eq 2 -a "$out" = "hearth: protocol is tcp or udp, not 'sctp'"

sed -i '/nat forward/d' "$work/hearth.conf"
kill -HUP "$HEARTHD_PID"; sleep 0.5
t_jq "removed from the file, removed on reload" 'length == 0' "$(hearth_cli -j nat forward list)"
