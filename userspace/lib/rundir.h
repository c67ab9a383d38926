/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_RUNDIR_H
#define HEARTH_RUNDIR_H

#include <sys/types.h>

#include "../../util/error.h"

/*
 * <run dir>/hearthd.pid holds the daemon's pid under an exclusive lock for
 * as long as it runs, so a crashed daemon never looks alive.
 */
int hearth_pidfile_claim(const char *run_dir, struct hearth_err *err);
void hearth_pidfile_release(const char *run_dir, int fd);
/* The running daemon's pid, or 0 when none holds the lock. */
pid_t hearth_daemon_pid(const char *run_dir);

#endif
