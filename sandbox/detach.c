// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The chute monitor leaves its caller's descriptors, session and cgroups. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "detach.h"

static void stdio_to_null(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		return;
	for (int fd = 0; fd < 3; fd++)
		if (fd != null)
			dup2(null, fd);
	if (null > 2)
		close(null);
	if (syscall(SYS_close_range, 3, ~0U, 0))
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
}

/*
 * /proc/self/mountinfo fields: id parent major:minor root mountpoint
 * options - fstype source superoptions. A hierarchy is joined at its
 * root only where it is mounted whole (root "/"): inside a cgroup
 * namespace or a bind mount of a subtree that is the most we can see.
 */
static void leave_cgroups(void)
{
	char line[4096], root[PATH_MAX], mnt[PATH_MAX], procs[PATH_MAX + 16];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");
		int fd;

		if (!sep || (strncmp(sep, " - cgroup ", 10) && strncmp(sep, " - cgroup2 ", 11)))
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 || strcmp(root, "/"))
			continue;
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", mnt);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "0\n", 2) < 0) {
			/* best effort: a hierarchy we may not write is not ours */
		}
		close(fd);
	}
	fclose(f);
}

void chute_detach(void)
{
	sigset_t none;

	/* a daemon that takes its signals through signalfd blocks them: the
	 * monitor, crun and the chute must not inherit that */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	stdio_to_null();
	setsid();
	leave_cgroups();
}
