// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chutes' id blocks (sandbox/ids.c): blocks handed out without overlap
 * and freed with the chute's directory, trees shifted into a block
 * (links not followed, set-id bits kept, foreign owners refused), the
 * chute directory opened to its block. Changing owners needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/test.h"
#include "../../sandbox/ids.h"

static const char *join(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

static bool tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/hearth-ids-XXXXXX");
	return ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp");
}

/* DIR/NAME owned by @uid:@gid with @mode; a directory when @mode has S_IFDIR. */
static bool make(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (S_ISDIR(mode)) {
		if (mkdir(path, mode & 07777))
			return false;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return false;
		close(fd);
	}
	return !chown(path, uid, gid) && !chmod(path, mode & 07777);
}

static bool owned(const char *dir, const char *name, uid_t uid, gid_t gid)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !lstat(path, &st) && st.st_uid == uid && st.st_gid == gid;
}

static mode_t mode_of(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) ? 0 : st.st_mode & 07777;
}

TEST(chute_ids_shift)
{
	const uid_t base = CHUTE_IDS_FIRST + 2 * CHUTE_IDS_SIZE;
	char dir[64], outside[64], target[128], link[128];
	struct hearth_err err = {};

	if (!test__require_root() || !tmpdir(dir, sizeof(dir)))
		return;
	if (!tmpdir(outside, sizeof(outside)))
		goto cleanup;
	ASSERT_TRUE(make(dir, "bin", 0, 0, S_IFDIR | 0755) &&
		    make(dir, "bin/su", 0, 0, 04755) &&
		    make(dir, "bin/wall", 0, 5, 02755) &&
		    make(dir, "home", 1000, 1001, S_IFDIR | 0700) &&
		    make(dir, "home/notes", 1000, 1001, 0600) &&
		    make(dir, "done", base + 7, base + 8, 0644) &&
		    make(outside, "target", 0, 0, 0644), "tree made");
	ASSERT_OK(symlink(join(target, sizeof(target), outside, "target"),
			  join(link, sizeof(link), dir, "link")), "symlink");
	if (!ASSERT_OK(chute_ids_shift(dir, base, &err), err.msg))
		goto cleanup;
	ASSERT_TRUE(owned(dir, ".", base, base), "the top itself");
	ASSERT_TRUE(owned(dir, "bin/su", base, base), "root's file to the block's root");
	ASSERT_TRUE(owned(dir, "home/notes", base + 1000, base + 1001), "a user's file, ids kept");
	ASSERT_TRUE(owned(dir, "bin/wall", base, base + 5), "group shifted alone");
	ASSERT_TRUE(owned(dir, "done", base + 7, base + 8), "already in the block: kept");
	ASSERT_EQ(mode_of(dir, "bin/su"), 04755, "set-uid kept");
	ASSERT_EQ(mode_of(dir, "bin/wall"), 02755, "set-gid kept");
	ASSERT_EQ(mode_of(dir, "home"), 0700, "mode otherwise untouched");
	ASSERT_TRUE(owned(dir, "link", base, base), "the link itself shifted");
	ASSERT_TRUE(owned(outside, "target", 0, 0), "what it points to untouched");
	ASSERT_OK(chute_ids_shift(dir, base, &err), "a second run changes nothing");
	ASSERT_TRUE(owned(dir, "home/notes", base + 1000, base + 1001), "still once shifted");
	ASSERT_OK(chute_ids_shift("/nonexistent/tree", base, &err), "a missing tree is fine");
cleanup:
	test__tree_remove(dir);
	test__tree_remove(outside);
}

TEST(chute_ids_shift_refuses_foreign_owner)
{
	struct hearth_err err = {};
	char dir[64], odd[128];

	if (!test__require_root() || !tmpdir(dir, sizeof(dir)))
		return;
	ASSERT_TRUE(make(dir, "odd", 70000, 0, 0644), "file of uid 70000");
	ASSERT_EQ(chute_ids_shift(dir, CHUTE_IDS_FIRST, &err), -EOVERFLOW, "refused");
	ASSERT_STRHAS(err.msg, "/odd: owner 70000:0 is beyond the 65536 ids a chute has",
		      "message names the file");
	ASSERT_TRUE(make(dir, "foreign", CHUTE_IDS_FIRST + CHUTE_IDS_SIZE, 0, 0644) &&
		    !unlink(join(odd, sizeof(odd), dir, "odd")), "another block's file");
	ASSERT_EQ(chute_ids_shift(dir, CHUTE_IDS_FIRST, &err), -EOVERFLOW,
		  "another chute's ids refused too");
	test__tree_remove(dir);
}

static bool chute_dir(char *buf, size_t size, const char *root, const char *name)
{
	snprintf(buf, size, "%s/%s", root, name);
	return ASSERT_OK(mkdir(buf, 0700), name);
}

static bool write_base(const char *dir, unsigned base)
{
	char path[160];
	FILE *f = fopen(join(path, sizeof(path), dir, CHUTE_IDS_FILE), "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%u\n", base) > 0;
	return !fclose(f) && ok;
}

TEST(chute_ids_assign)
{
	char root[64], a[128], b[128], c[128], bad[128], data[160];
	const char *const trees[] = { data, NULL };
	struct hearth_err err = {};
	uid_t ba = 0, bb = 0, bc = 0, got;

	if (!test__require_root() || !tmpdir(root, sizeof(root)))
		return;
	if (!chute_dir(a, sizeof(a), root, "a") || !chute_dir(b, sizeof(b), root, ".install-b-1") ||
	    !chute_dir(c, sizeof(c), root, "c"))
		goto cleanup;
	ASSERT_EQ(chute_ids_read(a, &got), -ENOENT, "none before");
	snprintf(data, sizeof(data), "%s/data", a);
	ASSERT_TRUE(make(a, "data", 0, 0, S_IFDIR | 0755), "a's data");
	ASSERT_OK(chute_ids_assign(root, a, trees, &ba, &err), err.msg);
	ASSERT_EQ(ba, CHUTE_IDS_FIRST, "the first block");
	ASSERT_TRUE(owned(a, "data", ba, ba), "a's data shifted into it");
	ASSERT_OK(chute_ids_read(a, &got), "read back");
	ASSERT_EQ(got, ba, "same block");
	ASSERT_OK(chute_ids_assign(root, b, NULL, &bb, &err), err.msg);
	ASSERT_EQ(bb, CHUTE_IDS_FIRST + CHUTE_IDS_SIZE, "an install in progress gets the next");
	test__tree_remove(a);
	ASSERT_OK(chute_ids_assign(root, c, NULL, &bc, &err), err.msg);
	ASSERT_EQ(bc, CHUTE_IDS_FIRST, "a removed chute's block is free again");
	ASSERT_TRUE(make(root, "bad", 0, 0, S_IFDIR | 0700), "a chute with a bad ids file");
	ASSERT_TRUE(write_base(join(bad, sizeof(bad), root, "bad"), CHUTE_IDS_FIRST + 5),
		    "unaligned base written");
	ASSERT_EQ(chute_ids_read(bad, &got), -EINVAL, "an unaligned base is not valid");
	ASSERT_TRUE(write_base(bad, 100000), "base below the range written");
	ASSERT_EQ(chute_ids_read(bad, &got), -EINVAL, "a base below the range is not valid");
cleanup:
	test__tree_remove(root);
}

TEST(chute_ids_dir_open)
{
	char root[64], chutes[128], web[160];
	struct hearth_err err = {};
	struct stat st;

	if (!test__require_root() || !tmpdir(root, sizeof(root)))
		return;
	snprintf(chutes, sizeof(chutes), "%s/chutes", root);
	if (!ASSERT_OK(mkdir(chutes, 0700), "chutes") || !chute_dir(web, sizeof(web), chutes, "web"))
		goto cleanup;
	ASSERT_OK(chmod(root, 0755), "parent searchable");
	ASSERT_OK(chute_ids_dir_open(chutes, web, CHUTE_IDS_FIRST, &err), err.msg);
	ASSERT_OK(stat(web, &st), "stat");
	ASSERT_TRUE(st.st_uid == 0 && st.st_gid == CHUTE_IDS_FIRST, "root:BASE");
	ASSERT_EQ(st.st_mode & 07777, 0710, "searchable by the chute's group only");
	ASSERT_OK(stat(chutes, &st), "stat");
	ASSERT_EQ(st.st_mode & 0711, 0711, "chute dir searchable");
	ASSERT_OK(chmod(root, 0700), "parent closed");
	ASSERT_EQ(chute_ids_dir_open(chutes, web, CHUTE_IDS_FIRST, &err), -EACCES, "refused");
	ASSERT_STRHAS(err.msg, "mode 0700", "names the mode");
	ASSERT_STRHAS(err.msg, root, "names the directory");
cleanup:
	test__tree_remove(root);
}
