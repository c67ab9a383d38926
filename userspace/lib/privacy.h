/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The gateway's anonymization key: what every export anonymizes home
 * addresses with (Crypto-PAn, cryptopan.h), unless `privacy raw`. */
#ifndef HEARTH_PRIVACY_H
#define HEARTH_PRIVACY_H

#include <stdbool.h>
#include <linux/types.h>

#include "../../util/error.h"

#define HEARTH_PRIVACY_KEY_LEN 32

/*
 * Reads the key in @path: a regular file of exactly 32 bytes that only
 * its owner may read or write (mode 0600). When there is none: with
 * @create, makes one from getrandom(2) (*@created set) and syncs it, so
 * that the same home address is anonymized the same across restarts
 * (removing the file rotates the key at the next start); without, returns
 * -ENOENT. Refuses (with the reason in @err) a file of another size or one
 * others may read, rather than use it.
 */
int hearth_privacy_key(const char *path, bool create, __u8 key[HEARTH_PRIVACY_KEY_LEN],
		       bool *created, struct hearth_err *err);

#endif
