// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The monitor: the process that runs `crun run` for a chute, detached from
 * whoever started it, and writes down how the container ended; how it is
 * started, and how it is known to be alive.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chute.h"
#include "monitor.h"
#include "chute_files.h"
#include "crun.h"
#include "detach.h"
#include "../util/files.h"

/* From /proc/PID/stat: the state letter, and (field 22) when the process
 * started, in clock ticks since boot; with the pid that names one
 * process, even across reboots. */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], stat[1024], *p;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	ret = chute_text_read(path, stat, sizeof(stat));
	if (ret)
		return ret;
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 state, start) != 2)
		return -EINVAL;
	return 0;
}

static void describe_status(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) > 128)
		/* crun reports its container's death by signal as 128+N */
		snprintf(buf, size, "killed by signal %d", WEXITSTATUS(status) - 128);
	else
		snprintf(buf, size, "exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* crun removes a chute's cgroup but not the "hearth" parent it made in
 * each hierarchy: removed here once no chute is left in it (rmdir of a
 * cgroup with children fails, which is the test). */
static void tidy_cgroup_parents(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	rmdir("/sys/fs/cgroup/" CHUTE_CGROUP_PARENT);
	d = opendir("/sys/fs/cgroup");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/" CHUTE_CGROUP_PARENT, de->d_name);
		rmdir(path);
	}
	closedir(d);
}

/* The monitor: `crun run` in the foreground, then how it ended. */
static void __attribute__((noreturn)) monitor(const struct chute_env *env,
					      const char *name)
{
	static const char *const force[] = { "--force", NULL };
	char bundle[PATH_MAX], pidfile[PATH_MAX], log[PATH_MAX], exitf[PATH_MAX];
	const char *run[] = { "--bundle", bundle, "--pid-file", pidfile, NULL };
	char text[64];
	int status;

	chute_path(env, name, NULL, bundle, sizeof(bundle));
	chute_path(env, name, "pid", pidfile, sizeof(pidfile));
	chute_path(env, name, "log", log, sizeof(log));
	chute_path(env, name, "exit", exitf, sizeof(exitf));
	/* a container left from a crash or reboot would block the id */
	crun_call(env, name, NULL, "delete", force, NULL);
	status = crun_call(env, name, log, "run", run, NULL);
	if (status < 0)
		snprintf(text, sizeof(text), "could not run crun: %s", strerror(-status));
	else
		describe_status(status, text, sizeof(text));
	unlink(pidfile);
	crun_call(env, name, NULL, "delete", force, NULL);
	tidy_cgroup_parents();
	chute_text_write(exitf, text, false);
	_exit(0);
}

int chute_monitor_spawn(const struct chute_env *env, const char *name)
{
	char path[PATH_MAX], text[32], state;
	unsigned long long start;
	pid_t pid, mon;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		signal(SIGHUP, SIG_IGN);
		mon = fork();
		if (mon == 0) {
			chute_detach();
			monitor(env, name);
		}
		if (mon > 0 && !proc_stat(mon, &state, &start) &&
		    !chute_path(env, name, "monitor.pid", path, sizeof(path))) {
			snprintf(text, sizeof(text), "%d %llu\n", mon, start);
			chute_text_write(path, text, false);
		}
		_exit(mon > 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

pid_t chute_monitor_pid(const struct chute_env *env, const char *name)
{
	char path[PATH_MAX], text[64], state;
	unsigned long long recorded, start;
	int pid;

	if (chute_path(env, name, "monitor.pid", path, sizeof(path)) ||
	    chute_text_read(path, text, sizeof(text)) ||
	    sscanf(text, "%d %llu", &pid, &recorded) != 2 || pid <= 0 ||
	    proc_stat(pid, &state, &start))
		return 0;
	return start == recorded && state != 'Z' && state != 'X' ? pid : 0;
}

bool chute_alive(const struct chute_env *env, const char *name)
{
	return chute_monitor_pid(env, name) > 0;
}
