// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Running programs: crun (its state root, its log, its own mount
 * namespace, the last error it wrote) and the tools install uses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chute.h"
#include "crun.h"
#include "chute_files.h"

#define CRUN_ID_PREFIX "hearth-"

/*
 * crun 1.8 refuses hybrid cgroup hosts while a cgroup2 hierarchy is
 * mounted beside the v1 controllers: give it a mount namespace of its own
 * without /sys/fs/cgroup/unified (nothing to do on pure v1 or v2 hosts).
 */
static void crun_mount_ns(void)
{
	if (unshare(CLONE_NEWNS))
		return;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return;
	umount2("/sys/fs/cgroup/unified", MNT_DETACH);
}

static void close_from(int first)
{
	if (syscall(SYS_close_range, first, ~0U, 0))
		for (int fd = first; fd < 1024; fd++)
			close(fd);
}

/* The child's side of running a program: stdio to @out (or /dev/null),
 * nothing else inherited. */
static void exec_child(char **argv, int out, bool crun)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0)
		dup2(null, 0);
	dup2(out >= 0 ? out : null, 1);
	dup2(out >= 0 ? out : null, 2);
	close_from(3);
	if (crun)
		crun_mount_ns();
	execvp(argv[0], argv);
	_exit(127);
}


int chute_run_wait(char **argv, const char *out_path, bool crun)
{
	int out = -1, status;
	pid_t pid;

	if (out_path) {
		out = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (out < 0)
			return -errno;
	}
	pid = fork();
	if (pid == 0)
		exec_child(argv, out, crun);
	if (out >= 0)
		close(out);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

int crun_call(const struct chute_env *env, const char *name, const char *out,
	      const char *verb, const char *const *args, const char *tail)
{
	char root[PATH_MAX + 16], logopt[PATH_MAX + 16], log[PATH_MAX], id[64];
	char *argv[12] = { "crun", root, logopt, (char *)verb };
	int i = 4;

	if (chute_path(env, name, "crun.log", log, sizeof(log)))
		return -ENAMETOOLONG;
	snprintf(root, sizeof(root), "--root=%s/crun", env->run_dir);
	snprintf(logopt, sizeof(logopt), "--log=file:%s", log);
	snprintf(id, sizeof(id), CRUN_ID_PREFIX "%s", name);
	for (; args && *args && i < 9; args++)
		argv[i++] = (char *)*args;
	argv[i++] = id;
	argv[i] = (char *)tail;
	return chute_run_wait(argv, out ?: log, true);
}

void crun_last_error(const struct chute_env *env, const char *name,
		     char *buf, size_t size)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	snprintf(buf, size, "see %.200s/%s/crun.log", env->dir, name);
	if (chute_path(env, name, "crun.log", path, sizeof(path)))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%.240s", line);
		}
	fclose(f);
}
