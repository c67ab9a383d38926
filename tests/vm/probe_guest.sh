#!/bin/bash
# Runs in the VM of tests/integration/probe_vm.sh, on Debian's own kernel:
# the unit tests of probe points, whose fentry probes the test machines'
# kernel refuses to load. test_progs prints PASS/FAIL/SKIP lines as the
# host's tests do; they are the host test's own.
export HEARTH_BUILD=/
# the fixture's commands go through system(): busybox's sh would run its
# own ip applet whatever PATH says, and the fixture needs iproute2's
ln -sf "$(command -v bash)" /bin/sh
echo "VM: bpf_jit_enable $(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)"
test_progs -t 'probe_*' 2>&1 | grep -E '^(PASS|FAIL|SKIP): |^  '

# --- hearthd: approval, attachment, results, detachment --------------------
source /report.sh
source /gateway_net.sh
mkdir -p /etc/hearth/probe-keys
cat >/etc/hearth/hearth.conf <<CONF
wan wan0
lan lan0 192.168.1.0/24
probe-approved /tmp/probes-approved
CONF
hearthd -c /etc/hearth/hearth.conf >/tmp/hearthd.log 2>&1 &
wait_for 60 grep -q 'running with' /tmp/hearthd.log
if ! grep -q "running with" /tmp/hearthd.log; then
	t_fail "hearthd starts" "$(tail -n 3 /tmp/hearthd.log | tr '\n' ' ')"
	exit 0
fi
openssl genpkey -algorithm ed25519 -out /tmp/me.pem 2>/dev/null
openssl pkey -in /tmp/me.pem -pubout -out /etc/hearth/probe-keys/me.pub
fp=$(hearth probe key /etc/hearth/probe-keys/me.pub)
cpus=$(($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1))
mkdir -p /tmp/b
cp /probes/hostile_none.bpf.o /tmp/b/probe.bpf.o
cat >/tmp/b/manifest.json <<JSON
{"name": "seen-packets", "abi": 1, "author": "A. Researcher", "key": "$fp",
 "purpose": "counts packets", "point": "packet",
 "maps": [{"name": "seen", "type": "percpu_array", "bytes": $((16 * 12 * cpus))}],
 "output": "seen", "cpu_budget_ns": 200, "expires": "2099-01-01T00:00:00Z"}
JSON
hearth probe sign /tmp/b /tmp/me.pem >/dev/null
out=$(hearth probe attach /tmp/b 2>&1)
t_check "hearthd: an unapproved bundle is refused, naming its digest" \
	bash -c '[[ $(wc -l <<<"$1") -eq 1 ]] && grep -q "not approved (its digest [0-9a-f]*" <<<"$1"' _ "$out"
t_check "  and nothing is attached" \
	bash -c '! hearth probe list | grep -q seen-packets'
t_check "hearth probe approve DIGEST" hearth probe approve "$(hearth probe digest /tmp/b)"
t_check "  kept in the approved file" grep -q "$(hearth probe digest /tmp/b)" /tmp/probes-approved
t_check "the approved bundle attaches" hearth probe attach /tmp/b
t_jq "hearth probe list: attached to the XDP and both tc programs" \
	'.result.probes[0].name == "seen-packets" and .result.probes[0].programs == 3' \
	"$(hearth -j probe list)"
ip netns exec home ping -c 5 -i 0.2 -W 2 203.0.113.2 >/dev/null
n=$(hearth -j probe read seen-packets | jq '.result.entries[0].value[0]')
t_cmp "hearth probe read: the probe counted the pings' packets" "$n" -ge 10
t_check "hearth probe detach" hearth probe detach seen-packets
t_check "  none listed" bash -c '[[ $(hearth -j probe list | jq ".result.probes | length") -eq 0 ]]'
t_check "  and the gateway forwards on" ip netns exec home ping -c 2 -i 0.2 -W 2 203.0.113.2

# attached and detached 100 times under a steady UDP stream: every
# datagram sent arrives (counted at both ends: the sender's writes, the
# receiving kernel's UDP counters, delivered or to no port)
udp_in() {
	ip netns exec isp awk '/^Udp:/ { if (h) { print $2 + $3 + $4; exit } h = 1 }' /proc/net/snmp
}
ip netns exec isp busybox nc -u -l -p 9999 >/dev/null 2>&1 &
recv_pid=$!
in0=$(udp_in)
ip netns exec home bash -c 'sent=0; exec 3>/dev/udp/203.0.113.2/9999
	while [ ! -e /tmp/stop ]; do echo x >&3 2>/dev/null && sent=$((sent + 1)); usleep 2000; done
	echo "$sent" >/tmp/sent.txt' &
send_pid=$!
cycles=0
for i in $(seq 100); do
	hearth probe attach /tmp/b >/dev/null && hearth probe detach seen-packets && cycles=$((cycles + 1))
done
touch /tmp/stop
wait "$send_pid"
sleep 1
kill "$recv_pid" 2>/dev/null
t_cmp "attached and detached 100 times under a UDP stream" "$cycles" -eq 100
t_cmp "  every datagram arrived ($(cat /tmp/sent.txt) sent)" "$(($(udp_in) - in0))" -eq "$(cat /tmp/sent.txt)"

# a probe over its CPU budget: detached within the grace period, while a
# well-behaved one stays and the traffic flows on
bundle() { # bundle DIR OBJECT NAME MAP BYTES BUDGET_NS
	mkdir -p "$1"
	cp "/probes/$2.bpf.o" "$1/probe.bpf.o"
	cat >"$1/manifest.json" <<JSON
{"name": "$3", "abi": 1, "author": "A. Researcher", "key": "$fp",
 "purpose": "a test", "point": "packet", "maps": [{"name": "$4", "type": "$5", "bytes": $6}],
 "output": "$4", "cpu_budget_ns": $7, "expires": "2099-01-01T00:00:00Z"}
JSON
	hearth probe sign "$1" /tmp/me.pem >/dev/null
	hearth probe approve "$(hearth probe digest "$1")"
}
# --- the researcher guide's example probes, on known traffic ----------------
example() { # example NAME: build/examples/NAME as a researcher signs it
	rm -rf "/tmp/$1" && mkdir -p "/tmp/$1"
	cp "/examples/$1/probe.bpf.o" "/examples/$1/manifest.json" "/tmp/$1/"
	sed -i "s/\"KEY\"/\"$fp\"/; s/\"EXPIRES\"/\"2099-01-01T00:00:00Z\"/" "/tmp/$1/manifest.json"
	hearth probe sign "/tmp/$1" /tmp/me.pem >/dev/null &&
		hearth probe approve "$(hearth probe digest "/tmp/$1")" >/dev/null &&
		hearth probe attach "/tmp/$1" >/dev/null
}
# FILTER over the entries of probe NAME's output (their values decoded by
# the manifest's record type)
entries() { hearth -j probe read "$1" | jq -r ".result.entries[] | $2"; }

# tenant-sizes: the guest tenant is 192.168.1.200; from home 5 pings of
# 1028-byte IP packets and 6 of 128, from the guest 4 of 328, each request
# and reply forwarded by XDP (a connection's first packet too; the
# neighbours known first: a packet to one not yet resolved goes through
# the kernel, and reaches probes at tc without a tenant)
ip -n home addr add 192.168.1.200/24 dev eth0
cat >>/etc/hearth/hearth.conf <<CONF
tenant guest prio 3 prefix 192.168.1.200/32
CONF
kill -HUP "$(pidof hearthd)"
wait_for 10 bash -c 'hearth -j tenant show 2>/dev/null | grep -q guest'
ip netns exec home ping -c 1 -W 2 -I 192.168.1.200 203.0.113.2 >/dev/null
ip netns exec home ping -c 1 -W 2 203.0.113.2 >/dev/null
t_check "tenant-sizes (examples/probes) attaches" example tenant_sizes
ip netns exec home ping -c 5 -i 0.2 -s 1000 -W 2 203.0.113.2 >/dev/null
ip netns exec home ping -c 6 -i 0.2 -s 100 -W 2 203.0.113.2 >/dev/null
ip netns exec home ping -c 4 -i 0.2 -s 300 -I 192.168.1.200 -W 2 203.0.113.2 >/dev/null
home_b5=$(entries tenant-sizes 'select(.key == "00000000") | .value.count[5]')
home_b2=$(entries tenant-sizes 'select(.key == "00000000") | .value.count[2]')
guest_b3=$(entries tenant-sizes 'select(.key == "01000000") | .value.count[3]')
t_cmp "  home: 10 packets of 1024-1499 bytes (the pings both ways)" "${home_b5:-0}" -eq 10
t_cmp "  home: 12 of 128-255 (the small pings both ways)" "${home_b2:-0}" -eq 12
t_cmp "  guest: 8 of 256-511 (its pings both ways)" "${guest_b3:-0}" -eq 8
hearth -j probe read tenant-sizes | jq -c '.result.entries[]' | sed 's/^/  /'
hearth probe detach tenant-sizes >/dev/null

# tcp-retrans: a home sender whose data the ISP's side drops for a while
# (tests/probes/isp_drop.bpf.c) retransmits; the probe's count of its
# retransmissions is the sender's kernel's own (TcpRetransSegs)
retrans_sent() {
	ip netns exec home awk '/^Tcp:/ { if (h) { print $13; exit } h = 1 }' /proc/net/snmp
}
t_check "tcp-retrans (examples/probes) attaches" example tcp_retrans
ip netns exec isp busybox nc -l -p 8080 >/tmp/tcp_in.txt 2>/dev/null &
sink=$!
sleep 0.3
r0=$(retrans_sent)
ip -n isp link set dev eth0 xdpgeneric obj /probes/isp_drop.bpf.o sec xdp
ip netns exec home bash -c 'exec 3<>/dev/tcp/203.0.113.2/8080
	printf "%1000s" x >&3; sleep 2.5; touch /tmp/drop_off; sleep 1.5
	printf "%500s" y >&3; sleep 0.5; exec 3>&-' &
sender=$!
wait_for 5 test -e /tmp/drop_off
ip -n isp link set dev eth0 xdpgeneric off
wait "$sender"
sleep 0.5
kill "$sink" 2>/dev/null
r=$(($(retrans_sent) - r0))
conn='select(.value.dport == 8080) | .value'
t_cmp "  the sender retransmitted" "$r" -gt 0
t_cmp "  the probe counted as many retransmissions as the sender made" \
	"$(entries tcp-retrans "$conn.retrans[0]" | head -n 1)" -eq "$r"
t_cmp "  and its 2 data segments beyond them" \
	"$(($(entries tcp-retrans "$conn.segments[0]" | head -n 1) - r))" -eq 2
t_cmp "  the ISP received all 1500 bytes" "$(wc -c </tmp/tcp_in.txt)" -eq 1500
hearth -j probe read tcp-retrans | jq -c '.result.entries[]' | sed 's/^/  /'
hearth probe detach tcp-retrans >/dev/null

# a probe that copies every home address it is shown sees them anonymized
bundle /tmp/copy hosts_copy hosts-copy copied hash $((64 * 24)) 10000 2>&1
t_check "a probe reading the hosts view attaches" hearth probe attach /tmp/copy
ip netns exec home ping -c 30 -i 0.2 -W 2 203.0.113.2 >/dev/null
entries=$(hearth -j probe read hosts-copy | tr -d ' \n' | grep -o '"value":\[[0-9]*' | sed 's/.*\[//')
raw=0 anon=0
for w in $entries; do
	# word 0: family, anonymized, 2 bytes of padding, then the IPv4 address
	a=$(printf '%d.%d.%d.%d' $((w >> 32 & 255)) $((w >> 40 & 255)) $((w >> 48 & 255)) $((w >> 56 & 255)))
	echo "  host: family $((w & 255)), anonymized $((w >> 8 & 255)), $a"
	[[ $a == 192.168.1.10 || $a == 203.0.113.1 ]] && raw=$((raw + 1))
	[[ $((w >> 8 & 255)) -eq 1 && $((w & 255)) -eq 2 ]] && anon=$((anon + 1))
done
t_cmp "  it copied the home host it was shown" "$(wc -w <<<"$entries")" -ge 1
t_cmp "  every address it copied anonymized" "$anon" -eq "$(wc -w <<<"$entries")"
t_cmp "  none of them the home's own" "$raw" -eq 0
hearth probe detach hosts-copy >/dev/null
bundle /tmp/copyw hosts_write hosts-write copied hash $((64 * 24)) 10000 2>&1
out=$(hearth probe attach /tmp/copyw 2>&1)
t_check "a probe writing to the hosts view: refused by the verifier" \
	grep -q "refused by the kernel's verifier" <<<"$out"
echo "  ($out)"

bundle /tmp/burn burn burner spun array 12 100 2>&1
bundle /tmp/good hostile_none seen-packets seen percpu_array $((16 * 12 * cpus)) 10000 2>&1
t_check "a CPU burner and a well-behaved probe attach" \
	bash -c 'hearth probe attach /tmp/burn >/dev/null && hearth probe attach /tmp/good >/dev/null'
ip netns exec home ping -c 300 -i 0.1 -W 2 203.0.113.2 >/tmp/ping.txt 2>&1 &
ping_pid=$!
wait_for 40 grep -q "probe burner detached (over its CPU budget" /tmp/hearthd.log
t_check "the burner is detached for its CPU budget, and hearthd says so" \
	grep -q "probe burner detached (over its CPU budget: [0-9]* ns a run against 100 for [0-9]* s)" /tmp/hearthd.log
sed -n 's/.*\(probe burner detached.*\)/  (\1)/p' /tmp/hearthd.log
t_jq "  the well-behaved one stays, measured within its budget" \
	'[.result.probes[] | .name] == ["seen-packets"] and .result.probes[0].mean_ns > 0 and .result.probes[0].mean_ns <= 10000' \
	"$(hearth -j probe list)"
wait "$ping_pid"
t_check "  and no ping was lost meanwhile" grep -q " 0% packet loss" /tmp/ping.txt

# a restart, then an upgrade (another load-time setting: a new program
# under the same links): the probe stays, counting on, its results kept
count() { hearth -j probe read seen-packets | jq '.result.entries[0].value[0] // 0'; }
hearthd_start() {
	hearthd -c /etc/hearth/hearth.conf >>/tmp/hearthd.log 2>&1 &
	hearthd_pid=$!
	wait_for 60 bash -c "[[ \$(grep -c 'running with' /tmp/hearthd.log) -ge $1 ]]"
}
hearthd_pid=$(pidof hearthd)
n1=$(count)
kill -TERM "$hearthd_pid"
wait_for 10 bash -c "! kill -0 $hearthd_pid 2>/dev/null"
ip netns exec home ping -c 5 -i 0.2 -W 2 203.0.113.2 >/dev/null
hearthd_start 2
t_check "restarted: the probe attached again" grep -q "probe seen-packets attached again, to 3 programs" /tmp/hearthd.log
n2=$(count)
t_cmp "  its count kept, and the pings made while hearthd was away counted ($n1 before)" "$n2" -ge $((n1 + 10))
kill -TERM "$hearthd_pid"
wait_for 10 bash -c "! kill -0 $hearthd_pid 2>/dev/null"
echo "fib-cache-ttl 3000" >>/etc/hearth/hearth.conf
hearthd_start 3
t_check "upgraded (a new program): the probe attached again" \
	bash -c '[[ $(grep -c "probe seen-packets attached again" /tmp/hearthd.log) -eq 2 ]]'
ip netns exec home ping -c 5 -i 0.2 -W 2 203.0.113.2 >/dev/null
t_cmp "  and it counts on the new program" "$(count)" -ge $((n2 + 10))

# the operator takes the researcher's key away: its probe goes
rm /etc/hearth/probe-keys/me.pub
wait_for 5 grep -q "probe seen-packets detached (its researcher's key was removed)" /tmp/hearthd.log
t_check "its researcher's key removed: the probe is detached" \
	grep -q "probe seen-packets detached (its researcher's key was removed)" /tmp/hearthd.log
t_check "  and nothing of it is pinned" test ! -e /sys/fs/bpf/hearth/probes/seen-packets
# --- a ring buffer probe: its records decoded, taken once, exported ------
# ring-watch (tests/probes/ring_watch.bpf.c) writes one record, struct
# ring_seen, for each UDP datagram to port 9998 at the XDP hook; with
# probe-export on, each one read is also a line of the flow log
openssl pkey -in /tmp/me.pem -pubout -out /etc/hearth/probe-keys/ring.pub
cat >>/etc/hearth/hearth.conf <<CONF
export log /tmp/ring-flows.json
probe-export on
CONF
kill -HUP "$(pidof hearthd)"
wait_for 10 grep -q "reloaded /etc/hearth/hearth.conf" /tmp/hearthd.log
mkdir -p /tmp/ring
cp /probes/ring_watch.bpf.o /tmp/ring/probe.bpf.o
cat >/tmp/ring/manifest.json <<JSON
{"name": "ring-watch", "abi": 1, "author": "A. Researcher",
 "key": "$(hearth probe key /etc/hearth/probe-keys/ring.pub)",
 "purpose": "one record a UDP datagram to port 9998", "point": "packet",
 "maps": [{"name": "seen", "type": "ringbuf", "bytes": 65536}],
 "output": "seen", "record": "ring_seen", "cpu_budget_ns": 10000,
 "expires": "2099-01-01T00:00:00Z"}
JSON
hearth probe sign /tmp/ring /tmp/me.pem >/dev/null
t_check "ring buffer probe: hearth probe check reads its record type" \
	bash -c 'hearth probe check /tmp/ring | grep -q "records     struct ring_seen, 24 bytes"'
hearth probe approve "$(hearth probe digest /tmp/ring)"
t_check "  it attaches" hearth probe attach /tmp/ring
# one socket a datagram (no port unreachable can fail the next send);
# datagram i carries i bytes: IP length 28 + i, frame 42 + i
ring_send() { # ring_send FIRST LAST
	ip netns exec home bash -c 'for i in $(seq "$1" "$2"); do
		printf "%*s" "$i" "" >/dev/udp/203.0.113.2/9998; usleep 10000; done' _ "$1" "$2"
}
ring_send 1 20
sleep 1
out=$(hearth -j probe read ring-watch)
t_jq "  probe.read: exactly the 20 datagrams' records" '.result.records | length == 20' "$out"
t_jq "  each decoded: UDP to 9998 at the XDP hook, its IP and frame lengths" \
	'[.result.records[].record] | all(.dport == 9998 and .proto == 17 and .hook == 1 and
		.len == .l3_len + 14 and .tcp_flags == [0, 0]) and
		([.[].l3_len] | sort) == [range(29; 49)]' "$out"
t_jq "  a signed field sign-extended (dport - sport as __s16)" \
	'[.result.records[].record] | all(.dport_less_sport == ((.dport - .sport + 32768) % 65536 + 65536) % 65536 - 32768)' "$out"
t_jq "  none dropped" '.result.dropped == 0' "$out"
t_jq "  a second read: none left" '.result.records | length == 0' "$(hearth -j probe read ring-watch)"
ring_send 21 23
sleep 1
t_check "  hearth probe read: one JSON line a record" \
	bash -c 'out=$(hearth probe read ring-watch) && [[ $(wc -l <<<"$out") -eq 3 ]] &&
		jq -e -s "map(.record.l3_len) == [49, 50, 51]" <<<"$out" >/dev/null'
t_jq "  probe.list: nothing queued, none dropped" \
	'.result.probes[] | select(.name == "ring-watch") | .queued == 0 and .dropped == 0' \
	"$(hearth -j probe list)"
t_cmp "  probe-export on: the flow log has a line for each record" \
	"$(grep -c '"type":"probe","probe":"ring-watch"' /tmp/ring-flows.json)" -eq 23
t_check "    each whole, its record as probe.read gave it" \
	jq -e -s '[.[] | select(.type == "probe")] | length == 23 and
		all(.record.dport == 9998 and (.time | test("^[0-9-]+T[0-9:.]+Z$")))' /tmp/ring-flows.json
grep -m 1 '"type":"probe"' /tmp/ring-flows.json | sed 's/.*/    (&)/'
t_check "  detached, nothing of it pinned" \
	bash -c 'hearth probe detach ring-watch && test ! -e /sys/fs/bpf/hearth/probes/ring-watch'
sed -i '/^export log \/tmp\/ring-flows.json$/d; /^probe-export on$/d' /etc/hearth/hearth.conf
kill -HUP "$(pidof hearthd)"
wait_for 10 bash -c '[[ $(grep -c "reloaded /etc/hearth/hearth.conf" /tmp/hearthd.log) -ge 2 ]]'
hearth down >/dev/null 2>&1
t_check "hearth down: no probe pin left" test ! -e /sys/fs/bpf/hearth/probes
