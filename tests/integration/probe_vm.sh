#!/usr/bin/env bash
# Probe points with real probes attached. The test machines' kernel
# refuses fentry programs (EPERM before its verifier looks at them;
# tp_btf and raw tracepoints load), so this boots Debian's cloud kernel
# under qemu (tests/lib/vm.sh) and runs the probe point unit tests there
# (tests/vm/probe_guest.sh): the packet point shut while no probe is
# attached, a probe's view of a forwarded frame field by field, a probe
# writing to its record refused by the verifier; then hearthd there:
# approval, attachment, results, detachment, and a probe over its CPU
# budget detached within the grace period while traffic flows on, and a
# ring buffer probe's records read, decoded, taken once and exported to
# the flow log.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/report.sh"
t_require probe_vm.sh qemu-system-x86_64 cpio busybox ip apt-get dpkg-deb
build=${HEARTH_BUILD:-$here/../../build}
HEARTH_BUILD=$build
source "$here/../lib/vm.sh"

if ! vm_kernel; then
	t_skip probe_vm.sh "$VM_WHY"
	exit 0
fi
root=$(mktemp -d)
console=$(mktemp)
trap 'rm -rf "$root" "$console"' EXIT

vm_root_init "$root"
vm_add_bin "$root" bash grep ip jq openssl ethtool cut "$build/test_progs" "$build/hearth" "$build/hearthd" ||
	{ t_fail "the VM's files are gathered"; exit 0; }
mkdir -p "$root/probes" "$root/examples"
cp "$build"/probes/*.bpf.o "$root/probes/"
for e in "$build"/examples/*/; do
	mkdir -p "$root/examples/$(basename "$e")"
	cp "$e"/probe.bpf.o "$e"/manifest.json "$root/examples/$(basename "$e")/"
done
vm_run "$root" "$console" probe_guest.sh
t_check "the probe tests ran in the VM, none skipped" \
	bash -c 'grep -q "^PASS: probe_point_packet" "$1" && grep -q "^PASS: probe_load_attach_and_refuse" "$1" &&
		grep -q "^PASS: probe_point_flow_end" "$1" &&
		! grep -q "^SKIP: probe_" "$1"' _ "$console"
