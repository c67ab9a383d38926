#!/usr/bin/env bash
# A researcher's side of probes, with the CLI and openssl as the researcher
# guide tells it: a key made with openssl, its fingerprint in the
# manifest, the bundle signed and checked; a hostile bundle and an
# unsigned one refused with one line and exit 1, a usage error exit 2; a
# ring buffer probe's record type read from its BTF, or refused.
# Nothing is loaded: no namespace, no hearthd.
source "$(dirname "$0")/../lib/prologue.sh" probe_cli.sh openssl jq
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
H=$HEARTH_BUILD/hearth
P=$HEARTH_BUILD/probes

openssl genpkey -algorithm ed25519 -out "$work/me.pem" 2>/dev/null
openssl pkey -in "$work/me.pem" -pubout -out "$work/me.pub"
fp=$("$H" probe key "$work/me.pub")
t_check "hearth probe key: the fingerprint, 64 hex digits ($fp)" grep -Eqx '[0-9a-f]{64}' <<<"$fp"
cpus=$(($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1))
bundle() { # bundle DIR OBJECT-CASE
	mkdir -p "$1"
	cp "$P/hostile_$2.bpf.o" "$1/probe.bpf.o"
	cat >"$1/manifest.json" <<JSON
{"name": "seen-packets", "abi": 1, "author": "A. Researcher <ar@example.org>",
 "key": "$fp", "purpose": "counts packets", "point": "packet",
 "maps": [{"name": "seen", "type": "percpu_array", "bytes": $((16 * 12 * cpus))}],
 "output": "seen", "cpu_budget_ns": 200, "expires": "2099-01-01T00:00:00Z"}
JSON
}

bundle "$work/good" none
out=$("$H" probe check "$work/good" key "$work/me.pub" 2>&1); rc=$?
t_check "an unsigned bundle: refused (exit $rc)" test "$rc" -eq 1
t_check "  in one line saying so" bash -c '[[ $(wc -l <<<"$1") -eq 1 ]] && grep -q "unsigned" <<<"$1"' _ "$out"
digest=$("$H" probe sign "$work/good" "$work/me.pem" | grep -Eo '[0-9a-f]{64}$')
t_check "hearth probe sign prints the digest hearth probe digest gives" \
	test -n "$digest" -a "$digest" = "$("$H" probe digest "$work/good")"
out=$("$H" probe check "$work/good" key "$work/me.pub"); rc=$?
t_check "the signed bundle passes (exit $rc)" test "$rc" -eq 0
t_check "  and says in plain words what it asks for" \
	bash -c 'grep -q "keeps *seen, percpu_array of [0-9]* bytes: its results" <<<"$1" &&
		grep -q "watches *hearth_probe_packet, as it starts (fentry)" <<<"$1"' _ "$out"
t_jq "-j: its digest and maps as JSON" \
	".digest == \"$digest\" and .maps[0].name == \"seen\" and .point == \"hearth_probe_packet\"" \
	"$("$H" -j probe check "$work/good" key "$work/me.pub")"

bundle "$work/hostile" write_user
"$H" probe sign "$work/hostile" "$work/me.pem" >/dev/null
out=$("$H" probe check "$work/hostile" key "$work/me.pub" 2>&1); rc=$?
t_check "a probe calling bpf_probe_write_user: refused, signed or not (exit $rc)" test "$rc" -eq 1
t_check "  one line naming the helper" \
	bash -c '[[ $(wc -l <<<"$1") -eq 1 ]] && grep -q "calls bpf_probe_write_user" <<<"$1"' _ "$out"
# a ring buffer probe naming its records' type (tests/probes/ring_watch.bpf.c)
ring() { # ring RECORD
	mkdir -p "$work/ring"
	cp "$P/ring_watch.bpf.o" "$work/ring/probe.bpf.o"
	cat >"$work/ring/manifest.json" <<JSON
{"name": "ring-watch", "abi": 1, "author": "A. Researcher <ar@example.org>",
 "key": "$fp", "purpose": "one record a datagram", "point": "packet",
 "maps": [{"name": "seen", "type": "ringbuf", "bytes": 65536}],
 "output": "seen", "record": "$1", "cpu_budget_ns": 1000, "expires": "2099-01-01T00:00:00Z"}
JSON
	"$H" probe sign "$work/ring" "$work/me.pem" >/dev/null
}
ring ring_seen
t_check "a ring buffer probe: its record type, read from its BTF, in plain words" \
	bash -c '"$1" probe check "$2/ring" key "$2/me.pub" |
		grep -q "records     struct ring_seen, 24 bytes: seen_ns len l3_len sport dport hook proto tcp_flags\[\] dport_less_sport"' _ "$H" "$work"
t_jq "  -j: each field's offset, size and sign" \
	'.record.bytes == 24 and .record.fields[8] == {"name": "dport_less_sport", "offset": 22, "size": 2, "signed": true, "count": 0} and .record.fields[7].count == 2' \
	"$("$H" -j probe check "$work/ring" key "$work/me.pub")"
ring hearth_probe_flow
out=$("$H" probe check "$work/ring" key "$work/me.pub" 2>&1); rc=$?
t_check "  a record type its BTF lacks: refused in one line (exit $rc)" \
	bash -c '[[ $1 -eq 1 && $(wc -l <<<"$2") -eq 1 ]] && grep -q "struct hearth_probe_flow, is not in its BTF" <<<"$2"' _ "$rc" "$out"
"$H" probe check "$work/good" key 2>/dev/null
t_cmp "a usage error: exit 2" "$?" -eq 2
