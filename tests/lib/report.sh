# shellcheck shell=bash
# Result lines for the integration tests, read by tests/run.sh:
#   PASS: name | FAIL: name | SKIP: name (reason)

t_pass() { echo "PASS: $1"; }
t_fail() { echo "FAIL: $1${2:+ ($2)}"; }
t_skip() { echo "SKIP: $1 ($2)"; }

# t_check NAME CMD...: passes when CMD succeeds.
t_check() {
	local name=$1
	shift
	if "$@"; then t_pass "$name"; else t_fail "$name"; fi
}

# t_jq NAME FILTER JSON: passes when the jq filter is true of JSON.
t_jq() {
	if jq -e "$2" >/dev/null 2>&1 <<<"$3"; then t_pass "$1"; else t_fail "$1" "$2"; fi
}

# t_cmp NAME ACTUAL OP EXPECTED (OP as for test: -eq -ge -le -gt -lt)
t_cmp() {
	if [[ $2 =~ ^-?[0-9]+$ ]] && [ "$2" "$3" "$4" ]; then
		t_pass "$1 ($2 $3 $4)"
	else
		t_fail "$1" "got '$2', want $3 $4"
	fi
}

# wait_for SECONDS CMD...: true once CMD succeeds, false if it has not
# within SECONDS (tried every 0.2 s).
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

# Skips the whole script unless running as root with the given commands.
t_require() {
	local script=$1 cmd
	shift
	if [[ $(id -u) -ne 0 ]]; then
		t_skip "$script" "needs root"
		exit 0
	fi
	for cmd in "$@"; do
		if ! command -v "$cmd" >/dev/null; then
			t_skip "$script" "needs $cmd"
			exit 0
		fi
	done
}

# CPU time the hypervisor took from this machine, for tests whose
# figures a busy host invalidates (a rate shaped in software cannot hold
# while its CPU is stolen). steal_mark prints a mark; steal_since MARK
# prints the percent of all CPU time stolen since it.
steal_mark() {
	awk '/^cpu / { print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}
steal_since() {
	local then now
	read -ra then <<<"$1"
	read -ra now <<<"$(steal_mark)"
	awk -v s=$((now[0] - then[0])) -v t=$((now[1] - then[1])) \
		'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }'
}

# trials_until MET TRIAL [ARGS...]: runs TRIAL ARGS (up to 4 times) until
# the function MET holds. The testbed's links and hosts are software on the
# same virtual CPUs, so a trial during which the hypervisor took STEAL_MAX%
# or more of the CPU time proves nothing either way: when it misses, it is
# run again. A trial on a quiet CPU decides. Sets $trial and $stolen (for
# the caller's figures); false when every trial was disturbed and missed,
# and the caller then skips its checks, naming the steal.
STEAL_MAX=5
trials_until() {
	local met=$1 mark
	shift
	for trial in 1 2 3 4; do
		mark=$(steal_mark)
		"$@"
		stolen=$(steal_since "$mark")
		if "$met"; then
			echo "  trial $trial: $stolen% of the CPU stolen"
			return 0
		fi
		if ! awk -v s="$stolen" -v m=$STEAL_MAX 'BEGIN { exit !(s >= m) }'; then
			echo "  trial $trial: missed on a quiet CPU ($stolen% stolen)"
			return 0
		fi
		echo "  trial $trial: missed with $stolen% of the CPU stolen; again"
	done
	return 1
}
