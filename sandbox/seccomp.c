// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The seccomp profile of every chute: the system calls it is denied and
 * how, written as the runtime spec's linux.seccomp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>

#include <linux/types.h>

#include "json_util.h"
#include "seccomp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The seccomp profile every chute runs with, whatever its bundle says.
 * Everything is allowed except the calls below, which fail as the kernel
 * would refuse them (EPERM), so a program that probes for a feature sees
 * "not permitted" and goes on without it. Many of them already need a
 * capability a chute does not have: the filter stops them before any of
 * the kernel code behind them runs, so a missed check or a bug on the way
 * to it is out of reach too. The list and the reasons are in
 * docs/chute-developer-guide.md ("System calls"): keep the two together.
 *
 * Names are resolved by crun's libseccomp for every architecture listed
 * below; a name that does not exist on one of them (iopl on arm, stime on
 * x86_64) only applies to the others.
 */
static const struct denied_call {
	const char *name;
	int err;	 /* errno returned instead of running the call */
	__u64 arg0_bits; /* non-zero: denied only when argument 0 (clone's
			  * flags) has all of these bits */
} denied_calls[] = {
	/*
	 * User namespaces: the one namespace a process without capabilities
	 * can create, and with it every capability over new mount, network
	 * and other namespaces, which opens most of the kernel to the chute.
	 */
	{ "unshare", EPERM, 0 },
	{ "clone", EPERM, CLONE_NEWUSER },
	/* clone3's flags are in memory, out of a filter's reach: "no such
	 * call" makes libc fall back to clone, which the rule above sees */
	{ "clone3", ENOSYS, 0 },
	{ "setns", EPERM, 0 },
	/* the chute's file system is hearth's to arrange */
	{ "mount", EPERM, 0 },
	{ "umount", EPERM, 0 },
	{ "umount2", EPERM, 0 },
	{ "pivot_root", EPERM, 0 },
	{ "move_mount", EPERM, 0 },
	{ "open_tree", EPERM, 0 },
	{ "fsopen", EPERM, 0 },
	{ "fsconfig", EPERM, 0 },
	{ "fsmount", EPERM, 0 },
	{ "fspick", EPERM, 0 },
	{ "mount_setattr", EPERM, 0 },
	/* large kernel interfaces some kernels open to unprivileged callers,
	 * each the way in of many local privilege escalations */
	{ "bpf", EPERM, 0 },
	{ "perf_event_open", EPERM, 0 },
	{ "userfaultfd", EPERM, 0 },
	{ "io_uring_setup", EPERM, 0 },
	{ "io_uring_enter", EPERM, 0 },
	{ "io_uring_register", EPERM, 0 },
	/* keyrings are not namespaced: uid 0's keyring is the host root's */
	{ "keyctl", EPERM, 0 },
	{ "add_key", EPERM, 0 },
	{ "request_key", EPERM, 0 },
	/* file handles open any file of a file system, bypassing the
	 * chute's root: the "shocker" container escape */
	{ "open_by_handle_at", EPERM, 0 },
	{ "name_to_handle_at", EPERM, 0 },
	/* tracing and reading other processes' memory: debuggers only */
	{ "ptrace", EPERM, 0 },
	{ "process_vm_readv", EPERM, 0 },
	{ "process_vm_writev", EPERM, 0 },
	{ "pidfd_getfd", EPERM, 0 },
	/* the host's kernel, devices and clock: never a chute's business */
	{ "kexec_load", EPERM, 0 },
	{ "kexec_file_load", EPERM, 0 },
	{ "init_module", EPERM, 0 },
	{ "finit_module", EPERM, 0 },
	{ "delete_module", EPERM, 0 },
	{ "reboot", EPERM, 0 },
	{ "swapon", EPERM, 0 },
	{ "swapoff", EPERM, 0 },
	{ "acct", EPERM, 0 },
	{ "syslog", EPERM, 0 },
	{ "iopl", EPERM, 0 },
	{ "ioperm", EPERM, 0 },
	{ "quotactl", EPERM, 0 },
	{ "quotactl_fd", EPERM, 0 },
	{ "lookup_dcookie", EPERM, 0 },
	{ "vhangup", EPERM, 0 },
	{ "settimeofday", EPERM, 0 },
	{ "stime", EPERM, 0 },
	{ "clock_settime", EPERM, 0 },
	{ "clock_settime64", EPERM, 0 },
};

/*
 * The ABIs the gateway's kernel runs: a filter applies to the ones it
 * lists and libseccomp kills a process calling through any other, so all
 * of them are listed, to keep 32-bit programs working and filtered alike.
 * Elsewhere nothing is listed, which means the native ABI alone.
 */
static const char *const seccomp_archs[] = {
#if defined(__x86_64__) || defined(__i386__)
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
#elif defined(__aarch64__) || defined(__arm__)
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#endif
};

/* A linux.seccomp.syscalls entry for @d; returns its names, for more. */
static struct json_object *put_denial(struct jb *b, struct json_object *calls,
				      const struct denied_call *d)
{
	struct json_object *rule = jb_push(b, calls, json_object_new_object());
	struct json_object *names, *args, *arg;

	names = jb_put(b, rule, "names", json_object_new_array());
	jb_push(b, names, json_object_new_string(d->name));
	jb_put(b, rule, "action", json_object_new_string("SCMP_ACT_ERRNO"));
	jb_put(b, rule, "errnoRet", json_object_new_int(d->err));
	if (!d->arg0_bits)
		return names;
	/* (arg0 & value) == valueTwo */
	args = jb_put(b, rule, "args", json_object_new_array());
	arg = jb_push(b, args, json_object_new_object());
	jb_put(b, arg, "index", json_object_new_int(0));
	jb_put(b, arg, "value", json_object_new_int64((int64_t)d->arg0_bits));
	jb_put(b, arg, "valueTwo", json_object_new_int64((int64_t)d->arg0_bits));
	jb_put(b, arg, "op", json_object_new_string("SCMP_CMP_MASKED_EQ"));
	return names;
}

void put_seccomp(struct jb *b, struct json_object *lnx)
{
	struct json_object *sc = jb_put(b, lnx, "seccomp", json_object_new_object());
	struct json_object *calls, *plain = NULL;

	jb_put(b, sc, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
	jb_strings(b, sc, "architectures", seccomp_archs, ARRAY_SIZE(seccomp_archs));
	calls = jb_put(b, sc, "syscalls", json_object_new_array());
	/* the unconditional EPERMs share one entry, the others get their own */
	for (size_t i = 0; i < ARRAY_SIZE(denied_calls); i++) {
		const struct denied_call *d = &denied_calls[i];

		if (d->err != EPERM || d->arg0_bits)
			put_denial(b, calls, d);
		else if (plain)
			jb_push(b, plain, json_object_new_string(d->name));
		else
			plain = put_denial(b, calls, d);
	}
}
