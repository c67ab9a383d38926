// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The anonymization key file: made at the first start (0600, 32 random
 * bytes), the same key read at every start after, and refused rather
 * than used when others may read it or its size is wrong. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/test.h"
#include "../../userspace/lib/privacy.h"

TEST(privacy_key_file)
{
	char dir[] = "/tmp/hearth-privacy-XXXXXX", path[128];
	__u8 key[HEARTH_PRIVACY_KEY_LEN], again[HEARTH_PRIVACY_KEY_LEN], zero[sizeof(key)] = {};
	struct hearth_err err = {};
	struct stat st;
	bool created;
	FILE *f;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "a directory of the test's"))
		return;
	snprintf(path, sizeof(path), "%s/sub/privacy.key", dir);
	ASSERT_EQ(hearth_privacy_key(path, false, key, &created, &err), -ENOENT,
		  "none yet, none asked for: nothing made");
	ASSERT_TRUE(access(path, F_OK) != 0, "no file");
	ASSERT_OK(hearth_privacy_key(path, true, key, &created, &err), err.msg);
	ASSERT_TRUE(created, "made at the first start, its directory too");
	ASSERT_TRUE(memcmp(key, zero, sizeof(key)) != 0, "random bytes");
	ASSERT_OK(stat(path, &st), "the file is there");
	ASSERT_EQ(st.st_mode & 07777, 0600, "its owner's alone");
	ASSERT_EQ(st.st_size, HEARTH_PRIVACY_KEY_LEN, "32 bytes");
	ASSERT_OK(hearth_privacy_key(path, true, again, &created, &err), err.msg);
	ASSERT_TRUE(!created && !memcmp(key, again, sizeof(key)), "the same key at the next start");

	chmod(path, 0644);
	ASSERT_EQ(hearth_privacy_key(path, true, again, &created, &err), -EPERM, "readable by others: refused");
	ASSERT_STRHAS(err.msg, "mode 0644", "the message names the mode");
	chmod(path, 0600);
	f = fopen(path, "a");
	if (f) {
		fputc('x', f);
		fclose(f);
	}
	ASSERT_EQ(hearth_privacy_key(path, true, again, &created, &err), -EINVAL, "33 bytes: refused");
	ASSERT_STRHAS(err.msg, "remove it for a new key", "and says how to rotate");
	unlink(path);
	ASSERT_OK(hearth_privacy_key(path, true, again, &created, &err), "removed: a new key");
	ASSERT_TRUE(created && memcmp(key, again, sizeof(key)), "a different one (rotation)");
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}
