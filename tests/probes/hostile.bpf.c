// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Probes hearth must refuse, one per build: the Makefile compiles this
 * file once for each CASE_* into build/probes/hostile_<case>.bpf.o, and
 * tests/prog_tests/probe_check.c expects each refused, naming its
 * problem. CASE_NONE is the well-behaved control: the same probe without
 * the fault, which the checks pass.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>

#include "../../maps/hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

#ifdef CASE_MAP_BUDGET
/* 32 MiB: twice the budget */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 22);
	__type(key, __u32);
	__type(value, __u64);
} huge SEC(".maps");
#endif

#ifdef CASE_MAP_TYPE
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");
#endif

#ifdef CASE_MAP_PINNED
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hearth_stats SEC(".maps");
#endif

#ifdef CASE_HOSTS_VIEW
/* hearth's hosts view by name, but larger: hearth's own map would not
 * fit it, and a probe may not create a map of that name */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} hearth_hosts SEC(".maps");
#endif

#ifdef CASE_HIDDEN
/* a static function of .text, which libbpf would append at load time */
static __attribute__((noinline)) int tell(__u64 v)
{
	char fmt[] = "seen %llu";

	return bpf_trace_printk(fmt, sizeof(fmt), v);
}
#endif

#if defined(CASE_KPROBE)
SEC("kprobe/do_sys_open")
#elif defined(CASE_FREPLACE)
SEC("freplace/" HEARTH_PROBE_POINT_PACKET)
#elif defined(CASE_FMOD_RET)
SEC("fmod_ret/" HEARTH_PROBE_POINT_PACKET)
#elif defined(CASE_POINT)
SEC("fentry/tcp_sendmsg")
#else
SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
#endif
int probe(__u64 *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&seen, &key);

	if (n)
		*n += 1;
#ifdef CASE_WRITE_USER
	bpf_probe_write_user((void *)ctx[0], &key, sizeof(key));
#endif
#ifdef CASE_OVERRIDE
	bpf_override_return((struct pt_regs *)ctx, 0);
#endif
#ifdef CASE_SIGNAL
	bpf_send_signal(9);
#endif
#ifdef CASE_STORE_BYTES
	bpf_skb_store_bytes((void *)ctx[0], 0, &key, sizeof(key), 0);
#endif
#ifdef CASE_PROBE_READ
	bpf_probe_read_kernel(&key, sizeof(key), (void *)ctx[0]);
#endif
#ifdef CASE_LOOP
	bpf_loop(1000, (void *)0, (void *)0, 0);
#endif
#ifdef CASE_HIDDEN
	tell(key);
#endif
	return 0;
}
