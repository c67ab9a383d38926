// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's log (its stdout and stderr): where it is, and its trimming.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chute.h"
#include "chute_log.h"
#include "chute_files.h"

int chute_log_path(struct chute_env *env, const char *name, char *buf, size_t size,
		   struct hearth_err *err)
{
	int ret = chute_check_installed(env, name, err);

	if (!ret && chute_path(env, name, "log", buf, size))
		ret = hearth_err_set(err, -ENAMETOOLONG, "path too long");
	return ret;
}

/* The last CHUTE_LOG_MAX bytes of @from into @to (made anew). */
static int copy_tail(int from, off_t size, const char *to)
{
	off_t off = size > CHUTE_LOG_MAX ? size - CHUTE_LOG_MAX : 0;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), ret = 0;
	ssize_t n;

	if (out < 0)
		return -errno;
	while (off < size) {
		n = copy_file_range(from, &off, out, NULL, (size_t)(size - off), 0);
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
	}
	close(out);
	return ret;
}


void chute_log_trim(struct chute_env *env, const char *name)
{
	char path[PATH_MAX], old[PATH_MAX], tmp[PATH_MAX];
	struct stat sb;
	int fd;

	if (chute_path(env, name, "log", path, sizeof(path)) ||
	    chute_path(env, name, "log.1", old, sizeof(old)) ||
	    chute_path(env, name, "log.1.new", tmp, sizeof(tmp)))
		return;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &sb) && sb.st_size > CHUTE_LOG_MAX &&
	    !copy_tail(fd, sb.st_size, tmp) && !rename(tmp, old))
		ftruncate(fd, 0);
	unlink(tmp);
	close(fd);
}
