// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/files.h"
#include "rundir.h"

static void pidfile_path(char *buf, size_t size, const char *run_dir)
{
	snprintf(buf, size, "%s/hearthd.pid", run_dir);
}

int hearth_pidfile_claim(const char *run_dir, struct hearth_err *err)
{
	char path[512], text[32];
	int fd, len;

	int ret = hearth_mkdir_p(run_dir, 0755);

	if (ret)
		return hearth_err_set(err, ret, "cannot create %s: %s", run_dir,
				      strerror(-ret));
	pidfile_path(path, sizeof(path), run_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot open %s: %s", path,
				      strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pid_t other = hearth_daemon_pid(run_dir);

		close(fd);
		return hearth_err_set(err, EBUSY, "already running (pid %d)",
				      (int)other);
	}
	len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, text, len, 0) != len) {
		int saved = errno;

		close(fd);
		return hearth_err_set(err, saved, "cannot write %s: %s", path,
				      strerror(saved));
	}
	return fd;
}

void hearth_pidfile_release(const char *run_dir, int fd)
{
	char path[512];

	if (fd < 0)
		return;
	pidfile_path(path, sizeof(path), run_dir);
	unlink(path);
	close(fd);
}

pid_t hearth_daemon_pid(const char *run_dir)
{
	char path[512], text[32] = "";
	pid_t pid = 0;
	int fd;

	pidfile_path(path, sizeof(path), run_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* a lock we can take means nobody holds it: the daemon is gone */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		goto cleanup;
	if (read(fd, text, sizeof(text) - 1) > 0)
		pid = (pid_t)atoi(text);
cleanup:
	close(fd);
	return pid;
}
