/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The small JSON helpers shared by the settings, the bundle checks, the
 * generated runtime spec and the settings file: files read and written
 * whole, members looked up, objects built.
 */
#ifndef HEARTH_SANDBOX_JSON_UTIL_H
#define HEARTH_SANDBOX_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "../util/error.h"

/* The JSON object in @path (at most 1 MiB, a regular file, not through a
 * link) into @out; messages start with @label, a missing file is -ENOENT. */
int json_read(const char *path, const char *label,
	      struct json_object **out, struct hearth_err *err);
int json_write(struct json_object *obj, const char *path,
	       struct hearth_err *err);

struct json_object *member(struct json_object *obj, const char *key);
bool is_type(struct json_object *v, enum json_type type);

/* Builds JSON, remembering any allocation failure instead of leaving a
 * null where the spec needed a value (a null noNewPrivileges is false). */
struct jb {
	bool failed;
};

/* @val added to @obj as @key, or to the array @arr; @val on success,
 * else NULL with @b->failed set (and @val freed). */
struct json_object *jb_put(struct jb *b, struct json_object *obj,
			   const char *key, struct json_object *val);
struct json_object *jb_push(struct jb *b, struct json_object *arr,
			    struct json_object *val);
/* An array of the @n strings of @list, as @key of @obj. */
struct json_object *jb_strings(struct jb *b, struct json_object *obj,
			       const char *key, const char *const *list,
			       size_t n);

#endif
