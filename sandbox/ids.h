/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Each chute's user namespace: ids 0-65535 in the chute are a block of
 * 65536 ids on the gateway that no other chute and no user of the host
 * has, so root in a chute holds its capabilities only over what the chute
 * owns. The block is chosen at install and kept in CHUTE/ids until
 * remove; the chute's rootfs and data directory are owned by it (shifted
 * at install: a file owned by uid N in the bundle is owned by BASE + N).
 */
#ifndef HEARTH_SANDBOX_IDS_H
#define HEARTH_SANDBOX_IDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../util/error.h"

#define CHUTE_IDS_SIZE 65536u
/* Far above the ids Debian gives users and /etc/subuid ranges (100000
 * and up, in blocks of 65536). */
#define CHUTE_IDS_FIRST 0x60000000u
#define CHUTE_IDS_BLOCKS 4096u
#define CHUTE_IDS_FILE "ids"

/* Is @v the first id of one of the blocks? */
bool chute_ids_base_valid(unsigned long long v);

/* The first host id of the chute whose directory is @chute_dir: 0 and the
 * base, or -ENOENT when it has none yet. */
int chute_ids_read(const char *chute_dir, uid_t *base);

/* Chooses a block no directory under @chutes_dir holds and gives it to
 * @chute_dir: shifts the trees @shift (NULL-terminated, each may be
 * missing) into it, then writes CHUTE/ids. Holds a lock on @chutes_dir
 * meanwhile, so two installs never get the same block. */
int chute_ids_assign(const char *chutes_dir, const char *chute_dir,
		     const char *const *shift, uid_t *base, struct hearth_err *err);

/* Owners in @tree (not following links, not crossing mounts) from ids
 * 0-65535 to @base + id; ids already in the block stay. Set-id bits are
 * kept. An owner outside both (a bundle built with ids beyond 65535) is
 * -EOVERFLOW naming the file; what was shifted before it stays shifted,
 * which a second run finishes. */
int chute_ids_shift(const char *tree, uid_t base, struct hearth_err *err);

/* The chute's directory as crun needs it from inside the user namespace:
 * root:BASE, mode 0710, and every directory above it searchable by
 * others (checked, not changed: those are the operator's). */
int chute_ids_dir_open(const char *chutes_dir, const char *chute_dir,
		       uid_t base, struct hearth_err *err);

#endif
