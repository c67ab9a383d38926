/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A libbpf print function that prints nothing, for libbpf_set_print():
 * where a failure is an answer (no such tc filter) or is reported in our
 * own words (a probe refused, the CLI's one line). */
#ifndef HEARTH_LIBBPF_SILENT_H
#define HEARTH_LIBBPF_SILENT_H

#include <stdarg.h>

#include <bpf/libbpf.h>

int hearth_libbpf_silent(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif
