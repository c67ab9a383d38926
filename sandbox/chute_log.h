/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chute's log: its trimming (its path is chute_log_path() in chute.h).
 */
#ifndef HEARTH_SANDBOX_CHUTE_LOG_H
#define HEARTH_SANDBOX_CHUTE_LOG_H

struct chute_env;

/*
 * A log over CHUTE_LOG_MAX: its last CHUTE_LOG_MAX bytes become log.1 and
 * the log is emptied in place, since crun writes it through an O_APPEND
 * descriptor that would follow a rename. What the chute writes between
 * the copy and the truncation is lost (as with logrotate's copytruncate).
 */
void chute_log_trim(struct chute_env *env, const char *name);

#endif
