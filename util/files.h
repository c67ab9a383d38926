/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Small files (as a chute's directory is made of): text replaced whole
 * (written beside, then renamed), its first line read back, locks, and
 * directories made with their parents.
 */
#ifndef HEARTH_UTIL_FILES_H
#define HEARTH_UTIL_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Replaces @path with @len bytes of @data (written beside, then renamed);
 * @durable: on disk before the rename. */
int hearth_file_replace(const char *path, const void *data, size_t len, bool durable);
/* Replaces @path with @text; @durable: on disk before the rename, for a
 * file whose loss after a crash would leave the chute inconsistent. */
int chute_text_write(const char *path, const char *text, bool durable);
/* The file's first line, without its newline, into @buf. */
int chute_text_read(const char *path, char *buf, size_t size);
/* An exclusive flock on @path (created 0600): the fd to close to release
 * it, or -EWOULDBLOCK when it is held and !@wait. */
int chute_file_lock(const char *path, bool wait);
/* mkdir -p: @path and its missing parents, with @mode. */
int hearth_mkdir_p(const char *path, mode_t mode);

/* The whole of @path (a regular file, not reached through a link, at most
 * @max bytes) into *@data, which the caller frees, NUL-terminated past
 * its *@len bytes; 0, -EFBIG when it is longer, or a negative errno. */
int hearth_file_read(const char *path, size_t max, void **data, size_t *len);

/* All of @buf to @fd (a file or a socket: never SIGPIPE), retrying short
 * writes and EINTR; 0 or a negative errno. */
int hearth_write_all(int fd, const void *buf, size_t len);

#endif
