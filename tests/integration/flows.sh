#!/usr/bin/env bash
# Flow export: known TCP and UDP flows, IPv4 and IPv6 (home1's in the home,
# home2's in tenant guest), collected as IPFIX by nfdump's nfcapd and
# decoded by tshark, and written to the JSON flow log. Each flow's packets
# and IP bytes both ways, summed over its records (a long flow's reports
# are deltas), are what a capture on the internet side counted; no home
# or WAN address is in any record unless 'privacy raw' is set.
source "$(dirname "$0")/../lib/prologue.sh" flows.sh ip nsenter python3 nfcapd nfdump tshark tcpdump jq
trap 'kill $serve_pid $nfcapd_pid $tshark_pid $cap_pid 2>/dev/null; topo_destroy' EXIT
serve_pid= nfcapd_pid= tshark_pid= cap_pid=
PEER="$here/../lib/flow_peer.py"
quiet() { "$@" >/dev/null; }
PORT=7000
FLOOD_PORT=7100
HOME_RE='192\.168\.1\.|198\.51\.100\.1([^0-9]|$)|2001:db8:1:|2001:db8:ff::1([^0-9a-f]|$)'

topo_up
# the collectors listen before the gateway starts
mkdir -p "$work/nfcapd"
ip netns exec "$NS_IN" nfcapd -w "$work/nfcapd" -b "$SERVER_V4" -p 4739 -t 3600 \
	>"$work/nfcapd.log" 2>&1 &
nfcapd_pid=$!
ip netns exec "$NS_IN" tshark -q -i eth0 -f "udp port 4739" -w "$work/ipfix.pcap" \
	>/dev/null 2>&1 &
tshark_pid=$!
ip netns exec "$NS_IN" tcpdump -q -i eth0 -w "$work/traffic.pcap" "port $PORT or port $FLOOD_PORT" \
	>/dev/null 2>&1 &
cap_pid=$!
# tshark's dumpcap can take seconds to start on a loaded machine; the
# templates hearthd sends at start must not go out before it listens
# (it writes the file's header once it captures)
wait_for 15 test -s "$work/ipfix.pcap"
ip netns exec "$NS_IN" python3 "$PEER" serve $PORT 120 &
serve_pid=$!
topo_config "$work/hearth.conf"
cat >>"$work/hearth.conf" <<CONF
nat masquerade
conntrack size 1024
tenant guest prio 3 prefix $H2_V4/32 prefix $H2_V6/128
export ipfix $SERVER_V4:4739
export active-timeout 1
export log $work/flows.json sync-ms 100
CONF
hearthd_up "$work/hearth.conf" "$work/hearthd.log"
nat_only
sleep 0.5

nsx "$NS_H1" python3 "$PEER" tcp "$SERVER_V4" $PORT 10 300 >/dev/null
nsx "$NS_H2" python3 "$PEER" udp "$SERVER_V4" $PORT 7 100 >/dev/null
nsx "$NS_H1" python3 "$PEER" tcp "$SERVER_V6" $PORT 5 1000 >/dev/null
nsx "$NS_H2" python3 "$PEER" udp "$SERVER_V6" $PORT 3 50 >/dev/null
# a long flow (8 s): reported every active timeout while it moves
long=$(nsx "$NS_H1" python3 "$PEER" udp "$SERVER_V4" $PORT 9 40 1)

# hearth flows: the root's view (raw), the exports' view, filters
view=$(hearth_cli -j flows proto tcp limit 100)
t_check "hearth flows: home1's TCP flows, raw for root" \
	quiet jq -e "[.result.flows[] | select(.dport == $PORT) | .src] | unique == [\"$H1_V4\", \"$H1_V6\"]" <<<"$view"
t_check "  exported: exactly as the flow log has them" \
	bash -c "diff <(jq -r '.result.flows[] | select(.dport == $PORT and .family == \"ipv4\") | .src' <<<\"\$1\" | sort -u) \
		<(jq -r 'select(.dport == $PORT and .family == \"ipv4\" and .proto == \"tcp\") | .src' '$work/flows.json' | sort -u)" \
	_ "$(hearth_cli -j flows proto tcp exported)"
t_check "  tenant guest: home2's UDP flows only" \
	quiet jq -e "[.result.flows[] | .src] | unique == [\"$H2_V4\", \"$H2_V6\"]" <<<"$(hearth_cli -j flows tenant guest)"
t_check "  host: its flows only" \
	quiet jq -e "[.result.flows[] | .src] | unique == [\"$H2_V6\"]" <<<"$(hearth_cli -j flows host "$H2_V6")"
t_check "  the text view lists them, biggest first" \
	bash -c "hearth_out=\$1; grep -q '^tcp .*$H1_V6' <<<\"\$hearth_out\"" _ "$(hearth_cli flows)"
t_check "  a bad filter: one line, exit 2" \
	bash -c "out=\$(\"\$@\" 2>&1); [[ \$? -eq 2 && \$(wc -l <<<\"\$out\") -eq 1 ]]" _ \
	nsenter --net="/run/netns/$NS_GW" "$HEARTH_BUILD/hearth" --run-dir "$HEARTH_RUN_DIR" --pin-dir "$HEARTH_PIN_DIR" flows proto sctp

# a flood of new flows in a table of 1024 connections: evicted ones end
nsx "$NS_H1" python3 "$here/../lib/ct_load.py" flood "$H1_V4" "$SERVER_V4" $FLOOD_PORT 4000
# every flow moved its last more than an active timeout before a walk (5 s)
sleep 8
export_json=$(hearth_cli -j status | jq -c .export)
t_cmp "hearthd made flow records" "$(jq .records <<<"$export_json")" -ge 6
t_cmp "  the collector took them all" "$(jq '.ipfix[0].dropped_records' <<<"$export_json")" -eq 0
kill -INT $cap_pid $tshark_pid
wait $cap_pid $tshark_pid 2>/dev/null
kill -TERM $nfcapd_pid
wait $nfcapd_pid 2>/dev/null
cap_pid= tshark_pid= nfcapd_pid=

# "FAMILY PROTO fwd|rev PACKETS BYTES" per flow, IP octets, from the
# capture: the server's port and the family and protocol tell them apart
expected=$(tshark -r "$work/traffic.pcap" -Y "udp.port == $PORT or tcp.port == $PORT" -T fields -e ip.proto -e ipv6.nxt -e ip.src -e ipv6.src \
	-e ip.len -e ipv6.plen -e udp.srcport -e tcp.srcport -e udp.dstport -e tcp.dstport 2>/dev/null |
	awk -F'\t' -v s4="$SERVER_V4" -v s6="$SERVER_V6" '{
		fam = $1 != "" ? 4 : 6; proto = $1 != "" ? $1 : $2
		len = $5 != "" ? $5 : $6 + 40
		rev = ($3 $4 == s4 || $3 $4 == s6)
		lport = rev ? $7 $8 : $9 $10; cport = rev ? $9 $10 : $7 $8
		k = fam " " proto " " cport " " (rev ? "rev" : "fwd"); p[k]++; b[k] += len
	} END { for (k in p) print k, p[k], b[k] }' | sort)
t_cmp "the capture saw 5 flows both ways" "$(wc -l <<<"$expected")" -eq 10

# the same from tshark's decoding of the IPFIX records (RFC 5103 reverse
# elements: the second octets/packets of each record), summed per flow
tshark -r "$work/ipfix.pcap" -d udp.port==4739,cflow -T json --no-duplicate-keys 2>/dev/null |
	jq -c '[.[]._source.layers.cflow]' >"$work/ipfix.json"
decoded=$(jq -r ".[] | .. | objects | select(has(\"cflow.protocol\") and .[\"cflow.dstport\"] == \"$PORT\")" "$work/ipfix.json" | jq -r '
	[(if has("cflow.srcaddrv6") then 6 else 4 end), .["cflow.protocol"],
	 (.["cflow.post_naptsource_transport_port"] // .["cflow.srcport"]),
	 (.["cflow.packets"] | if type == "array" then . else [., "0"] end),
	 (.["cflow.octets"] | if type == "array" then . else [., "0"] end)] |
	"\(.[0]) \(.[1]) \(.[2]) fwd \(.[3][0]) \(.[4][0])\n\(.[0]) \(.[1]) \(.[2]) rev \(.[3][1]) \(.[4][1])"' |
	awk '{ k = $1 " " $2 " " $3 " " $4; p[k] += $5; b[k] += $6 }
		END { for (k in p) print k, p[k], b[k] }' | sort)
t_check "tshark: every flow's packets and IP bytes both ways match the capture" \
	diff <(echo "$expected") <(echo "$decoded")
t_cmp "  the long flow was reported more than once (delta records)" \
	"$(jq "[.[] | .. | objects | select(.[\"cflow.srcport\"] == \"$long\")] | length" "$work/ipfix.json")" -ge 2
t_check "  the anonymization records say structured permutation (RFC 6235)" \
	quiet jq -e '[.[] | .. | objects | select(has("cflow.anonymization_technique")) |
		.["cflow.anonymization_technique"]] | unique == ["6"]' "$work/ipfix.json"

# nfdump's view: it reads the reverse elements as its 'out' counts
collected=$(nfdump -R "$work/nfcapd" -q -N -o 'fmt:%pr %sa %xsp %sp %ipkt %ibyt %opkt %obyt' "dst port $PORT" 2>/dev/null |
	awk '{ fam = index($2, ":") ? 6 : 4; proto = $1 == "TCP" ? 6 : $1 == "UDP" ? 17 : $1
		port = fam == 4 ? $3 : $4
		k = fam " " proto " " port; p[k " fwd"] += $5; b[k " fwd"] += $6
		p[k " rev"] += $7; b[k " rev"] += $8 }
		END { for (k in p) print k, p[k], b[k] }' | sort)
t_check "nfdump: every flow's packets and IP bytes both ways match the capture" \
	diff <(echo "$expected") <(echo "$collected")
t_check "  and it tells the gateway by its observation domain" \
	grep -q "Observation domain $(jq .observation_domain <<<"$export_json")" "$work/nfcapd.log"

# the JSON flow log: whole lines, the same counts, tenants named
t_check "the flow log's every line is JSON" quiet jq -e . "$work/flows.json"
logged=$(jq -r "select(.dport == $PORT)" "$work/flows.json" | jq -r '"\(if .family == "ipv6" then 6 else 4 end) \(if .proto == "tcp" then 6 else 17 end) \(.nat.sport // .sport) \(.packets) \(.bytes) \(.rev_packets) \(.rev_bytes)"' |
	awk '{ k = $1 " " $2 " " $3; p[k " fwd"] += $4; b[k " fwd"] += $5
		p[k " rev"] += $6; b[k " rev"] += $7 } END { for (k in p) print k, p[k], b[k] }' | sort)
t_check "  its counts match the capture too" diff <(echo "$expected") <(echo "$logged")
t_check "  home1's flows are the home's" \
	quiet jq -se "[.[] | select(.dport == $PORT and (.proto == \"tcp\" or .sport == $long)) | .tenant] | unique == [\"home\"]" \
	"$work/flows.json"
t_check "  home2's are tenant guest's" \
	quiet jq -se "[.[] | select(.dport == $PORT and .proto == \"udp\" and .sport != $long) | .tenant] | unique == [\"guest\"]" \
	"$work/flows.json"

flooded=$(tshark -r "$work/traffic.pcap" -Y "udp.dstport == $FLOOD_PORT" 2>/dev/null | wc -l)
t_cmp "the flood crossed the gateway" "$flooded" -ge 3000
t_cmp "  every packet of it is in a record: evicted connections' counts too" \
	"$(jq -s "[.[] | select(.dport == $FLOOD_PORT) | .packets] | add" "$work/flows.json")" -eq "$flooded"
t_cmp "  most of them in end records (evicted)" \
	"$(jq -s "[.[] | select(.dport == $FLOOD_PORT and .end_reason == \"evicted\")] | length" "$work/flows.json")" -ge 2000

# privacy: no home address (LAN, WAN) in any record, only the remote's
t_check "no home or WAN address in the IPFIX records" bash -c "! grep -Eq '$HOME_RE' '$work/ipfix.json'"
# (nfdump notes the datagrams' source, the exporter: not a record's field)
t_check "  nor in what nfdump stored" \
	bash -c "! nfdump -R '$work/nfcapd' -q -N -o raw 2>/dev/null | grep -Ev 'ip (router|exporter)' | grep -Eq '$HOME_RE'"
t_check "  nor in the flow log" bash -c "! grep -Eq '$HOME_RE' '$work/flows.json'"
t_check "  nor in hearthd's log" bash -c "! grep -Eq '$HOME_RE' '$work/hearthd.log'"
t_check "  the remote end is as it was" grep -q "\"dst\":\"$SERVER_V4\"" "$work/flows.json"
t_check "  home addresses keep their common prefix (home1 and home2 anonymized alike up to /24)" \
	bash -c "jq -r 'select(.family == \"ipv4\") | .src' '$work/flows.json' | cut -d. -f1-3 | sort -u | wc -l | grep -qx 1"

# privacy raw: the operator's choice, shown in the records too
stop_hearthd
sed -i "s|^export log .*|export log $work/raw.json sync-ms 100|" "$work/hearth.conf"
echo "privacy raw" >>"$work/hearth.conf"
hearthd_up "$work/hearth.conf" "$work/hearthd.log" "hearthd starts raw"
nsx "$NS_H1" python3 "$PEER" udp "$SERVER_V4" $PORT 2 60 >/dev/null
sleep 8
t_check "privacy raw: the flow log carries home1's address" \
	quiet jq -se "any(.src == \"$H1_V4\" and .anonymized == false)" "$work/raw.json"
t_check "  and hearth status says so" grep -q '^privacy:   raw' <<<"$(hearth_cli status)"
t_check "  what the first run reported was kept: no flow of it reported again" \
	quiet jq -se "all(.sport != $long)" "$work/raw.json"

# the WAN address changes: the table is flushed, each connection's record
# ends forced
port=$(nsx "$NS_H1" python3 "$PEER" udp "$SERVER_V4" $PORT 2 60)
nsx "$NS_GW" ip addr add 198.51.100.3/24 dev wan0
nsx "$NS_GW" ip addr del "$GW_WAN_V4/24" dev wan0
sleep 2
t_check "a new WAN address: the flushed connections' records end forced" \
	quiet jq -se "any(.sport == $port and .end_reason == \"forced\" and .packets == 2)" "$work/raw.json"
