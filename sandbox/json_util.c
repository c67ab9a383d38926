// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The small JSON helpers the chute's files share: reading a JSON file
 * (bounded, never following a link), replacing one atomically, looking
 * members up, and building objects without losing an allocation failure.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "json_util.h"
#include "../util/files.h"

/* hearth's own files and a bundle's config.json are small; a bigger one
 * is a mistake or an attempt to make the daemon allocate */
#define JSON_FILE_MAX (1 << 20)

static int json_parse(const char *buf, size_t len, const char *label,
		      struct json_object **out, struct hearth_err *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	enum json_tokener_error jerr;
	int ret = 0;

	if (!tok)
		return hearth_err_set(err, ENOMEM, "%s: out of memory", label);
	/* the terminating NUL ends the input: a truncated file is an error,
	 * not a parse waiting for more */
	obj = json_tokener_parse_ex(tok, buf, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	if (!obj && jerr != json_tokener_success) {
		ret = hearth_err_set(err, EINVAL, "%s: not valid JSON: %s", label,
				     json_tokener_error_desc(jerr));
		goto cleanup;
	}
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
		if (!isspace((unsigned char)buf[i])) {
			ret = hearth_err_set(err, EINVAL,
					     "%s: not valid JSON: data after the object",
					     label);
			goto cleanup;
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		ret = hearth_err_set(err, EINVAL, "%s: not a JSON object", label);
		goto cleanup;
	}
	*out = obj;
	obj = NULL;
cleanup:
	json_object_put(obj);
	json_tokener_free(tok);
	return ret;
}

int json_read(const char *path, const char *label,
	      struct json_object **out, struct hearth_err *err)
{
	char *buf = NULL;
	size_t got = 0;
	int ret;

	/* not through a link (a bundle may not point hearth at a host
	 * file), never blocking on a FIFO */
	ret = hearth_file_read(path, JSON_FILE_MAX, (void **)&buf, &got);
	switch (ret) {
	case 0:
		ret = json_parse(buf, got, label, out, err);
		free(buf);
		return ret;
	case -ENOENT:
		return hearth_err_set(err, ENOENT, "%s: missing", label);
	case -EINVAL:
		return hearth_err_set(err, EINVAL, "%s: not a regular file", label);
	case -EFBIG:
		return hearth_err_set(err, EFBIG, "%s: larger than %d bytes", label, JSON_FILE_MAX);
	default:
		return hearth_err_set(err, -ret, "%s: cannot open: %s", label, strerror(-ret));
	}
}

/* Replaces @path whole or not at all: readers never see half a file. */
int json_write(struct json_object *obj, const char *path,
	       struct hearth_err *err)
{
	const char *text;
	char tmp[PATH_MAX];
	int fd, ret;

	text = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return hearth_err_set(err, ENOMEM, "%s: out of memory", path);
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return hearth_err_set(err, ENAMETOOLONG, "%s: name too long", path);
	/* mkostemp's 0600 is wanted: the environment may carry secrets */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot create %s: %s", tmp,
				      strerror(errno));
	ret = hearth_write_all(fd, text, strlen(text));
	if (!ret)
		ret = hearth_write_all(fd, "\n", 1);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return hearth_err_set(err, ret, "cannot write %s: %s", path,
				      strerror(-ret));
	}
	return 0;
}

/* A member, or NULL when absent, null, or @obj is no object. */
struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

bool is_type(struct json_object *v, enum json_type type)
{
	return v && json_object_is_type(v, type);
}

struct json_object *jb_put(struct jb *b, struct json_object *obj,
			   const char *key, struct json_object *val)
{
	if (!obj || !val || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		b->failed = true;
		return NULL;
	}
	return val;
}

struct json_object *jb_push(struct jb *b, struct json_object *arr,
			    struct json_object *val)
{
	if (!arr || !val || json_object_array_add(arr, val)) {
		json_object_put(val);
		b->failed = true;
		return NULL;
	}
	return val;
}

struct json_object *jb_strings(struct jb *b, struct json_object *obj,
			       const char *key, const char *const *list,
			       size_t n)
{
	struct json_object *arr = jb_put(b, obj, key, json_object_new_array());

	for (size_t i = 0; i < n; i++)
		jb_push(b, arr, json_object_new_string(list[i]));
	return arr;
}
