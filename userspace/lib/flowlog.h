/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The JSON flow log: one JSON object a line, for people who read with jq.
 * Rotated by size and by age; a rotated file is compressed (gzip, zlib),
 * written to a temporary name and renamed, and the newest @keep are kept.
 * Sync policy: the log is synced (fdatasync) at most @sync_ms after a
 * line was written, at each rotation and when it is closed, so a kill -9
 * or a power cut loses at most the last @sync_ms of lines; a line is one
 * write(2), and a partial last line (a crash in the middle of one) is cut
 * off when the log is opened again, so every line read is whole JSON.
 */
#ifndef HEARTH_FLOWLOG_H
#define HEARTH_FLOWLOG_H

#include <stddef.h>
#include <time.h>

#include "../../util/error.h"

struct hearth_flowlog_cfg {
	char path[256];
	size_t max_bytes; /* rotate before a line would pass it */
	unsigned int max_age_s; /* rotate a log this old (0: never by age) */
	unsigned int keep; /* rotated files kept, the newest */
	unsigned int sync_ms; /* the longest a written line waits for a sync */
};

/* Compresses @rotated (hearth_flowlog_finish) elsewhere, in a child
 * process say, so that the writer never waits for zlib: 0 when it took
 * the work, else the log does it at once. */
typedef int (*hearth_flowlog_compress_fn)(void *ctx, const struct hearth_flowlog_cfg *cfg,
					  const char *rotated);

struct hearth_flowlog {
	struct hearth_flowlog_cfg cfg;
	hearth_flowlog_compress_fn compress; /* NULL: in the writer */
	void *compress_ctx;
	int fd;
	size_t size;
	time_t opened; /* when the current file began (wall clock) */
	long long unsynced_since_ms; /* 0: all synced */
	unsigned long long rotations, trimmed_bytes;
};

/* Opens (or creates) the log, cutting a partial last line off. */
int hearth_flowlog_open(struct hearth_flowlog *log, const struct hearth_flowlog_cfg *cfg,
			time_t now, struct hearth_err *err);
/* Appends @line (@len bytes, no newline; it is added) at wall time @now,
 * rotating first when the line would pass max_bytes or the file is older
 * than max_age_s. @now_ms is a monotonic clock for the sync policy. */
int hearth_flowlog_write(struct hearth_flowlog *log, const char *line, size_t len,
			 time_t now, long long now_ms, struct hearth_err *err);
/* Syncs what waited sync_ms or more, and rotates a file past its age. */
int hearth_flowlog_tick(struct hearth_flowlog *log, time_t now, long long now_ms,
			struct hearth_err *err);
void hearth_flowlog_close(struct hearth_flowlog *log);
/* A rotated file (BASE.STAMP-NNN.rotating) into BASE.STAMP-NNN.gz, written
 * to a temporary name and renamed, then only the newest @cfg->keep kept.
 * A rotation a crash interrupted is finished when the log is opened. */
int hearth_flowlog_finish(const struct hearth_flowlog_cfg *cfg, const char *rotated,
			  struct hearth_err *err);

#endif
