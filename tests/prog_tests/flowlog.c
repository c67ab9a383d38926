// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON flow log's files: a partial last line cut off at open,
 * rotation by size and by age into gzip files that zlib reads back as
 * whole JSON lines, the newest kept, and the sync policy. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>

#include "../lib/test.h"
#include "../../userspace/lib/flowlog.h"

#define T0 1796083200 /* 2026-12-01T00:00:00Z */

static void setup(char *dir, struct hearth_flowlog_cfg *cfg)
{
	strcpy(dir, "/tmp/hearth-flowlog-XXXXXX");
	memset(cfg, 0, sizeof(*cfg));
	if (mkdtemp(dir))
		snprintf(cfg->path, sizeof(cfg->path), "%s/flows.json", dir);
	cfg->max_bytes = 1 << 20;
	cfg->keep = 3;
	cfg->sync_ms = 1000;
}

static void teardown(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

/* The rotated files of @dir, their names sorted, and how many. */
static int rotated(const char *dir, char names[][64], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) && n < max)
		if (strstr(de->d_name, ".gz") && !strstr(de->d_name, ".tmp"))
			snprintf(names[n++], 64, "%.63s", de->d_name);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, 64, (int (*)(const void *, const void *))strcmp);
	return n;
}

/* Reads @path (gzip or plain: zlib reads both): each line must be whole
 * JSON {"n": N}; returns the lines' N in order in @out. */
static int numbers(const char *path, int *out, int max)
{
	char line[256];
	int n = 0;
	gzFile gz = gzopen(path, "rb");

	while (gz && gzgets(gz, line, sizeof(line)) && n < max) {
		struct json_object *o;

		if (!strchr(line, '\n'))
			return -1; /* a line without its end */
		o = json_tokener_parse(line);
		if (!o)
			return -1;
		out[n++] = json_object_get_int(json_object_object_get(o, "n"));
		json_object_put(o);
	}
	if (gz)
		gzclose(gz);
	return n;
}

static int put(struct hearth_flowlog *log, int n, time_t now)
{
	struct hearth_err err = {};
	char line[64];
	int len = snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"%010d\"}", n, n);

	return hearth_flowlog_write(log, line, (size_t)len, now, (long long)now * 1000, &err);
}

TEST(flowlog_trims_a_partial_line)
{
	struct hearth_flowlog_cfg cfg;
	struct hearth_flowlog log;
	struct hearth_err err = {};
	char dir[32];
	int got[8];
	FILE *f;

	setup(dir, &cfg);
	f = fopen(cfg.path, "w");
	if (!ASSERT_TRUE(f != NULL, "a log left by a crash"))
		return;
	fputs("{\"n\":1}\n{\"n\":2}\n{\"n\":", f); /* cut in its third line */
	fclose(f);
	if (ASSERT_OK(hearth_flowlog_open(&log, &cfg, T0, &err), err.msg)) {
		ASSERT_EQ(log.trimmed_bytes, 5, "the partial line cut off");
		ASSERT_OK(put(&log, 3, T0), "a line after it");
		hearth_flowlog_close(&log);
	}
	ASSERT_EQ(numbers(cfg.path, got, 8), 3, "three whole JSON lines");
	ASSERT_TRUE(got[0] == 1 && got[1] == 2 && got[2] == 3, "in order, none lost but the cut one");
	teardown(dir);
}

TEST(flowlog_rotates_by_size_and_keeps_the_newest)
{
	struct hearth_flowlog_cfg cfg;
	struct hearth_flowlog log;
	struct hearth_err err = {};
	char dir[32], names[16][64], path[160];
	int got[256], n, all = 0, expect;

	setup(dir, &cfg);
	cfg.max_bytes = 200; /* 7 lines of 27-28 bytes a file */
	if (!ASSERT_OK(hearth_flowlog_open(&log, &cfg, T0, &err), err.msg))
		goto out;
	for (int i = 0; i < 40; i++)
		ASSERT_OK(put(&log, i, T0 + i / 10), "written");
	hearth_flowlog_close(&log);
	ASSERT_EQ(log.rotations, 5, "40 lines in files of 7: 5 rotations");
	n = rotated(dir, names, 16);
	ASSERT_EQ(n, 3, "the newest 3 kept");
	/* the kept files and the current one hold the newest lines, in order */
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%.31s/%.63s", dir, names[i]);
		int k = numbers(path, got + all, 256 - all);

		ASSERT_EQ(k, 7, "a rotated file: 7 whole JSON lines, gzip");
		all += k > 0 ? k : 0;
	}
	all += numbers(cfg.path, got + all, 256 - all);
	expect = 40 - all;
	for (int i = 0; i < all; i++)
		if (!ASSERT_EQ(got[i], expect + i, "the newest lines, in order"))
			break;
	ASSERT_EQ(all, 26, "3 x 7 kept and 5 current");
out:
	teardown(dir);
}

TEST(flowlog_rotates_by_age_and_syncs)
{
	struct hearth_flowlog_cfg cfg;
	struct hearth_flowlog log;
	struct hearth_err err = {};
	char dir[32], names[4][64];

	setup(dir, &cfg);
	cfg.max_age_s = 60;
	if (!ASSERT_OK(hearth_flowlog_open(&log, &cfg, T0, &err), err.msg))
		goto out;
	ASSERT_OK(put(&log, 1, T0), "a line");
	ASSERT_TRUE(log.unsynced_since_ms != 0, "not synced at once");
	ASSERT_OK(hearth_flowlog_tick(&log, T0, T0 * 1000LL + 999, &err), err.msg);
	ASSERT_TRUE(log.unsynced_since_ms != 0, "999 ms later: still waiting");
	ASSERT_OK(hearth_flowlog_tick(&log, T0 + 1, T0 * 1000LL + 1000, &err), err.msg);
	ASSERT_EQ(log.unsynced_since_ms, 0, "synced after sync_ms");
	ASSERT_OK(hearth_flowlog_tick(&log, T0 + 59, T0 * 1000LL + 59000, &err), err.msg);
	ASSERT_EQ(log.rotations, 0, "59 s old: kept");
	ASSERT_OK(hearth_flowlog_tick(&log, T0 + 60, T0 * 1000LL + 60000, &err), err.msg);
	ASSERT_EQ(log.rotations, 1, "60 s old: rotated");
	ASSERT_EQ(rotated(dir, names, 4), 1, "into one gzip file");
	ASSERT_STRHAS(names[0], "flows.json.20261201T000100-000.gz", "named by the rotation's UTC time");
	hearth_flowlog_close(&log);
out:
	teardown(dir);
}

struct handed {
	char path[512];
	int calls;
};

static int take_compression(void *ctx, const struct hearth_flowlog_cfg *cfg, const char *rotated)
{
	struct handed *h = ctx;

	(void)cfg;
	snprintf(h->path, sizeof(h->path), "%s", rotated);
	h->calls++;
	return 0;
}

TEST(flowlog_compresses_elsewhere_and_finishes_leftovers)
{
	struct hearth_flowlog_cfg cfg;
	struct hearth_flowlog log;
	struct hearth_err err = {};
	struct handed h = {};
	char dir[32], names[4][64], gz[600];
	int got[64], n = 0;

	setup(dir, &cfg);
	cfg.max_bytes = 300;
	if (!ASSERT_OK(hearth_flowlog_open(&log, &cfg, T0, &err), err.msg))
		return;
	log.compress = take_compression;
	log.compress_ctx = &h;
	while (!h.calls && n < 50)
		put(&log, n++, T0);
	ASSERT_EQ(h.calls, 1, "a rotation handed its file over");
	ASSERT_TRUE(access(h.path, F_OK) == 0, "  left as .rotating");
	ASSERT_EQ(rotated(dir, names, 4), 0, "  not compressed by the writer");
	ASSERT_OK(hearth_flowlog_finish(&cfg, h.path, &err), err.msg);
	ASSERT_EQ(rotated(dir, names, 4), 1, "finished elsewhere: one .gz");
	ASSERT_TRUE(access(h.path, F_OK) != 0, "  the .rotating gone");
	snprintf(gz, sizeof(gz), "%s/%s", dir, names[0]);
	ASSERT_EQ(numbers(gz, got, 64), n - 1, "  with every line before the rotation, whole");

	/* killed between the rename and the compression */
	while (h.calls < 2)
		put(&log, n++, T0 + 1);
	hearth_flowlog_close(&log);
	ASSERT_OK(hearth_flowlog_open(&log, &cfg, T0 + 2, &err), err.msg);
	ASSERT_EQ(rotated(dir, names, 4), 2, "the next open finishes what was left");
	ASSERT_TRUE(access(h.path, F_OK) != 0, "  no .rotating stays");
	hearth_flowlog_close(&log);
	teardown(dir);
}
