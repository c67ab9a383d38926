// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Options from a table: parsing as getopt_long("+:...") does it, and the
 * usage text, both from the one declaration (see options.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

#define for_each_opt(o, opts)                                                 \
	for (const struct hearth_opt *o = (opts)->opts;                       \
	     o->short_name || o->long_name; o++)

static const struct hearth_opt *find_short(const struct hearth_opts *opts,
					   char c)
{
	for_each_opt(o, opts)
		if (o->short_name && o->short_name == c)
			return o;
	return NULL;
}

/* The exact name, else the one option @len characters of @name begin:
 * NULL when none does or several do. */
static const struct hearth_opt *find_long(const struct hearth_opts *opts,
					  const char *name, size_t len)
{
	const struct hearth_opt *prefix_of = NULL;
	int prefixes = 0;

	for_each_opt(o, opts) {
		if (!o->long_name || strncmp(o->long_name, name, len))
			continue;
		if (strlen(o->long_name) == len)
			return o;
		prefix_of = o;
		prefixes++;
	}
	return prefixes == 1 ? prefix_of : NULL;
}

static int bad_option(const struct hearth_opts *opts, struct hearth_err *err,
		      const char *what)
{
	return hearth_err_set(err, EINVAL, "bad option '%s'%s%s", what,
			      opts->hint ? "; " : "", opts->hint ?: "");
}

static int needs_argument(struct hearth_err *err, const char *word)
{
	return hearth_err_set(err, EINVAL, "option '%s' needs an argument",
			      word);
}

static void set(const struct hearth_opt *o, void *values, const char *arg)
{
	char *value = (char *)values + o->offset;

	if (o->type == HEARTH_OPT_STRING)
		*(const char **)value = arg;
	else
		*(bool *)value = true;
}

/* "--name", "--name=ARG" or "--name ARG" at argv[*i]; *i moves past it. */
static int parse_long(const struct hearth_opts *opts, int argc, char **argv,
		      int *i, void *values, struct hearth_err *err)
{
	const char *word = argv[(*i)++], *name = word + 2;
	const char *eq = strchr(name, '=');
	const struct hearth_opt *o;
	const char *arg = NULL;

	o = find_long(opts, name, eq ? (size_t)(eq - name) : strlen(name));
	if (!o)
		return bad_option(opts, err, word);
	if (o->type == HEARTH_OPT_STRING) {
		if (eq)
			arg = eq + 1;
		else if (*i < argc)
			arg = argv[(*i)++];
		else
			return needs_argument(err, word);
	} else if (eq) {
		return bad_option(opts, err, word);
	}
	set(o, values, arg);
	return o->stop;
}

/* "-abc", "-Parg" or "-P arg" at argv[*i]; *i moves past it. */
static int parse_short(const struct hearth_opts *opts, int argc, char **argv,
		       int *i, void *values, struct hearth_err *err)
{
	const char *word = argv[(*i)++];

	for (const char *c = word + 1; *c; c++) {
		const struct hearth_opt *o = find_short(opts, *c);

		if (!o)
			return bad_option(opts, err, (char[]){ '-', *c, '\0' });
		if (o->type == HEARTH_OPT_STRING) {
			if (c[1])
				set(o, values, c + 1);
			else if (*i < argc)
				set(o, values, argv[(*i)++]);
			else
				return needs_argument(err, word);
			return o->stop;
		}
		set(o, values, NULL);
		if (o->stop)
			return 1;
	}
	return 0;
}

int hearth_opts_parse(const struct hearth_opts *opts, int argc, char **argv,
		      void *values, struct hearth_err *err)
{
	int i = 1, ret = 0;

	while (i < argc && !ret) {
		const char *word = argv[i];

		if (word[0] != '-' || !word[1])
			break;
		if (!strcmp(word, "--")) {
			i++;
			break;
		}
		if (word[1] == '-')
			ret = parse_long(opts, argc, argv, &i, values, err);
		else
			ret = parse_short(opts, argc, argv, &i, values, err);
	}
	if (ret < 0)
		return ret;
	if (!ret && opts->no_operands && i < argc)
		return hearth_err_set(err, EINVAL, "unexpected argument '%s'",
				      argv[i]);
	return i;
}

/* snprintf's contract over several calls: what fits, and the length of
 * the whole. */
struct out {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *out,
						      const char *fmt, ...)
{
	size_t room = out->len < out->size ? out->size - out->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? out->buf + out->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->len += (size_t)n;
}

/* "-c, --config FILE", "    --check" or "-x FILE" */
static int usage_left(const struct hearth_opt *o, struct out *out)
{
	size_t start = out->len;
	const char *arg = o->type == HEARTH_OPT_STRING ? o->arg ?: "ARG" : NULL;

	if (o->short_name)
		put(out, "-%c%s", o->short_name, o->long_name ? ", " : "");
	else
		put(out, "    ");
	if (o->long_name)
		put(out, "--%s", o->long_name);
	if (arg)
		put(out, " %s", arg);
	return (int)(out->len - start);
}

int hearth_opts_usage(const struct hearth_opts *opts, char *buf, size_t size)
{
	struct out out = { buf, size, 0 }, measure = { NULL, 0, 0 };
	int column = 0;

	if (size)
		buf[0] = '\0';
	for_each_opt(o, opts) {
		int n = usage_left(o, &measure);

		column = n > column ? n : column;
	}
	for_each_opt(o, opts) {
		int n;

		put(&out, "  ");
		n = usage_left(o, &out);
		put(&out, "%*s%s\n", column - n + 2, "", o->help ?: "");
	}
	return (int)out.len;
}

/* "-j|--json", "-P|--pin-dir DIR", "--check" or "-x" */
static int synopsis_item(const struct hearth_opt *o, struct out *out)
{
	size_t start = out->len;

	if (o->short_name)
		put(out, "-%c%s", o->short_name, o->long_name ? "|" : "");
	if (o->long_name)
		put(out, "--%s", o->long_name);
	if (o->type == HEARTH_OPT_STRING)
		put(out, " %s", o->arg ?: "ARG");
	return (int)(out->len - start);
}

int hearth_opts_synopsis(const struct hearth_opts *opts, const char *lead,
			 int width, char *buf, size_t size)
{
	struct out out = { buf, size, 0 };
	int indent = (int)strlen(lead) + 2, column = indent;
	bool first = true;

	if (size)
		buf[0] = '\0';
	put(&out, "%s{", lead);
	for_each_opt(o, opts) {
		struct out measure = { NULL, 0, 0 };
		int n = synopsis_item(o, &measure);
		bool last = !o[1].short_name && !o[1].long_name;

		/* " | ITEM", and " }" after the last */
		if (!first && column + 3 + n + (last ? 2 : 0) > width) {
			put(&out, " |\n%*s", indent, "");
			column = indent;
		} else {
			put(&out, first ? " " : " | ");
			column += first ? 0 : 3;
		}
		column += synopsis_item(o, &out);
		first = false;
	}
	put(&out, " }");
	return (int)out.len;
}
