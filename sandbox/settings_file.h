/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SANDBOX_SETTINGS_FILE_H
#define HEARTH_SANDBOX_SETTINGS_FILE_H

/*
 * A chute's settings file: the settings (settings.h) saved as JSON and
 * loaded back. Errors as in settings.h.
 */

#include "../util/error.h"
#include "settings.h"

/* All of @s as JSON (mode 0600, replaced atomically), and back: fields
 * missing from the file keep their defaults, unknown ones are ignored, a
 * bad value is -EINVAL naming the field. @s is only changed on success. */
int chute_settings_save(const struct chute_settings *s, const char *path,
			struct hearth_err *err);
int chute_settings_load(struct chute_settings *s, const char *path,
			struct hearth_err *err);

#endif
