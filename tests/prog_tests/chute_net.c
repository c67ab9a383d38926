// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's network (sandbox/net.c): made whole or not at all, reachable
 * both ways, eth0 set as the gateway's XDP path needs it, removed without
 * a trace. Each test is its own "gateway" network namespace; the chutes'
 * namespaces are files under /run/netns, so their names carry the test's
 * pid and every test destroys what it made, passed or not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "../lib/test.h"
#include "../../sandbox/net.h"

#define GW "10.200.0.1"
#define CHUTE "10.200.0.2"

/* Root, and a private network namespace to play the gateway's. */
static bool gateway_ns(void)
{
	if (!test__require_root())
		return false;
	return ASSERT_OK(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)");
}

/* "t" PID SUFFIX, padded with 'x' to @len characters if longer. */
static void chute_setup(struct chute_net *n, const char *suffix, size_t len,
			const char *gw, const char *chute, unsigned char prefix_len)
{
	struct in_addr g, c;
	char name[32];
	size_t at;

	snprintf(name, sizeof(name), "t%d%s", (int)getpid(), suffix);
	for (at = strlen(name); at < len && at < sizeof(name) - 1; at++)
		name[at] = 'x';
	name[at] = '\0';
	inet_pton(AF_INET, gw, &g);
	inet_pton(AF_INET, chute, &c);
	chute_net_init(n, name, g, c, prefix_len);
}

static const char *ns_name(const struct chute_net *n)
{
	return strrchr(n->netns_path, '/') + 1;
}

/* A shell command succeeded; its output is dropped. */
__attribute__((format(printf, 1, 2))) static bool sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(cmd + len, sizeof(cmd) - (size_t)len, " >/dev/null 2>&1");
	return system(cmd) == 0;
}

/* A shell command's output, empty if it gave none. */
__attribute__((format(printf, 3, 4))) static const char *sh_out(char *buf, size_t size,
								const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	size_t got;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return buf;
	got = fread(buf, 1, size - 1, f);
	buf[got] = '\0';
	pclose(f);
	return buf;
}

static ino_t netns_ino(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) ? 0 : st.st_ino;
}

static bool netns_pinned(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == NSFS_MAGIC;
}

/* hearthd lives long: create and destroy must not leak descriptors */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Everything chute_net_create() promises, seen from both ends. */
static void check_working(const struct chute_net *n, const char *gw, const char *chute,
			  unsigned char prefix_len)
{
	const char *ns = ns_name(n);
	char out[4096], want[64];

	ASSERT_TRUE(chute_net_exists(n), "chute_net_exists");
	ASSERT_TRUE(netns_pinned(n->netns_path), "the namespace file is a pinned namespace");
	snprintf(want, sizeof(want), "inet %s/%u ", gw, prefix_len);
	ASSERT_STRHAS(sh_out(out, sizeof(out), "ip -o -4 addr show dev %s", n->host_if), want,
		      "the gateway's address on host_if");
	ASSERT_TRUE(sh("ping -c1 -W1 %s", chute), "the gateway pings the chute");
	ASSERT_TRUE(sh("ip netns exec %s ping -c1 -W1 %s", ns, gw), "the chute pings the gateway");
	snprintf(want, sizeof(want), "inet %s/%u ", chute, prefix_len);
	ASSERT_STRHAS(sh_out(out, sizeof(out), "ip netns exec %s ip -o -4 addr show dev eth0", ns),
		      want, "the chute's address on eth0");
	snprintf(want, sizeof(want), "default via %s dev eth0", gw);
	ASSERT_STRHAS(sh_out(out, sizeof(out), "ip netns exec %s ip -4 route show default", ns),
		      want, "the chute's default route");
	ASSERT_EQ(lines(sh_out(out, sizeof(out), "ip netns exec %s ip -o link show", ns)), 2,
		  "lo and eth0, nothing else, in the chute's namespace");
	ASSERT_STRHAS(sh_out(out, sizeof(out), "ip netns exec %s ip -o link show dev lo", ns),
		      "LOOPBACK,UP", "lo up");
	sh_out(out, sizeof(out), "ip netns exec %s ethtool -k eth0 | "
		"grep -E '^(tx-checksumming|generic-receive-offload):'", ns);
	ASSERT_STRHAS(out, "tx-checksumming: off", "TX checksum offload off on eth0");
	ASSERT_STRHAS(out, "generic-receive-offload: on", "GRO on on eth0");
	ASSERT_STRHAS(sh_out(out, sizeof(out),
			     "ip netns exec %s cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6", ns),
		      "1", "IPv6 off on eth0");
	ASSERT_EQ(strlen(sh_out(out, sizeof(out), "ip netns exec %s ip -6 addr show dev eth0", ns)),
		  0, "no IPv6 address on eth0");
	/* the chute's root has no capability over this namespace (user namespace) */
	ASSERT_TRUE(sh("ip netns exec %s sysctl -n net.ipv4.ip_unprivileged_port_start | grep -qx 0",
		       ns), "any id binds low ports in the chute's namespace");
	ASSERT_TRUE(sh("ip netns exec %s sysctl -n net.ipv4.ping_group_range | grep -qxP '0\\t2147483647'",
		       ns), "any id may ping there");
}

/* Nothing of @n is left. */
static void check_gone(const struct chute_net *n)
{
	struct stat st;

	ASSERT_TRUE(!chute_net_exists(n), "!chute_net_exists");
	ASSERT_TRUE(lstat(n->netns_path, &st) && errno == ENOENT, "no namespace file");
	ASSERT_EQ(if_nametoindex(n->host_if), 0, "no host_if");
}

TEST(chute_net_create_destroy)
{
	struct hearth_err err = {};
	struct chute_net n;
	ino_t home;
	int fds;

	if (!gateway_ns())
		return;
	chute_setup(&n, "a", 0, GW, CHUTE, 30);
	home = netns_ino();
	fds = open_fds();
	if (ASSERT_OK(chute_net_create(&n, &err), err.msg)) {
		ASSERT_EQ(open_fds(), fds, "no descriptor left open by create");
		ASSERT_EQ(netns_ino(), home, "back in the gateway's namespace");
		ASSERT_STRHAS(n.netns_path, "/run/netns/hearth-t", "the namespace file");
		ASSERT_TRUE(!strncmp(n.host_if, "hc-t", 4), "host_if is hc-NAME");
		check_working(&n, GW, CHUTE, 30);
		ASSERT_OK(chute_net_destroy(&n), "destroy");
		check_gone(&n);
		ASSERT_EQ(open_fds(), fds, "nor by destroy");
	}
	ASSERT_OK(chute_net_destroy(&n), "destroy again");
}

TEST(chute_net_twice)
{
	struct hearth_err err = {};
	struct chute_net n;

	if (!gateway_ns())
		return;
	chute_setup(&n, "b", 0, GW, CHUTE, 30);
	if (ASSERT_OK(chute_net_create(&n, &err), err.msg)) {
		ASSERT_EQ(chute_net_create(&n, &err), -EEXIST, "a second create");
		ASSERT_STRHAS(err.msg, n.netns_path, "the message names the namespace");
		check_working(&n, GW, CHUTE, 30);
	}
	chute_net_destroy(&n);
}

TEST(chute_net_host_if_taken)
{
	struct hearth_err err = {};
	struct chute_net n;

	if (!gateway_ns())
		return;
	chute_setup(&n, "c", 0, GW, CHUTE, 30);
	/* this kernel has no dummy interfaces; a bridge is as good */
	if (!ASSERT_TRUE(sh("{ ip link add %s type dummy || ip link add %s type bridge; }",
			    n.host_if, n.host_if), "another interface takes host_if"))
		return;
	ASSERT_EQ(chute_net_create(&n, &err), -EEXIST, "create");
	ASSERT_STRHAS(err.msg, n.host_if, "the message names the interface");
	ASSERT_TRUE(access(n.netns_path, F_OK) && errno == ENOENT, "no namespace file made");
	/* not a veth, not ours: destroy leaves it */
	ASSERT_OK(chute_net_destroy(&n), "destroy");
	ASSERT_TRUE(if_nametoindex(n.host_if) != 0, "the other interface is still there");
	sh("ip link del %s", n.host_if);
	chute_net_destroy(&n);
}

/* /32 on both ends: the chute has no way to the gateway, so the kernel
 * refuses its default route, the last step, after everything else. */
TEST(chute_net_rollback)
{
	struct hearth_err err = {};
	struct chute_net n;
	ino_t home;
	int ret;

	if (!gateway_ns())
		return;
	chute_setup(&n, "d", 0, GW, CHUTE, 32);
	home = netns_ino();
	ret = chute_net_create(&n, &err);
	ASSERT_EQ(ret, -ENETUNREACH, "create refused by the kernel, with its errno");
	ASSERT_STRHAS(err.msg, "default route", "the message names the step");
	ASSERT_EQ(netns_ino(), home, "back in the gateway's namespace");
	check_gone(&n);
	/* a second try after fixing the prefix works: nothing left in the way */
	chute_setup(&n, "d", 0, GW, CHUTE, 30);
	if (ASSERT_OK(chute_net_create(&n, &err), err.msg))
		check_working(&n, GW, CHUTE, 30);
	chute_net_destroy(&n);
}

/* crun joins the namespace by path long after hearthd made it. */
TEST(chute_net_outlives_creator)
{
	struct chute_net n;
	int status = -1;
	pid_t pid;

	if (!gateway_ns())
		return;
	chute_setup(&n, "e", CHUTE_NAME_MAX, GW, CHUTE, 30);
	ASSERT_EQ(strlen(n.host_if), IF_NAMESIZE - 1, "a name of the longest kind");
	pid = fork();
	if (pid == 0) {
		struct hearth_err err = {};

		_exit(chute_net_create(&n, &err) ? 1 : 0);
	}
	if (ASSERT_TRUE(pid > 0 && waitpid(pid, &status, 0) == pid, "the creator ran") &&
	    ASSERT_EQ(status, 0, "the creator created and exited"))
		check_working(&n, GW, CHUTE, 30);
	chute_net_destroy(&n);
	check_gone(&n);
}

struct thread_run {
	const struct chute_net *n;
	struct hearth_err err;
	ino_t home, after;
	int ret;
};

static void *create_in_thread(void *arg)
{
	struct thread_run *t = arg;

	t->home = netns_ino();
	t->ret = chute_net_create(t->n, &t->err);
	t->after = netns_ino();
	return NULL;
}

/* Namespaces are per thread: a thread other than the main one must get
 * its chute its own namespace, and come back to its own. */
TEST(chute_net_from_thread)
{
	struct chute_net n;
	struct thread_run t = { .n = &n };
	pthread_t th;

	if (!gateway_ns())
		return;
	chute_setup(&n, "f", 0, GW, CHUTE, 30);
	if (!ASSERT_OK(pthread_create(&th, NULL, create_in_thread, &t), "pthread_create"))
		return;
	pthread_join(th, NULL);
	if (ASSERT_OK(t.ret, t.err.msg)) {
		ASSERT_EQ(t.after, t.home, "the thread is back in its namespace");
		check_working(&n, GW, CHUTE, 30);
	}
	chute_net_destroy(&n);
}

TEST(chute_net_refusals)
{
	const char *bad[] = { "", "Upper", "a_b", "a/b", "abcdefghijklm" };
	struct hearth_err err = {};
	struct in_addr gw, chute;
	struct chute_net n;

	/* in a namespace of its own all the same, should a refusal fail */
	if (!gateway_ns())
		return;
	inet_pton(AF_INET, GW, &gw);
	inet_pton(AF_INET, CHUTE, &chute);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		chute_net_init(&n, bad[i], gw, chute, 30);
		ASSERT_EQ(chute_net_create(&n, &err), -EINVAL, bad[i]);
		ASSERT_EQ(chute_net_destroy(&n), -EINVAL, bad[i]);
		ASSERT_TRUE(!chute_net_exists(&n), bad[i]);
	}
	chute_setup(&n, "g", 0, GW, CHUTE, 0);
	ASSERT_EQ(chute_net_create(&n, &err), -EINVAL, "prefix length 0");
	chute_setup(&n, "g", 0, GW, CHUTE, 33);
	ASSERT_EQ(chute_net_create(&n, &err), -EINVAL, "prefix length 33");
	chute_setup(&n, "g", 0, GW, GW, 30);
	ASSERT_EQ(chute_net_create(&n, &err), -EINVAL, "one address for both");
	check_gone(&n);
	chute_net_destroy(&n);
}
