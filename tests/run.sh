#!/usr/bin/env bash
# Runs every test: the BPF/userspace unit tests (build/test_progs) and the
# namespace integration tests (tests/integration/*.sh). Prints each result
# and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
export HEARTH_BUILD=$PWD/build
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
	local name=$1 rc
	shift
	echo "== $name"
	# a suite's own summary line would read like ours
	"$@" 2>&1 | grep -v -E '^[0-9]+ passed, [0-9]+ failed' | tee -a "$log"
	rc=${PIPESTATUS[0]}
	if [[ $rc -ne 0 ]] && ! tail -n 50 "$log" | grep -q '^FAIL: '; then
		echo "FAIL: $name exited with status $rc" | tee -a "$log"
	fi
}

# scripts/check-layers.sh as results: one FAIL per upward include or
# include cycle, else one PASS.
layers() {
	local out rc
	out=$(scripts/check-layers.sh 2>&1)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		echo "PASS: layers: includes go down the layers, no include cycle"
	else
		grep -v -E 'layer violation\(s\)$' <<<"$out" | sed 's/^/FAIL: layers: /'
	fi
	layers_selftest
	return "$rc"
}

# The check itself catches what it is there for, in a tree made to fail.
layers_selftest() {
	local tree out
	tree=$(mktemp -d)
	mkdir -p "$tree/sandbox" "$tree/userspace/lib" "$tree/util"
	echo '#include "../userspace/lib/nat.h"' >"$tree/sandbox/chute.c"
	touch "$tree/userspace/lib/nat.h"
	printf '#include "b.h"\n' >"$tree/util/a.h"
	printf '#include "a.h"\n' >"$tree/util/b.h"
	out=$(scripts/check-layers.sh "$tree" 2>&1)
	if [[ $? -ne 0 && $out == *'sandbox/chute.c:1: includes "../userspace/lib/nat.h" (sandbox may not include userspace/lib)'* &&
		$out == *'include cycle: '*util/a*util/b* ]]; then
		echo "PASS: layers: the check fails on an upward include and on a cycle"
	else
		echo "FAIL: layers: the check missed a planted upward include or cycle ($out)"
	fi
	rm -rf "$tree"
}

filter=${1:-}
run_suite unit build/test_progs ${filter:+-t "$filter"}
for t in tests/integration/*.sh; do
	[[ -z $filter || $t == *$filter* ]] || continue
	run_suite "$t" bash "$t"
done
# last: its FAIL lines would hide a suite above that crashed without any
[[ -z $filter || layers == *$filter* ]] && run_suite layers layers

pass=$(grep -c '^PASS: ' "$log")
fail=$(grep -c '^FAIL: ' "$log")
skip=$(grep -c '^SKIP: ' "$log")
if [[ $fail -gt 0 ]]; then
	echo "failures:"
	grep '^FAIL: ' "$log" | sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
