/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /metrics over HTTP (libmicrohttpd), served from hearthd's own loop. */
#ifndef HEARTH_METRICS_SERVER_H
#define HEARTH_METRICS_SERVER_H

#include "../lib/config.h"
#include "../../util/error.h"

struct MHD_Daemon;
struct daemon;

struct metrics_server {
	struct MHD_Daemon *mhd; /* NULL: metrics off */
};

/* Listens on the configured address; nothing when metrics are off. */
int metrics_server_open(struct metrics_server *m, const struct hearth_config *cfg,
			struct daemon *d, struct hearth_err *err);
/* The descriptor to poll (-1 when off) and the longest wait in ms (-1:
 * none) before metrics_server_run must be called. */
int metrics_server_fd(const struct metrics_server *m);
long long metrics_server_wait_ms(const struct metrics_server *m);
void metrics_server_run(struct metrics_server *m);
void metrics_server_close(struct metrics_server *m);

#endif
