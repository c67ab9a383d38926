// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Long work in a child process, answered when it ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "jobs.h"

/* The child: nothing of the daemon's but the result pipe and stdio. */
static void __attribute__((noreturn)) job_child(int fd, int (*work)(void *, struct hearth_err *),
					       void *arg)
{
	struct hearth_err err = {};
	sigset_t none;
	char out[sizeof(err.msg) + 16];
	int ret, n;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (fd > 3)
		syscall(SYS_close_range, 3, fd - 1, 0);
	syscall(SYS_close_range, fd + 1, ~0U, 0);
	ret = work(arg, &err);
	n = snprintf(out, sizeof(out), "%d %s", ret, ret ? err.msg : "");
	if (write(fd, out, (size_t)n) < 0)
		_exit(1);
	_exit(0);
}

struct json_object *job_start(struct daemon *d, unsigned long serial,
			      int (*work)(void *arg, struct hearth_err *err), void *arg)
{
	struct job *j = NULL;
	int p[2];

	for (int i = 0; i < MAX_JOBS && !j; i++)
		if (!d->jobs[i].pid)
			j = &d->jobs[i];
	if (!j)
		return hearth_api_error(HEARTH_API_BUSY, "hearthd runs %d long jobs at once; try again",
					MAX_JOBS);
	if (pipe2(p, O_CLOEXEC))
		return hearth_api_error(HEARTH_API_FAILED, "pipe: %s", strerror(errno));
	j->pid = fork();
	if (j->pid == 0)
		job_child(p[1], work, arg);
	close(p[1]);
	if (j->pid < 0) {
		j->pid = 0;
		close(p[0]);
		return hearth_api_error(HEARTH_API_FAILED, "fork: %s", strerror(errno));
	}
	j->fd = p[0];
	j->serial = serial;
	j->len = 0;
	return API_ANSWER_LATER;
}

int jobs_pollfds(struct daemon *d, struct pollfd *fds, int max)
{
	int n = 0;

	for (int i = 0; i < MAX_JOBS && n < max; i++)
		if (d->jobs[i].pid)
			fds[n++] = (struct pollfd){ .fd = d->jobs[i].fd, .events = POLLIN };
	return n;
}

/* The child ended (its pipe closed): reap it and answer. */
static void job_end(struct daemon *d, struct job *j)
{
	int ret = -EIO, status;

	close(j->fd);
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	j->out[j->len] = '\0';
	if (sscanf(j->out, "%d", &ret) != 1)
		ret = -EIO;
	if (!j->serial) {
		/* nobody waits (the flow log's compression): only a failure is told */
		const char *msg = strchr(j->out, ' ');

		if (ret)
			logmsg("%s", msg && msg[1] ? msg + 1 : "a background job ended without a result");
	} else if (ret) {
		const char *msg = strchr(j->out, ' ');

		api_server_answer(&d->api, j->serial,
				  hearth_api_error(hearth_api_code_of(ret), "%s",
						   msg && msg[1] ? msg + 1 : "the job ended without a result"));
	} else {
		api_server_answer(&d->api, j->serial, hearth_api_ok(NULL));
	}
	j->pid = 0;
}

void jobs_serve(struct daemon *d, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		struct job *j = NULL;
		ssize_t got;

		if (!fds[i].revents)
			continue;
		for (int k = 0; k < MAX_JOBS && !j; k++)
			if (d->jobs[k].pid && d->jobs[k].fd == fds[i].fd)
				j = &d->jobs[k];
		if (!j)
			continue;
		got = read(j->fd, j->out + j->len, sizeof(j->out) - 1 - j->len);
		if (got > 0 && j->len + (size_t)got < sizeof(j->out) - 1) {
			j->len += (size_t)got;
			continue;
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got > 0)
			j->len += (size_t)got;
		job_end(d, j);
	}
}
