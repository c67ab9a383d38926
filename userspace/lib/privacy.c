// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The anonymization key file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy.h"
#include "../../util/files.h"

static int key_create(const char *path, __u8 *key, struct hearth_err *err)
{
	int fd, ret = 0;

	char dir[PATH_MAX];

	if (getrandom(key, HEARTH_PRIVACY_KEY_LEN, 0) != HEARTH_PRIVACY_KEY_LEN)
		return hearth_err_set(err, EIO, "privacy key: no random bytes: %s",
				      strerror(errno));
	snprintf(dir, sizeof(dir), "%s", path);
	if (hearth_mkdir_p(dirname(dir), 0755))
		return hearth_err_set(err, errno, "cannot create the directory of privacy key %s: %s",
				      path, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot create privacy key %s: %s", path,
				      strerror(errno));
	if (write(fd, key, HEARTH_PRIVACY_KEY_LEN) != HEARTH_PRIVACY_KEY_LEN || fsync(fd)) {
		ret = hearth_err_set(err, errno ?: EIO, "cannot write privacy key %s: %s", path,
				     strerror(errno ?: EIO));
		unlink(path); /* half a key is no key */
	}
	close(fd);
	return ret;
}

int hearth_privacy_key(const char *path, bool create, __u8 key[HEARTH_PRIVACY_KEY_LEN],
		       bool *created, struct hearth_err *err)
{
	struct stat st;
	int fd, ret = 0;

	*created = false;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !create)
		return -ENOENT;
	if (fd < 0 && errno == ENOENT) {
		ret = key_create(path, key, err);
		*created = !ret;
		return ret;
	}
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot open privacy key %s: %s", path,
				      strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size != HEARTH_PRIVACY_KEY_LEN)
		ret = hearth_err_set(err, EINVAL,
				     "privacy key %s is not a file of %d bytes (remove it for a new key)",
				     path, HEARTH_PRIVACY_KEY_LEN);
	else if (st.st_mode & 077)
		ret = hearth_err_set(err, EPERM,
				     "privacy key %s may be read by others (mode %04o): chmod 600 it, or remove it for a new key",
				     path, (unsigned int)(st.st_mode & 07777));
	else if (read(fd, key, HEARTH_PRIVACY_KEY_LEN) != HEARTH_PRIVACY_KEY_LEN)
		ret = hearth_err_set(err, EIO, "cannot read privacy key %s", path);
	close(fd);
	return ret;
}
