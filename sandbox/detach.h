/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SANDBOX_DETACH_H
#define HEARTH_SANDBOX_DETACH_H

/*
 * A chute's monitor must outlive whoever started it (hearthd, a CLI, a
 * service manager's unit) and hold nothing of it: not its terminal or
 * pipes (a caller reading `$(hearth chute start x)` would wait for the
 * chute to end), not its session, not its cgroups (a unit stop kills its
 * whole cgroup). Called in the monitor's process before anything else.
 */

/* No signal blocked, stdio to /dev/null, every other descriptor closed, a
 * session of its own, and the root cgroup of every mounted hierarchy (v1
 * and v2). */
void chute_detach(void);

#endif
