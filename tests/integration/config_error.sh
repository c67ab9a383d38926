#!/usr/bin/env bash
# Bad configuration: one line naming FILE:LINE, a refused start, nothing
# left behind (no pins, no XDP on the interfaces).
source "$(dirname "$0")/../lib/prologue.sh" config_error.sh ip jq nsenter

topo_up

nothing_left() {
	t_check "$1: nothing pinned" test ! -e "$HEARTH_PIN_DIR/progs"
	t_check "$1: no XDP on lan0" bash -c "! ip -n $NS_GW -d link show lan0 | grep -q 'prog/xdp'"
	t_check "$1: no XDP on wan0" bash -c "! ip -n $NS_GW -d link show wan0 | grep -q 'prog/xdp'"
}

refused() { # refused NAME CONFIG_TEXT EXPECTED_MESSAGE
	local conf="$work/$1.conf" out rc lines
	printf '%s' "$2" >"$conf"
	out=$(nsnet "$NS_GW" "$HEARTH_BUILD/hearthd" -c "$conf" 2>&1); rc=$?
	lines=$(wc -l <<<"$out")
	t_check "$1: refused to start" test "$rc" -ne 0
	t_check "$1: names the file, line and problem" grep -qF "$conf:$3" <<<"$out"
	t_cmp "$1: one line of error" "$lines" -eq 1
	nothing_left "$1"
}

refused "unknown directive" "wan wan0
lan lan0 192.168.1.0/24
frobnicate yes
pin-dir $HEARTH_PIN_DIR
run-dir $HEARTH_RUN_DIR
" "3: unknown directive 'frobnicate'"

refused "bad subnet" "wan wan0
lan lan0 192.168.1.0/40
pin-dir $HEARTH_PIN_DIR
run-dir $HEARTH_RUN_DIR
" "2: bad subnet '192.168.1.0/40'"

refused "missing interface" "pin-dir $HEARTH_PIN_DIR
run-dir $HEARTH_RUN_DIR
wan wan0
lan lan0 192.168.1.0/24
lan lan9 10.9.0.0/16
state-file $HEARTH_RUN_DIR/state.json
" "5: interface 'lan9' does not exist"
t_check "missing interface: no privacy key made by a refused start" \
	test ! -e "$HEARTH_RUN_DIR/privacy.key"

# the missing interface came after two good ones: what they got is undone
t_check "no stale pid file" test ! -e "$HEARTH_RUN_DIR/hearthd.pid"

topo_config "$work/good.conf"
out=$("$HEARTH_BUILD/hearthd" --check -c "$work/good.conf" 2>&1)
t_check "--check accepts a good file" grep -q "ok, 2 interfaces" <<<"$out"
out=$("$HEARTH_BUILD/hearthd" -c /nonexistent.conf 2>&1); rc=$?
t_check "a missing file is refused" test "$rc" -ne 0
t_check "... naming it" grep -q "/nonexistent.conf: No such file or directory" <<<"$out"
out=$("$HEARTH_BUILD/hearthd" --bogus 2>&1); rc=$?
t_cmp "unknown option: usage exit code" "$rc" -eq 2
t_check "unknown option: one line naming it" test "$out" = "hearthd: bad option '--bogus'; try 'hearthd --help'"
