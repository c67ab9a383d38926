// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON flow log's file handling: open and trim, append, rotate and
 * compress (zlib's gzip writer), keep the newest. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "flowlog.h"

/* The length of @fd's content up to its last newline (what is whole). */
static int whole_length(int fd, off_t size, off_t *whole)
{
	char buf[4096];
	off_t end = size;

	while (end > 0) {
		size_t n = end > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)end;

		if (pread(fd, buf, n, end - (off_t)n) != (ssize_t)n)
			return -errno ?: -EIO;
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*whole = end - (off_t)n + (off_t)i;
				return 0;
			}
		}
		end -= (off_t)n;
	}
	*whole = 0;
	return 0;
}

static int open_file(struct hearth_flowlog *log, time_t now, struct hearth_err *err)
{
	struct stat st;
	off_t whole;
	int ret;

	log->fd = open(log->cfg.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log->fd < 0)
		return hearth_err_set(err, errno, "flow log %s: %s", log->cfg.path, strerror(errno));
	if (fstat(log->fd, &st))
		return hearth_err_set(err, errno, "flow log %s: %s", log->cfg.path, strerror(errno));
	ret = whole_length(log->fd, st.st_size, &whole);
	if (ret)
		return hearth_err_set(err, -ret, "flow log %s: %s", log->cfg.path, strerror(-ret));
	if (whole != st.st_size) {
		/* a line cut short by a crash: every line read stays whole */
		if (ftruncate(log->fd, whole) || fdatasync(log->fd))
			return hearth_err_set(err, errno, "flow log %s: cannot trim its last line: %s",
					      log->cfg.path, strerror(errno));
		log->trimmed_bytes += (unsigned long long)(st.st_size - whole);
	}
	log->size = (size_t)whole;
	/* a file that was there is as old as its first line may be: its
	 * change time is the best we know */
	log->opened = whole ? st.st_mtime : now;
	if (log->opened > now)
		log->opened = now;
	return 0;
}

static void finish_leftovers(const struct hearth_flowlog_cfg *cfg);

int hearth_flowlog_open(struct hearth_flowlog *log, const struct hearth_flowlog_cfg *cfg,
			time_t now, struct hearth_err *err)
{
	memset(log, 0, sizeof(*log));
	log->cfg = *cfg;
	log->fd = -1;
	finish_leftovers(cfg);
	return open_file(log, now, err);
}

/* @src compressed into @dst (gzip), via @dst.tmp renamed when whole. */
static int compress_file(const char *src, const char *dst, struct hearth_err *err)
{
	char tmp[PATH_MAX + 16], buf[65536];
	int in, out, ret = 0;
	gzFile gz = NULL;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp))
		return hearth_err_set(err, ENAMETOOLONG, "flow log rotation %s: name too long", dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (in < 0 || out < 0) {
		ret = hearth_err_set(err, errno, "flow log rotation %s: %s", dst, strerror(errno));
		goto cleanup;
	}
	gz = gzdopen(dup(out), "wb");
	if (!gz) {
		ret = hearth_err_set(err, ENOMEM, "flow log rotation %s: zlib", dst);
		goto cleanup;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (gzwrite(gz, buf, (unsigned int)n) != (int)n) {
			ret = hearth_err_set(err, EIO, "flow log rotation %s: write", dst);
			goto cleanup;
		}
	}
	if (n < 0)
		ret = hearth_err_set(err, errno, "flow log rotation %s: %s", src, strerror(errno));
cleanup:
	if (gz && gzclose(gz) != Z_OK && !ret)
		ret = hearth_err_set(err, EIO, "flow log rotation %s: write", dst);
	if (!ret && (fsync(out) || rename(tmp, dst)))
		ret = hearth_err_set(err, errno, "flow log rotation %s: %s", dst, strerror(errno));
	if (ret && out >= 0)
		unlink(tmp);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define ROTATED_MAX 1024

/* The names of the log's rotated files that end in @suffix
 * (BASE.STAMP-NNN@suffix), sorted (timestamps: oldest first), in @names
 * (the caller frees them); the log's directory in @dir. How many. */
static size_t rotated_names(const struct hearth_flowlog_cfg *cfg, const char *suffix,
			    char **names, char dir[PATH_MAX])
{
	char basebuf[PATH_MAX], dirbuf[PATH_MAX];
	size_t n = 0, blen, slen = strlen(suffix);
	const char *base;
	struct dirent *de;
	DIR *d;

	snprintf(dirbuf, sizeof(dirbuf), "%s", cfg->path);
	snprintf(dir, PATH_MAX, "%s", dirname(dirbuf));
	snprintf(basebuf, sizeof(basebuf), "%s", cfg->path);
	base = basename(basebuf);
	blen = strlen(base);
	d = opendir(dir);
	while (d && (de = readdir(d)) && n < ROTATED_MAX) {
		size_t len = strlen(de->d_name);

		if (len > blen + 1 + slen && !strncmp(de->d_name, base, blen) &&
		    de->d_name[blen] == '.' && !strcmp(de->d_name + len - slen, suffix))
			names[n++] = strdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	return n;
}

/* Removes the oldest rotated files (BASE.TIMESTAMP.gz) beyond keep. */
static void keep_newest(const struct hearth_flowlog_cfg *cfg)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], *names[ROTATED_MAX];
	size_t n = rotated_names(cfg, ".gz", names, dir);

	for (size_t i = 0; i < n; i++) {
		if (names[i] && i + cfg->keep < n) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		free(names[i]);
	}
}

int hearth_flowlog_finish(const struct hearth_flowlog_cfg *cfg, const char *rotated,
			  struct hearth_err *err)
{
	char gz[PATH_MAX + 8];
	size_t len = strlen(rotated);
	int ret;

	if (len < 9 || strcmp(rotated + len - 9, ".rotating"))
		return hearth_err_set(err, EINVAL, "flow log rotation: %s is no rotated file", rotated);
	snprintf(gz, sizeof(gz), "%.*s.gz", (int)(len - 9), rotated);
	ret = compress_file(rotated, gz, err);
	if (!ret)
		unlink(rotated);
	keep_newest(cfg);
	return ret;
}

/* Rotated files a crash left uncompressed (BASE.*.rotating): finished now. */
static void finish_leftovers(const struct hearth_flowlog_cfg *cfg)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], *names[ROTATED_MAX];
	size_t n = rotated_names(cfg, ".rotating", names, dir);
	struct hearth_err err = {};

	for (size_t i = 0; i < n; i++) {
		if (names[i]) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			hearth_flowlog_finish(cfg, path, &err);
		}
		free(names[i]);
	}
}

/* The current file becomes BASE.YYYYMMDDTHHMMSS-NNN.rotating (UTC), then
 * .gz (by @log->compress, else here); a new one starts. */
static int rotate(struct hearth_flowlog *log, time_t now, struct hearth_err *err)
{
	char stamp[32], moved[PATH_MAX + 16], gz[PATH_MAX + 8];
	struct tm tm;
	int ret;

	if (fdatasync(log->fd))
		return hearth_err_set(err, errno, "flow log %s: %s", log->cfg.path, strerror(errno));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	/* a counter within the second, so that names sort as they were made */
	for (int i = 0; i < 1000; i++) {
		snprintf(gz, sizeof(gz), "%s.%s-%03d.gz", log->cfg.path, stamp, i);
		snprintf(moved, sizeof(moved), "%s.%s-%03d.rotating", log->cfg.path, stamp, i);
		if (access(gz, F_OK) && access(moved, F_OK))
			break;
	}
	close(log->fd);
	log->fd = -1;
	if (rename(log->cfg.path, moved))
		return hearth_err_set(err, errno, "flow log %s: %s", log->cfg.path, strerror(errno));
	ret = open_file(log, now, err);
	if (ret)
		return ret;
	log->rotations++;
	if (log->compress && !log->compress(log->compress_ctx, &log->cfg, moved))
		return 0;
	return hearth_flowlog_finish(&log->cfg, moved, err);
}

static int sync_now(struct hearth_flowlog *log, struct hearth_err *err)
{
	if (fdatasync(log->fd))
		return hearth_err_set(err, errno, "flow log %s: %s", log->cfg.path, strerror(errno));
	log->unsynced_since_ms = 0;
	return 0;
}

int hearth_flowlog_write(struct hearth_flowlog *log, const char *line, size_t len,
			 time_t now, long long now_ms, struct hearth_err *err)
{
	char *buf;
	ssize_t n;
	int ret;

	if (log->size && (log->size + len + 1 > log->cfg.max_bytes ||
			  (log->cfg.max_age_s && now - log->opened >= (time_t)log->cfg.max_age_s))) {
		ret = rotate(log, now, err);
		if (ret)
			return ret;
	}
	/* one write(2) a line, its newline included */
	buf = malloc(len + 1);
	if (!buf)
		return hearth_err_set(err, ENOMEM, "flow log: no memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	n = write(log->fd, buf, len + 1);
	free(buf);
	if (n != (ssize_t)(len + 1)) {
		/* a full disk: cut what was half written, stop here */
		ret = hearth_err_set(err, n < 0 ? errno : ENOSPC, "flow log %s: %s", log->cfg.path,
				     strerror(n < 0 ? errno : ENOSPC));
		if (n > 0 && ftruncate(log->fd, (off_t)log->size))
			log->size += (size_t)n;
		return ret;
	}
	log->size += len + 1;
	if (!log->unsynced_since_ms)
		log->unsynced_since_ms = now_ms ?: 1;
	return hearth_flowlog_tick(log, now, now_ms, err);
}

int hearth_flowlog_tick(struct hearth_flowlog *log, time_t now, long long now_ms,
			struct hearth_err *err)
{
	if (log->fd < 0)
		return 0;
	if (log->unsynced_since_ms && now_ms - log->unsynced_since_ms >= (long long)log->cfg.sync_ms)
		return sync_now(log, err);
	if (log->size && log->cfg.max_age_s && now - log->opened >= (time_t)log->cfg.max_age_s)
		return rotate(log, now, err);
	return 0;
}

void hearth_flowlog_close(struct hearth_flowlog *log)
{
	if (log->fd < 0)
		return;
	fdatasync(log->fd);
	close(log->fd);
	log->fd = -1;
}
