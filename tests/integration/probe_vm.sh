#!/usr/bin/env bash
# Probe points with real probes attached. The test machines' kernel
# refuses fentry programs (EPERM before its verifier looks at them;
# tp_btf and raw tracepoints load), so this boots Debian's cloud kernel
# under qemu (tests/lib/vm.sh) and runs the probe point unit tests there
# (tests/vm/probe_guest.sh): the packet point shut while no probe is
# attached, a probe's view of a forwarded frame field by field, a probe
# writing to its record refused by the verifier; then hearthd there:
# approval, attachment, results, detachment, and a probe over its CPU
# budget detached within the grace period while traffic flows on.
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
cp "$here/../lib/report.sh" "$root/report.sh"
cp "$here/../vm/gateway_net.sh" "$root/gateway_net.sh"
mkdir -p "$root/probes"
cp "$build"/probes/*.bpf.o "$root/probes/"
cp "$here/../vm/probe_guest.sh" "$root/guest.sh"

t0=$SECONDS
vm_boot "$root" "$console" 600
rc=$?
sed -i -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' "$console"
grep -E '^(PASS|FAIL|SKIP|VM): |^  ' "$console"
echo "  (the VM ran for $((SECONDS - t0)) s under TCG)"
t_check "the probe tests ran in the VM, none skipped" \
	bash -c 'grep -q "^PASS: probe_point_packet" "$1" && grep -q "^PASS: probe_load_attach_and_refuse" "$1" &&
		! grep -q "^SKIP: probe_" "$1"' _ "$console"
if ! grep -q '^VM: done' "$console"; then
	t_fail "the VM ran the test to its end" "qemu exit $rc; console: $(tail -n 5 "$console" | tr '\n' ' ')"
fi
