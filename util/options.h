/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_UTIL_OPTIONS_H
#define HEARTH_UTIL_OPTIONS_H

/*
 * Command line options declared once, as a table: parsing and the usage
 * text both come from it (in the spirit of xdp-tools' lib/util/params).
 *
 * The parsing is getopt_long's with "+:" and opterr = 0: short options
 * cluster ("-jp") and take their argument joined or as the next word
 * ("-Pdir", "-P dir"); long ones take "--opt=ARG" or "--opt ARG" and may
 * be shortened to a unique prefix; "--" ends the options, and so does the
 * first word that is not one. Nothing is printed: errors fill a message.
 */

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum hearth_opt_type {
	HEARTH_OPT_FLAG, /* bool, set to true */
	HEARTH_OPT_STRING, /* const char *, set to the argument */
};

struct hearth_opt {
	char short_name; /* 0: long name only */
	const char *long_name; /* NULL: short name only */
	enum hearth_opt_type type;
	size_t offset; /* of the value in the caller's struct */
	const char *arg; /* the argument's name in usage ("DIR"), STRING only */
	const char *help; /* one line for hearth_opts_usage() */
	bool stop; /* parsing ends after it (--help, --version) */
};

#define HEARTH_OPT_FLAG(s, l, st, field, help_)                             \
	{ .short_name = s, .long_name = l, .type = HEARTH_OPT_FLAG,          \
	  .offset = offsetof(st, field), .help = help_ }
#define HEARTH_OPT_STOP(s, l, st, field, help_)                             \
	{ .short_name = s, .long_name = l, .type = HEARTH_OPT_FLAG,          \
	  .offset = offsetof(st, field), .help = help_, .stop = true }
#define HEARTH_OPT_STRING(s, l, st, field, arg_, help_)                     \
	{ .short_name = s, .long_name = l, .type = HEARTH_OPT_STRING,        \
	  .offset = offsetof(st, field), .arg = arg_, .help = help_ }

struct hearth_opts {
	const struct hearth_opt *opts; /* ends with a zeroed entry */
	const char *hint; /* added to a bad option's message: "try 'x help'" */
	bool no_operands; /* a word after the options is an error */
};

/*
 * Sets the values of the options in @argv[1..] in @values. Returns the
 * index of the first word after the options (@argc when none), or -EINVAL
 * with @err filled: "option '-P' needs an argument", "bad option '-x'; "
 * HINT, "unexpected argument 'x'" (no_operands). The options before the
 * one in error, or before a stop option, are set.
 */
int hearth_opts_parse(const struct hearth_opts *opts, int argc, char **argv,
		      void *values, struct hearth_err *err);

/*
 * A line for each option, the help in one column:
 *   "  -c, --config FILE  configuration\n"
 *   "      --check        validate the configuration and exit\n"
 * Returns the length of the whole text, as snprintf does.
 */
int hearth_opts_usage(const struct hearth_opts *opts, char *buf, size_t size);

/*
 * @lead and the options in a brace list, as in bpftool's usage, broken
 * before a line would pass @width columns, the next line lined up under
 * the first option:
 *   "OPTIONS := { -j|--json | -P|--pin-dir DIR |\n"
 *   "             -h|--help }"
 * Returns the length, as snprintf does.
 */
int hearth_opts_synopsis(const struct hearth_opts *opts, const char *lead,
			 int width, char *buf, size_t size);

#endif
