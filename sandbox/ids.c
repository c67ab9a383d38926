// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chutes' id blocks (ids.h). A block is held by the CHUTE/ids file of an
 * installed chute or of an install in progress (a .install-* directory
 * under the chute dir), so removing the chute's directory frees it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/files.h"
#include "ids.h"

#define IDS_LOCK ".ids.lock"

bool chute_ids_base_valid(unsigned long long v)
{
	unsigned long long end = CHUTE_IDS_FIRST + (unsigned long long)CHUTE_IDS_BLOCKS * CHUTE_IDS_SIZE;

	return v >= CHUTE_IDS_FIRST && v < end && (v - CHUTE_IDS_FIRST) % CHUTE_IDS_SIZE == 0;
}

int chute_ids_read(const char *chute_dir, uid_t *base)
{
	char path[PATH_MAX], buf[32], *end;
	unsigned long long v;
	int ret;

	if (snprintf(path, sizeof(path), "%s/" CHUTE_IDS_FILE, chute_dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = chute_text_read(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || *end || !chute_ids_base_valid(v))
		return -EINVAL;
	*base = (uid_t)v;
	return 0;
}

/* Durable: a block lost in a crash would leave the chute's files owned by
 * ids no ids file names. */
static int ids_write(const char *chute_dir, uid_t base)
{
	char path[PATH_MAX], text[32];

	snprintf(path, sizeof(path), "%s/" CHUTE_IDS_FILE, chute_dir);
	snprintf(text, sizeof(text), "%u\n", (unsigned)base);
	return chute_text_write(path, text, true);
}

/* Marks in @used the blocks that directories under @chutes_dir hold. */
static int blocks_used(const char *chutes_dir, bool *used)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(chutes_dir);
	uid_t base;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", chutes_dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (!chute_ids_read(path, &base))
			used[(base - CHUTE_IDS_FIRST) / CHUTE_IDS_SIZE] = true;
	}
	closedir(d);
	return 0;
}

static int ids_lock(const char *chutes_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" IDS_LOCK, chutes_dir);
	return chute_file_lock(path, true);
}

int chute_ids_assign(const char *chutes_dir, const char *chute_dir,
		     const char *const *shift, uid_t *base, struct hearth_err *err)
{
	bool used[CHUTE_IDS_BLOCKS] = { false };
	int lock, ret;
	unsigned block;

	lock = ids_lock(chutes_dir);
	if (lock < 0)
		return hearth_err_set(err, lock, "cannot lock %s/" IDS_LOCK ": %s", chutes_dir,
				      strerror(-lock));
	ret = blocks_used(chutes_dir, used);
	if (ret) {
		hearth_err_set(err, ret, "cannot read %s: %s", chutes_dir, strerror(-ret));
		goto cleanup;
	}
	for (block = 0; block < CHUTE_IDS_BLOCKS && used[block]; block++)
		;
	if (block == CHUTE_IDS_BLOCKS) {
		ret = hearth_err_set(err, ENOSPC, "no free id block for the chute's user namespace (%u in use)",
				     CHUTE_IDS_BLOCKS);
		goto cleanup;
	}
	*base = CHUTE_IDS_FIRST + block * CHUTE_IDS_SIZE;
	for (; shift && *shift && !ret; shift++)
		ret = chute_ids_shift(*shift, *base, err);
	if (!ret) {
		ret = ids_write(chute_dir, *base);
		if (ret)
			hearth_err_set(err, ret, "cannot write %s/" CHUTE_IDS_FILE ": %s", chute_dir,
				       strerror(-ret));
	}
cleanup:
	close(lock);
	return ret;
}

/* One id: unchanged when already in the block, -1 when outside both. */
static long long id_shifted(unsigned id, uid_t base)
{
	if (id >= base && id - base < CHUTE_IDS_SIZE)
		return id;
	if (id < CHUTE_IDS_SIZE)
		return (long long)base + id;
	return -1;
}

static int entry_shift(const FTSENT *e, uid_t base, struct hearth_err *err)
{
	const struct stat *st = e->fts_statp;
	long long uid = id_shifted(st->st_uid, base), gid = id_shifted(st->st_gid, base);

	if (uid < 0 || gid < 0)
		return hearth_err_set(err, EOVERFLOW,
				      "%s: owner %u:%u is beyond the 65536 ids a chute has",
				      e->fts_path, (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (uid == st->st_uid && gid == st->st_gid)
		return 0;
	if (lchown(e->fts_accpath, (uid_t)uid, (gid_t)gid))
		return hearth_err_set(err, errno, "%s: cannot change its owner: %s", e->fts_path,
				      strerror(errno));
	/* chown clears set-id bits, even root's: the bundle's are kept */
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    chmod(e->fts_accpath, st->st_mode & 07777))
		return hearth_err_set(err, errno, "%s: cannot restore its mode: %s", e->fts_path,
				      strerror(errno));
	return 0;
}

int chute_ids_shift(const char *tree, uid_t base, struct hearth_err *err)
{
	char *roots[] = { (char *)tree, NULL };
	FTSENT *e;
	FTS *fts;
	int ret = 0;

	if (access(tree, F_OK))
		return 0;
	fts = fts_open(roots, FTS_PHYSICAL | FTS_XDEV | FTS_NOCHDIR, NULL);
	if (!fts)
		return hearth_err_set(err, errno, "%s: %s", tree, strerror(errno));
	for (;;) {
		errno = 0;
		e = fts_read(fts);
		if (!e) {
			if (errno)
				ret = hearth_err_set(err, errno, "%s: %s", tree, strerror(errno));
			break;
		}
		if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR || e->fts_info == FTS_NS)
			ret = hearth_err_set(err, e->fts_errno, "%s: %s", e->fts_path,
					     strerror(e->fts_errno));
		else if (e->fts_info != FTS_DP)
			ret = entry_shift(e, base, err);
		if (ret)
			break;
	}
	fts_close(fts);
	return ret;
}

/* Every directory above @dir must let others search it. */
static int ancestors_searchable(const char *dir, struct hearth_err *err)
{
	char path[PATH_MAX], *slash;
	struct stat st;

	if (!realpath(dir, path))
		return hearth_err_set(err, errno, "%s: %s", dir, strerror(errno));
	while ((slash = strrchr(path, '/'))) {
		slash[slash == path] = '\0';
		if (stat(path, &st))
			return hearth_err_set(err, errno, "%s: %s", path, strerror(errno));
		if (!(st.st_mode & S_IXOTH))
			return hearth_err_set(err, EACCES,
					      "%s: mode %04o: chutes run in their own user namespace and need to search every directory above their chute-dir (chmod o+x)",
					      path, (unsigned)(st.st_mode & 07777));
		if (slash == path)
			break;
	}
	return 0;
}

int chute_ids_dir_open(const char *chutes_dir, const char *chute_dir,
		       uid_t base, struct hearth_err *err)
{
	struct stat st;

	if (stat(chutes_dir, &st))
		return hearth_err_set(err, errno, "%s: %s", chutes_dir, strerror(errno));
	if ((st.st_mode & 0711) != 0711 && chmod(chutes_dir, (st.st_mode & 07777) | 0711))
		return hearth_err_set(err, errno, "%s: cannot make it searchable: %s", chutes_dir,
				      strerror(errno));
	if (chown(chute_dir, 0, base) || chmod(chute_dir, 0710))
		return hearth_err_set(err, errno, "%s: cannot open it to the chute's ids: %s",
				      chute_dir, strerror(errno));
	return ancestors_searchable(chutes_dir, err);
}
