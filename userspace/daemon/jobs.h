/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_JOBS_H
#define HEARTHD_JOBS_H

/*
 * Work that may take long (a chute install unpacks and copies an image)
 * runs in a child process, so that the loop goes on serving clients,
 * expiring connections and supervising chutes; the request's client is
 * answered when the child ends (API_ANSWER_LATER). Only work that touches
 * files goes there, never the data plane's maps, which the loop alone
 * writes.
 */

#include <poll.h>
#include <sys/types.h>

#include "../../util/error.h"

#define MAX_JOBS 4

struct job {
	pid_t pid; /* 0: a free slot */
	int fd; /* the child's result, read end */
	unsigned long serial; /* the API connection that waits */
	char out[600];
	size_t len;
};

struct daemon;
struct json_object;

/* Runs @work(@arg) in a child; returns API_ANSWER_LATER, or an error
 * answer when no child can be started. @serial 0: no client waits, and
 * only a failure is logged. */
struct json_object *job_start(struct daemon *d, unsigned long serial,
			      int (*work)(void *arg, struct hearth_err *err), void *arg);
int jobs_pollfds(struct daemon *d, struct pollfd *fds, int max);
void jobs_serve(struct daemon *d, const struct pollfd *fds, int n);

#endif
