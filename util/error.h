/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_ERROR_H
#define HEARTH_ERROR_H

/*
 * Library functions return a negative errno and, when given one, fill an
 * error object with the sentence the CLI layer prints.
 */
struct hearth_err {
	char msg[512];
};

__attribute__((format(printf, 3, 4))) int
hearth_err_set(struct hearth_err *err, int errnum, const char *fmt, ...);

#endif
