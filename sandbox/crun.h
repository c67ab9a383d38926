/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Running programs: crun, and the tools install uses (umoci, cp, rm).
 */
#ifndef HEARTH_SANDBOX_CRUN_H
#define HEARTH_SANDBOX_CRUN_H

#include <stdbool.h>
#include <stddef.h>

struct chute_env;

#define CHUTE_CGROUP_PARENT "hearth" /* every chute's cgroup is hearth/NAME */

/* Runs @argv to its end; stdout+stderr go to @out_path when given. Returns
 * the wait status, or a negative errno. @crun: in crun's mount namespace. */
int chute_run_wait(char **argv, const char *out_path, bool crun);

/*
 * crun --root=RUN/crun --log=file:CHUTE/crun.log VERB ARGS... hearth-NAME
 * [TAIL], to its end. crun's own messages go to crun.log; the output
 * (for `run`, the container's stdout and stderr) to @out, else there too.
 */
int crun_call(const struct chute_env *env, const char *name, const char *out,
	      const char *verb, const char *const *args, const char *tail);

/* The last line crun wrote, for an error message. */
void crun_last_error(const struct chute_env *env, const char *name,
		     char *buf, size_t size);

#endif
