#!/usr/bin/env bash
# hearthd's local API: bad requests (unknown verb, bad JSON, wrong version,
# oversized, silent, a crowd, no permission) each get a clear error and
# leave hearthd serving; runtime changes kept in the state file survive a
# restart and a reboot (the data plane gone); collisions between the file
# and a runtime change are reported, never resolved silently.
source "$(dirname "$0")/../lib/prologue.sh" api.sh ip jq nsenter setpriv /usr/bin/python3

gateway_up "nat masquerade" "nat forward tcp 8080 $H1_V4:80" "control-group adm" \
	"tenant cfgt prio 3 prefix 192.168.1.12/32" "conntrack host-share 25"
sock=$HEARTH_RUN_DIR/hearthd.sock
probe() { /usr/bin/python3 "$here/../lib/api_probe.py" "$sock" "$@"; }
pid=$HEARTHD_PID
alive() { kill -0 "$pid" 2>/dev/null && [[ $(probe send '{"v":1,"verb":"api.hello"}' | jq .answer.ok) == true ]]; }

# --- bad requests -----------------------------------------------------------
t_check "the socket is there" test -S "$sock"
out=$(probe send '{"v":1,"verb":"api.hello"}')
t_jq "api.hello answers with the verbs" '.answer.ok and (.answer.result.verbs | index("tenant.add") != null)' "$out"
out=$(probe send '{"v":1,"verb":"frobnicate"}')
t_jq "unknown verb: code unknown-verb, says which" \
	'.answer.ok == false and .answer.error.code == "unknown-verb" and (.answer.error.message | test("frobnicate"))' "$out"
out=$(probe send '{"v":1,"verb":')
t_jq "bad JSON: code bad-request" '.answer.error.code == "bad-request" and (.answer.error.message | test("not valid JSON"))' "$out"
out=$(probe send $'{"v":1,"verb":"api.hello"}\r')
t_jq "a request ending in CR LF (a terminal's) is fine" '.answer.ok' "$out"
out=$(probe send '{"v":1,"verb":"api.hello"} x')
t_jq "text after the object: bad-request" '.answer.error.message == "not valid JSON: text after the object"' "$out"
out=$(probe send '[1,2]')
t_jq "not an object: bad-request" '.answer.error.code == "bad-request"' "$out"
out=$(probe send '{"v":2,"verb":"api.hello"}')
t_jq "another API version: code version" '.answer.error.code == "version"' "$out"
out=$(probe send '{"v":1,"verb":"tenant.add","args":[1]}')
t_jq "args not an object: bad-request" '.answer.error.code == "bad-request"' "$out"
out=$(probe send '{"v":1,"verb":"tenant.add","args":{"name":"x","down":{"rate":"lots"}}}')
t_jq "a bad value: code invalid, naming it" '.answer.error.code == "invalid" and (.answer.error.message | test("lots"))' "$out"
out=$(probe send '{"v":1,"verb":"api.hello","id":"q7"}')
t_jq "the request's id comes back" '.answer.id == "q7"' "$out"
out=$(probe big 100000)
t_jq "oversized request: code too-large, connection closed" \
	'.answer.error.code == "too-large" and .closed' "$out"
out=$(probe meanwhile)
t_jq "a silent client does not hold up another ($(jq .seconds <<<"$out") s)" \
	'.answer.ok and .seconds < 0.5' "$out"
out=$(probe silent 8)
t_jq "a client that sends nothing is told timeout and closed ($(jq .seconds <<<"$out") s)" \
	'.answer.error.code == "timeout" and .closed and .seconds >= 4 and .seconds < 7' "$out"
out=$(probe crowd 40)
t_jq "past 32 clients at once: code busy" '.answer.error.code == "busy"' "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
	"$here/../lib/api_probe.py" "$sock" send '{"v":1,"verb":"tenant.del","args":{"name":"cfgt"}}')
t_jq "a user outside the control group: code permission" '.answer.error.code == "permission"' "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
	"$here/../lib/api_probe.py" "$sock" crowd 40)
t_jq "  turned away at once: the 40th of its connections is told permission, not busy" \
	'.answer.error.code == "permission"' "$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$HEARTH_BUILD/hearth" tenant add intruder 2>&1); rc=$?
t_check "  and the CLI says so in one line, exit 1 ($out)" \
	bash -c "[[ $rc -eq 1 && \$(wc -l <<<\"\$1\") -eq 1 && \"\$1\" == *'may not use'* ]]" _ "$out"
out=$(setpriv --reuid=65534 --regid=65534 --groups=4 /usr/bin/python3 \
	"$here/../lib/api_probe.py" "$sock" send '{"v":1,"verb":"tenant.list"}')
t_jq "a member of the control group (adm) may" '.answer.ok' "$out"
t_check "after all of it hearthd serves, same process" alive
t_jq "nothing was changed by the refused requests" '[.tenants[].name] == ["home", "cfgt"]' \
	"$(hearth_cli -j tenant show)"

# --- every object listable ---------------------------------------------------
nsx "$NS_H1" ping -c 2 -i 0.1 "$SERVER_V4" >/dev/null
api() { probe send "{\"v\":1,\"verb\":\"$1\",\"args\":${2:-{\}}}" | jq -c .answer; }
t_jq "status.show: the daemon, its interfaces" ".ok and .result.daemon.pid == $pid and ([.result.interfaces[].name] | sort) == [\"lan0\", \"wan0\"]" \
	"$(api status.show)"
t_jq "stats.list: what hearth -j stats shows" ".ok and (.result.interfaces | map(.name)) == $(hearth_cli -j stats | jq -c '.interfaces | map(.name)')" \
	"$(api stats.list)"
t_jq "stats.list of a foreign interface: not-found" '.error.code == "not-found"' "$(api stats.list '{"dev":"eth9"}')"
t_jq "fib.list: the server's cached decision" "[.result[] | select(.destination == \"$SERVER_V4\")] | length == 1" "$(api fib.list)"
t_jq "nat.list: the pings' connection" "[.result.connections[] | select(.proto == \"icmp\" and (.remote | startswith(\"$SERVER_V4\")))] | length >= 1" \
	"$(api nat.list)"
t_jq "tenant.list, forward.list, config.show answer" '.ok' "$(api tenant.list)"
t_jq "  forward.list" '.ok and (.result | length) == 1' "$(api forward.list)"
t_jq "  config.show" '.ok and (.result.settings | length) > 10' "$(api config.show)"

# --- runtime changes, kept -------------------------------------------------
refuse_api() { # NAME MESSAGE ARGS...
	local name=$1 msg=$2 out rc
	shift 2
	out=$(hearth_cli "$@" 2>&1); rc=$?
	t_check "$name ($out)" bash -c "[[ $rc -eq 1 && \"\$1\" == *\"$msg\"* ]]" _ "$out"
}
refuse_api "deleting the file's tenant at run time is refused" "remove it there" tenant del cfgt
hearth_cli tenant add guest prio 2 down rate 2mbit ceil 8mbit prefix 192.168.1.11/32
hearth_cli tenant set cfgt down ceil 20mbit
hearth_cli nat forward add tcp 8081 "$H1_V4:81"
out=$(hearth_cli -j tenant add guest2 prio 2)
t_jq "-j prints the answer as it came" '.v == 1 and .ok and .result.name == "guest2"' "$out"
hearth_cli tenant del guest2
t_check "the state file is root's alone" bash -c "[[ \$(stat -c %a '$HEARTH_RUN_DIR/state.json') == 600 ]]"
cfg=$(hearth_cli -j config show)
t_jq "config show: each setting with its source" \
	'(.result.settings[] | select(.name == "nat masquerade") | .source | test("hearth.conf:[0-9]+$")) and
	 (.result.settings[] | select(.name == "fib-cache") | .source == "default")' "$cfg"
t_check "the anonymization key was made at the first start, root's alone" \
	bash -c "[[ \$(stat -c '%a %s' '$HEARTH_RUN_DIR/privacy.key') == '600 32' ]]"
t_jq "status: home addresses anonymized in exports (no privacy raw)" '.privacy == "anonymized"' \
	"$(hearth_cli -j status)"
t_jq "config show: privacy and its key" \
	'(.result.settings[] | select(.name == "privacy") | .value == "anonymize" and .source == "default") and
	 (.result.settings[] | select(.name == "privacy-key") | .value | endswith("/privacy.key"))' "$cfg"
t_jq "config show: the connection table's settings and /metrics" \
	'(.result.settings[] | select(.name == "conntrack host-share") | .value == "25" and (.source | test("hearth.conf:[0-9]+$"))) and
	 (.result.settings[] | select(.name == "conntrack size") | .value == "32768" and .source == "default") and
	 (.result.settings[] | select(.name == "metrics") | .value == "127.0.0.1:9477")' "$cfg"
t_jq "config show: no flow export by default" \
	'(.result.settings[] | select(.name == "export ipfix") | .value == "none" and .source == "default") and
	 (.result.settings[] | select(.name == "export active-timeout") | .value == "60") and
	 (.result.settings[] | select(.name == "export log") | .value == "none")' "$cfg"
t_jq "config show: the runtime tenant, and the file's with its runtime change" \
	'(.result.tenants[] | select(.name == "guest") | .source == "runtime" and .status == "applied") and
	 (.result.tenants[] | select(.name == "cfgt") | (.source | test("hearth.conf")) and .runtime_changes.down.ceil == 20000000)' "$cfg"
fwd_line=$(grep -n '^nat forward' "$work/hearth.conf" | cut -d: -f1)
t_jq "config show: both forwards with their sources" \
	'[.result.forwards[] | "\(.port) \(.source | sub(".*/"; ""))"] | sort == ["8080 hearth.conf:'"$fwd_line"'", "8081 runtime"]' "$cfg"
refuse_api "a runtime forward over the file's is refused" "forwarded at" nat forward add tcp 8080 "$H1_V4:22"
refuse_api "deleting the file's forward at run time is refused" "change it there" nat forward del tcp 8080

stop_hearthd
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts"
check_kept() {
	t_jq "$1: the runtime tenant" '.origin == "runtime" and .prio == 2 and .down.ceil == 8000000' \
		"$(hearth_cli -j tenant show guest)"
	t_jq "$1: the file's tenant with its runtime change" '.origin == "config" and .down.ceil == 20000000 and .prio == 3' \
		"$(hearth_cli -j tenant show cfgt)"
	t_jq "$1: the runtime forward" '[.[] | select(.port == 8081 and .origin == "runtime")] | length == 1' \
		"$(hearth_cli -j nat forward list)"
}
check_kept "after a restart"
# the first start of this hearthd on a data plane an older one (without a
# state file) left: what the maps hold at run time becomes the state
stop_hearthd
mv "$HEARTH_RUN_DIR/state.json" "$work/state.kept"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd starts without a state file"
t_jq "without a state file, the runtime tenant and forward in the maps become the state" \
	'([.tenants[] | select(.op == "add") | .tenant.name] == ["guest"]) and ([.forwards[].port] == [8081])' \
	"$(cat "$HEARTH_RUN_DIR/state.json")"
t_jq "  and stay applied" '.origin == "runtime" and .prio == 2' "$(hearth_cli -j tenant show guest)"
stop_hearthd
mv "$work/state.kept" "$HEARTH_RUN_DIR/state.json"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd restarts"
# a reboot: the pinned maps are gone, only the files remain
hearth_cli down >/dev/null
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd starts after down"
check_kept "after the data plane is gone (a reboot)"

# --- collisions --------------------------------------------------------------
echo "tenant guest prio 6 prefix 192.168.1.11/32" >>"$work/hearth.conf"
line=$(wc -l <"$work/hearth.conf")
kill -HUP "$HEARTHD_PID"
t_check "the file now has the runtime tenant's name: reported in the log" \
	wait_for 5 grep -q "tenant 'guest' added at run time is also at .*hearth.conf:$line" "$work/hearthd.log"
t_jq "  the file's applies" '.origin == "config" and .prio == 6' "$(hearth_cli -j tenant show guest)"
t_jq "  config show marks the runtime one shadowed" \
	"[.result.tenants[] | select(.name == \"guest\" and .source == \"runtime\") | .status] == [\"shadowed by $work/hearth.conf:$line\"]" \
	"$(hearth_cli -j config show)"
refuse_api "  changing the file's tenant while a runtime one is shadowed is refused" "delete it first" \
	tenant set guest prio 4
sed -i '$d' "$work/hearth.conf"
kill -HUP "$HEARTHD_PID"
t_check "the file drops it: the runtime one applies again" \
	wait_for 5 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j tenant show guest |
		jq -e '.origin == \"runtime\" and .prio == 2' >/dev/null"

echo "nat forward tcp 8081 $H1_V4:80" >>"$work/hearth.conf"
kill -HUP "$HEARTHD_PID"
t_check "the file now forwards the runtime forward's port: the file's applies" \
	wait_for 5 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j nat forward list |
		jq -e '[.[] | select(.port == 8081)] == [{\"proto\": \"tcp\", \"port\": 8081, \"to\": \"$H1_V4:80\", \"origin\": \"config\"}]' >/dev/null"
t_jq "  the runtime one shown shadowed" \
	'[.result.forwards[] | select(.port == 8081 and .source == "runtime") | .status | startswith("shadowed by")] == [true]' \
	"$(hearth_cli -j config show)"
t_check "  deleting it drops the shadowed runtime forward" hearth_cli nat forward del tcp 8081
sed -i '$d' "$work/hearth.conf"
kill -HUP "$HEARTHD_PID"
t_check "  and with the file's line gone, port 8081 is forwarded no more" \
	wait_for 5 bash -c "nsenter --net=/run/netns/$NS_GW $HEARTH_BUILD/hearth -j nat forward list |
		jq -e '[.[] | select(.port == 8081)] == []' >/dev/null"
t_check "tenant del of the file's tenant drops its runtime change" hearth_cli tenant del cfgt
t_jq "  the file's settings apply again" '.origin == "config" and .prio == 3 and .down.ceil != 20000000' \
	"$(hearth_cli -j tenant show cfgt)"
t_jq "  and config show has no change for it" \
	'[.result.tenants[] | select(.name == "cfgt") | has("runtime_changes")] == [false]' "$(hearth_cli -j config show)"
refuse_api "  a second del is refused" "remove it there" tenant del cfgt

# --- a state file hearthd cannot read ----------------------------------------
stop_hearthd
cp "$HEARTH_RUN_DIR/state.json" "$work/state.good"
echo '{"version": 1, "tenants": [{"op": "add", "tenant": {"name": "x", "up": {"rate": "lots"}}}]}' \
	>"$HEARTH_RUN_DIR/state.json"
start_hearthd "$work/hearth.conf" "$work/hearthd.log"; rc=$?
t_check "a bad state file stops hearthd, naming the file and the problem" \
	bash -c "[[ $rc -ne 0 ]] && tail -n 1 '$work/hearthd.log' | grep -q 'state.json: tenants\[0\]: bad up rate'"
HEARTHD_PID=
cp "$work/state.good" "$HEARTH_RUN_DIR/state.json"
start_hearthd "$work/hearth.conf" "$work/hearthd.log" || t_fail "hearthd starts with the good file"
t_jq "and with the good one back, everything is there" '.origin == "runtime"' "$(hearth_cli -j tenant show guest)"
