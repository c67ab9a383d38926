#!/usr/bin/env bash
# Chutes on a gateway with cgroup v2 alone, as most real gateways run.
# These machines have hybrid cgroups, so the test boots a VM (Debian's
# cloud kernel under qemu, tests/lib/vm.sh) holding hearthd, the CLI,
# crun and a busybox chute, and runs tests/vm/chute_cgroup2_guest.sh in
# it: limits at start and live, memory hog, fork bomb, CPU quota, the
# chute's cgroup gone after stop. The guest's PASS/FAIL lines are ours.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/report.sh"
t_require chute_cgroup2.sh qemu-system-x86_64 cpio busybox crun jq ip ethtool apt-get dpkg-deb
build=${HEARTH_BUILD:-$here/../../build}
HEARTH_BUILD=$build
source "$here/../lib/vm.sh"

if ! vm_kernel; then
	t_skip chute_cgroup2.sh "$VM_WHY"
	exit 0
fi
root=$(mktemp -d)
console=$(mktemp)
trap 'rm -rf "$root" "$console"' EXIT
[[ -z ${VM_KEEP:-} ]] || trap 'echo "kept $root $console"' EXIT

vm_root_init "$root"
vm_add_bin "$root" bash ip jq crun ethtool nsenter rm cp "$build/hearth" "$build/hearthd" ||
	{ t_fail "the VM's files are gathered"; exit 0; }
"$here/../../sandbox/examples/busybox-chute.sh" "$root/bundles/web" >/dev/null
vm_run "$root" "$console" chute_cgroup2_guest.sh
