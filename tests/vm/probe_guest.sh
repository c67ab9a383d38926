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
test_progs -t 'probe_*' 2>&1 | grep -E '^(PASS|FAIL|SKIP): |^  |^fixture: |^libbpf: |RTNETLINK|rror|annot'
