#!/usr/bin/env bash
# `make bench`: runs the benchmark steps in order; each prints its table and
# leaves its JSON in bench/results/<step>.json. Ends non-zero if any step
# failed (a step fails when it could not verify that it measured the path it
# names; missing a target is reported, not a failure).
#
#   bench/run.sh            every step
#   bench/run.sh STEP...    only these (bench/run.sh -l lists them)
#
# Environment: BENCH_REPEATS, BENCH_TRIALS, BENCH_CPU are handed to the
# BPF_PROG_TEST_RUN steps; BENCH_E2E_TRIALS, BENCH_E2E_SECONDS,
# BENCH_E2E_FLOWS, BENCH_E2E_RATE to nat_e2e (see bench/e2e_nat.sh);
# HEARTH_BUILD is the build directory (default build).
#
# A new benchmark is a step_<name> function plus a line in STEPS.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${HEARTH_BUILD:-build}
RESULTS=bench/results

# name|what it measures
STEPS=(
	"xdp_forward|per-packet cost of the XDP forwarding path vs an empty XDP program (BPF_PROG_TEST_RUN)"
	"xdp_nat|per-packet cost of the NAT paths (established both ways, new connections) vs an empty XDP program (BPF_PROG_TEST_RUN)"
	"nat_e2e|end to end in namespaces, same frames: hearth masquerade vs Linux nftables masquerade, delivered pps and CPU per packet"
)

revision() {
	git describe --always --dirty 2>/dev/null || echo unknown
}

# Options common to the BPF_PROG_TEST_RUN benchmarks.
test_run_args() {
	[[ -n ${BENCH_REPEATS:-} ]] && printf '%s\n' -r "$BENCH_REPEATS"
	[[ -n ${BENCH_TRIALS:-} ]] && printf '%s\n' -t "$BENCH_TRIALS"
	[[ -n ${BENCH_CPU:-} ]] && printf '%s\n' -c "$BENCH_CPU"
	return 0
}

step_xdp_forward() {
	local args
	mapfile -t args < <(test_run_args)
	# xdp_bench builds its own network namespace (tests/lib/fixture.c)
	"$BUILD/xdp_bench" "${args[@]}" -g "$(revision)" -o "$RESULTS/xdp_forward.json"
}

step_xdp_nat() {
	local args
	mapfile -t args < <(test_run_args)
	"$BUILD/xdp_bench" -s nat "${args[@]}" -g "$(revision)" -o "$RESULTS/xdp_nat.json"
}

step_nat_e2e() {
	# builds and removes its own namespaces (tests/lib/topo.sh); takes
	# BENCH_E2E_TRIALS, BENCH_E2E_SECONDS, BENCH_E2E_FLOWS, BENCH_E2E_RATE
	HEARTH_BUILD=$BUILD bench/e2e_nat.sh -g "$(revision)" -o "$RESULTS/nat_e2e.json"
}

list_steps() {
	local s
	for s in "${STEPS[@]}"; do
		printf '  %-14s %s\n' "${s%%|*}" "${s#*|}"
	done
}

main() {
	local wanted=("$@") s name failed=() ran=0

	if [[ ${1:-} == -l ]]; then
		list_steps
		return 0
	fi
	if [[ $(id -u) -ne 0 ]]; then
		echo "bench: needs root (BPF_PROG_TEST_RUN, network namespaces)" >&2
		return 1
	fi
	mkdir -p "$RESULTS"
	for s in "${STEPS[@]}"; do
		name=${s%%|*}
		if [[ ${#wanted[@]} -gt 0 && " ${wanted[*]} " != *" $name "* ]]; then
			continue
		fi
		echo "== bench $name: ${s#*|}"
		ran=$((ran + 1))
		"step_$name" || failed+=("$name")
	done
	if [[ $ran -eq 0 ]]; then
		echo "bench: no step named ${wanted[*]}; steps are:" >&2
		list_steps >&2
		return 1
	fi
	if [[ ${#failed[@]} -gt 0 ]]; then
		echo "bench: FAILED: ${failed[*]}" >&2
		return 1
	fi
	echo "bench: $ran step(s) done, results in $RESULTS/"
}

main "$@"
