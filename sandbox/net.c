// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The chute's network namespace and veth pair.
 *
 * The work inside the chute's namespace runs in the calling thread,
 * between setns() calls, not in a forked child: errors come back as they
 * happened, with their message; libnl objects and sockets need nothing
 * passed across a fork; and forking a large multi-threaded hearthd to
 * write a sysctl is not cheap. The price is that the thread must always
 * come back: only ns_new() and in_netns() leave, and both return before
 * they do (netns_return()).
 *
 * Namespaces belong to threads, so the namespace file used is
 * /proc/thread-self/ns/net: in a multi-threaded process /proc/self names
 * the main thread's namespace, which need not be the caller's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "net.h" /* <net/if.h> before the <linux/if.h> of libnl */

#include <linux/ethtool.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#define THREAD_NETNS "/proc/thread-self/ns/net"
#define IPV6_SYSCTL "/proc/sys/net/ipv6"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

void chute_net_init(struct chute_net *n, const char *name, struct in_addr gw,
		    struct in_addr chute, unsigned char prefix_len)
{
	memset(n, 0, sizeof(*n));
	/* a long name is cut short in host_if; netns_path keeps it whole,
	 * so chute_net_valid() sees what was asked for */
	snprintf(n->host_if, sizeof(n->host_if), CHUTE_HOST_IF_PREFIX "%s", name);
	snprintf(n->netns_path, sizeof(n->netns_path),
		 CHUTE_NETNS_DIR "/" CHUTE_NETNS_PREFIX "%s", name);
	n->gw_addr = gw;
	n->chute_addr = chute;
	n->prefix_len = prefix_len;
}

/* The name given to chute_net_init(), or NULL. */
static const char *chute_name(const struct chute_net *n)
{
	static const char pfx[] = CHUTE_NETNS_DIR "/" CHUTE_NETNS_PREFIX;

	if (strncmp(n->netns_path, pfx, sizeof(pfx) - 1))
		return NULL;
	return n->netns_path + sizeof(pfx) - 1;
}

/*
 * destroy deletes host_if and unmounts netns_path: both must be this
 * chute's, never a truncated name that is another chute's or a hand-made
 * path elsewhere.
 */
static bool chute_net_valid(const struct chute_net *n)
{
	const size_t pfx = sizeof(CHUTE_HOST_IF_PREFIX) - 1;
	const char *name = chute_name(n);
	size_t len = name ? strlen(name) : 0;

	if (!len || len > CHUTE_NAME_MAX || strspn(name, NAME_CHARS) != len)
		return false;
	return !strncmp(n->host_if, CHUTE_HOST_IF_PREFIX, pfx) && !strcmp(n->host_if + pfx, name);
}

/*
 * A route netlink socket that keeps the kernel's errno of a refused
 * request: libnl folds errnos into its own codes, some into a bare
 * NLE_FAILURE (ENETUNREACH for one), and our callers want the errno.
 */
struct rtnl {
	struct nl_sock *sk;
	int kerr;
};

static int rtnl_keep_errno(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	(void)who;
	*(int *)arg = e->error;
	return NL_STOP;
}

/* For the libnl errors that carry no errno of the kernel's. */
static int nle_errno(int nle)
{
	switch (nle) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	default:
		return -EIO;
	}
}

/* 0, or the negative errno behind libnl's result @ret. */
static int rtnl_errno(struct rtnl *nl, int ret)
{
	int kerr = nl->kerr;

	nl->kerr = 0;
	if (ret >= 0)
		return 0;
	return kerr < 0 ? kerr : nle_errno(-ret);
}

/* A socket in the calling thread's current network namespace. */
static int rtnl_open(struct rtnl *nl)
{
	int ret;

	nl->kerr = 0;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = rtnl_errno(nl, nl_connect(nl->sk, NETLINK_ROUTE));
	if (!ret)
		ret = rtnl_errno(nl, nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM,
							     rtnl_keep_errno, &nl->kerr));
	if (ret) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
	}
	return ret;
}

static int addr_add(struct rtnl *nl, int ifindex, struct in_addr a, unsigned char prefix_len)
{
	struct nl_addr *local = nl_addr_build(AF_INET, &a, sizeof(a));
	struct rtnl_addr *addr = rtnl_addr_alloc();
	int ret = -ENOMEM;

	if (!local || !addr)
		goto cleanup;
	nl_addr_set_prefixlen(local, prefix_len);
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_prefixlen(addr, prefix_len);
	ret = rtnl_errno(nl, rtnl_addr_set_local(addr, local));
	if (!ret)
		ret = rtnl_errno(nl, rtnl_addr_add(nl->sk, addr, NLM_F_EXCL));
cleanup:
	rtnl_addr_put(addr);
	nl_addr_put(local);
	return ret;
}

static int link_up(struct rtnl *nl, int ifindex)
{
	struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (!link || !change)
		goto cleanup;
	rtnl_link_set_ifindex(link, ifindex);
	rtnl_link_set_flags(change, IFF_UP);
	ret = rtnl_errno(nl, rtnl_link_change(nl->sk, link, change, 0));
cleanup:
	rtnl_link_put(change);
	rtnl_link_put(link);
	return ret;
}

static int route_default(struct rtnl *nl, int ifindex, struct in_addr gw)
{
	struct in_addr any = { INADDR_ANY };
	struct nl_addr *dst = nl_addr_build(AF_INET, &any, sizeof(any));
	struct nl_addr *via = nl_addr_build(AF_INET, &gw, sizeof(gw));
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct rtnl_route *r = rtnl_route_alloc();
	int ret = -ENOMEM;

	if (!dst || !via || !nh || !r)
		goto cleanup;
	nl_addr_set_prefixlen(dst, 0);
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	ret = rtnl_errno(nl, rtnl_route_set_dst(r, dst));
	if (ret)
		goto cleanup;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL; /* the route's now */
	ret = rtnl_errno(nl, rtnl_route_add(nl->sk, r, NLM_F_EXCL));
cleanup:
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(r);
	nl_addr_put(via);
	nl_addr_put(dst);
	return ret;
}

/* host_if here, its peer eth0 straight into the namespace @nsfd. */
static int veth_add(struct rtnl *nl, const struct chute_net *n, int nsfd)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	int ret;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, n->host_if);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(peer, CHUTE_IF);
	rtnl_link_set_ns_fd(peer, nsfd);
	rtnl_link_put(peer);
	ret = rtnl_errno(nl, rtnl_link_add(nl->sk, link, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_link_put(link);
	return ret;
}

/* Deletes @name, with its peer, if it is a veth: anything else is not ours. */
static int veth_del(const char *name)
{
	struct rtnl_link *link = NULL;
	struct rtnl nl;
	int ret;

	ret = rtnl_open(&nl);
	if (ret)
		return ret;
	ret = rtnl_errno(&nl, rtnl_link_get_kernel(nl.sk, 0, name, &link));
	if (!ret && !strcmp(rtnl_link_get_type(link) ?: "", "veth"))
		ret = rtnl_errno(&nl, rtnl_link_delete(nl.sk, link));
	if (ret == -ENODEV)
		ret = 0;
	rtnl_link_put(link);
	nl_socket_free(nl.sk);
	return ret;
}

/* @value into a sysctl file of the current network namespace */
static int sysctl_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, value, len);
	close(fd);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

/* IPv6 off on @ifname ("default" for interfaces to come); a kernel
 * without IPv6 has nothing to turn off. */
static int ipv6_off(const char *ifname, struct hearth_err *err)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), IPV6_SYSCTL "/conf/%s/disable_ipv6", ifname);
	ret = sysctl_write(path, "1\n");
	if (ret == -ENOENT && access(IPV6_SYSCTL, F_OK))
		return 0;
	if (ret)
		hearth_err_set(err, ret, "cannot turn IPv6 off on %s in the chute's namespace: %s",
			       ifname, strerror(-ret));
	return ret;
}

/*
 * Sets an on/off offload with a legacy ethtool command (@set), then reads
 * it back (@get): the kernel may keep a feature on that another depends
 * on, and the chute's traffic is only right if the setting took. The
 * legacy commands name exactly the features meant (ETHTOOL_STXCSUM clears
 * every TX checksum feature), where ETHTOOL_SFEATURES needs the kernel's
 * table of feature names to find the bits.
 */
static int ethtool_flag(int fd, const char *ifname, __u32 set, __u32 get, bool on)
{
	struct ethtool_value ev = { .cmd = set, .data = on };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return -errno;
	ev.cmd = get;
	ev.data = !on;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return -errno;
	return !ev.data == !on ? 0 : -EOPNOTSUPP;
}

/* eth0's settings that the gateway's XDP path relies on; after it is up,
 * so that not one frame leaves without them. */
static int chute_if_tune(struct hearth_err *err)
{
	int fd, ret;

	ret = ipv6_off(CHUTE_IF, err);
	if (ret)
		return ret;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot open a socket in the chute's namespace: %s",
				      strerror(errno));
	/* a frame XDP redirects loses CHECKSUM_PARTIAL: the checksum must be whole */
	ret = ethtool_flag(fd, CHUTE_IF, ETHTOOL_STXCSUM, ETHTOOL_GTXCSUM, false);
	if (ret) {
		hearth_err_set(err, ret, "cannot turn TX checksum offload off on the chute's %s: %s",
			       CHUTE_IF, strerror(-ret));
		goto cleanup;
	}
	/* a veth receives what XDP redirects into its peer only through NAPI,
	 * which GRO turns on when no XDP program does */
	ret = ethtool_flag(fd, CHUTE_IF, ETHTOOL_SGRO, ETHTOOL_GGRO, true);
	if (ret)
		hearth_err_set(err, ret, "cannot turn GRO on on the chute's %s: %s", CHUTE_IF,
			       strerror(-ret));
cleanup:
	close(fd);
	return ret;
}

/*
 * The chute's root holds its capabilities in its own user namespace, not
 * in this network namespace's (the host's), so the kernel would keep it
 * from binding ports below 1024 and from ICMP sockets. The namespace and
 * its ports are the chute's alone: both are opened to every id here.
 */
static int chute_sysctls(struct hearth_err *err)
{
	static const struct {
		const char *path, *value;
	} sysctls[] = {
		{ "/proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n" },
		{ "/proc/sys/net/ipv4/ping_group_range", "0 2147483647\n" },
	};
	int ret;

	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		ret = sysctl_write(sysctls[i].path, sysctls[i].value);
		if (ret)
			return hearth_err_set(err, ret, "cannot set %s in the chute's namespace: %s",
					      sysctls[i].path, strerror(-ret));
	}
	return 0;
}

/* Runs in the chute's namespace (in_netns()). */
static int chute_side(const struct chute_net *n, struct hearth_err *err)
{
	char gw[INET_ADDRSTRLEN];
	struct rtnl nl = { 0 };
	int ifindex, ret;

	ret = rtnl_open(&nl);
	if (ret)
		return hearth_err_set(err, ret, "cannot open netlink in the chute's namespace: %s",
				      strerror(-ret));
	ret = chute_sysctls(err);
	if (ret)
		goto cleanup;
	ret = link_up(&nl, (int)if_nametoindex("lo"));
	if (ret) {
		hearth_err_set(err, ret, "cannot set lo up in the chute's namespace: %s",
			       strerror(-ret));
		goto cleanup;
	}
	ifindex = (int)if_nametoindex(CHUTE_IF);
	ret = addr_add(&nl, ifindex, n->chute_addr, n->prefix_len);
	if (!ret)
		ret = link_up(&nl, ifindex);
	if (ret) {
		hearth_err_set(err, ret, "cannot configure the chute's %s: %s", CHUTE_IF,
			       strerror(-ret));
		goto cleanup;
	}
	/* after up: veth only starts the NAPI that XDP redirects into need
	 * when GRO is turned on on a running device (measured on 6.18) */
	ret = chute_if_tune(err);
	if (ret)
		goto cleanup;
	ret = route_default(&nl, ifindex, n->gw_addr);
	if (ret)
		hearth_err_set(err, ret, "cannot add the chute's default route via %s: %s",
			       inet_ntop(AF_INET, &n->gw_addr, gw, sizeof(gw)), strerror(-ret));
cleanup:
	nl_socket_free(nl.sk);
	return ret;
}

static int host_side(struct rtnl *nl, const struct chute_net *n, struct hearth_err *err)
{
	int ifindex = (int)if_nametoindex(n->host_if);
	int ret;

	ret = ifindex ? addr_add(nl, ifindex, n->gw_addr, n->prefix_len) : -errno;
	if (!ret)
		ret = link_up(nl, ifindex);
	if (ret)
		hearth_err_set(err, ret, "cannot configure %s: %s", n->host_if, strerror(-ret));
	return ret;
}

/*
 * Puts the calling thread back in the namespace @orig. It cannot fail
 * short of a kernel bug: @orig is where the thread was, and it holds the
 * CAP_SYS_ADMIN it just used to leave. Going on in the chute's namespace
 * would have the gateway configure the wrong network, so stop instead.
 */
static void netns_return(int orig)
{
	if (setns(orig, CLONE_NEWNET))
		abort();
}

static int in_netns(int nsfd, int (*fn)(const struct chute_net *, struct hearth_err *),
		    const struct chute_net *n, struct hearth_err *err)
{
	int orig, ret;

	orig = open(THREAD_NETNS, O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return hearth_err_set(err, errno, "cannot open %s: %s", THREAD_NETNS,
				      strerror(errno));
	if (setns(nsfd, CLONE_NEWNET)) {
		ret = hearth_err_set(err, errno, "cannot enter %s: %s", n->netns_path,
				     strerror(errno));
		goto cleanup;
	}
	ret = fn(n, err);
	netns_return(orig);
cleanup:
	close(orig);
	return ret;
}

/*
 * A new network namespace pinned by a bind mount on @path (an empty file),
 * which keeps it alive after this process is gone. Its IPv6 default is
 * off before eth0 arrives, so eth0 never has a link-local address, nor
 * sends a router solicitation to the gateway.
 */
static int ns_new(const char *path, struct hearth_err *err)
{
	int orig, ret = 0;

	orig = open(THREAD_NETNS, O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return hearth_err_set(err, errno, "cannot open %s: %s", THREAD_NETNS,
				      strerror(errno));
	if (unshare(CLONE_NEWNET)) {
		ret = hearth_err_set(err, errno, "cannot create a network namespace: %s",
				     strerror(errno));
		goto cleanup;
	}
	if (mount(THREAD_NETNS, path, NULL, MS_BIND, NULL))
		ret = hearth_err_set(err, errno, "cannot bind the new network namespace on %s: %s",
				     path, strerror(errno));
	if (!ret)
		ret = ipv6_off("default", err);
	netns_return(orig);
cleanup:
	close(orig);
	return ret;
}

/*
 * CHUTE_NETNS_DIR, a shared mount point as `ip netns` leaves it: an
 * unmount here (chute_net_destroy()) then also reaches the copies in mount
 * namespaces cloned since (`ip netns exec`, crun's), and the chute's
 * namespace dies with its last process instead of living on in a copy.
 */
static int netns_dir_prepare(void)
{
	if (mkdir(CHUTE_NETNS_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (!mount("", CHUTE_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL))
		return 0;
	/* EINVAL: not a mount point yet; make it one */
	if (errno != EINVAL || mount(CHUTE_NETNS_DIR, CHUTE_NETNS_DIR, NULL, MS_BIND | MS_REC, NULL))
		return -errno;
	if (mount("", CHUTE_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL))
		return -errno;
	return 0;
}

/* The empty file to bind the namespace on; O_EXCL makes it ours. */
static int netns_file_new(const char *path, struct hearth_err *err)
{
	int fd, ret;

	ret = netns_dir_prepare();
	if (ret)
		return hearth_err_set(err, ret, "cannot prepare %s: %s", CHUTE_NETNS_DIR,
				      strerror(-ret));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0 && errno == EEXIST)
		return hearth_err_set(err, EEXIST, "network namespace %s already exists", path);
	if (fd < 0)
		return hearth_err_set(err, errno, "cannot create %s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

/* Unpins the namespace at @path; it dies with its last process. */
static int netns_unpin(const char *path)
{
	int ret = 0;

	/* EINVAL: not a mount point, a create that stopped before binding it */
	if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
		ret = -errno;
	if (unlink(path) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

static bool netns_pinned(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == NSFS_MAGIC;
}

/* Refusals that must come before anything is touched. */
static int create_check(const struct chute_net *n, struct hearth_err *err)
{
	struct stat st;

	if (!chute_net_valid(n))
		return hearth_err_set(err, EINVAL,
				      "bad chute name for a network: 1 to %zu characters of [a-z0-9-]",
				      (size_t)CHUTE_NAME_MAX);
	if (!n->prefix_len || n->prefix_len > 32 || n->gw_addr.s_addr == n->chute_addr.s_addr)
		return hearth_err_set(err, EINVAL,
				      "bad chute network: two addresses in one prefix of 1 to 32 bits");
	if (!lstat(n->netns_path, &st))
		return hearth_err_set(err, EEXIST, "network namespace %s already exists",
				      n->netns_path);
	if (if_nametoindex(n->host_if))
		return hearth_err_set(err, EEXIST, "interface %s already exists", n->host_if);
	return 0;
}

int chute_net_create(const struct chute_net *n, struct hearth_err *err)
{
	struct rtnl nl = { 0 };
	bool veth = false;
	int nsfd = -1, ret;

	ret = create_check(n, err);
	if (!ret)
		ret = netns_file_new(n->netns_path, err);
	if (ret)
		return ret;
	/* from here on, the namespace file is ours to remove on failure */
	ret = ns_new(n->netns_path, err);
	if (ret)
		goto cleanup;
	nsfd = open(n->netns_path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		ret = hearth_err_set(err, errno, "cannot open %s: %s", n->netns_path,
				     strerror(errno));
		goto cleanup;
	}
	ret = rtnl_open(&nl);
	if (ret) {
		hearth_err_set(err, ret, "cannot open netlink: %s", strerror(-ret));
		goto cleanup;
	}
	ret = veth_add(&nl, n, nsfd);
	if (ret == -EEXIST) {
		/* taken since create_check() */
		hearth_err_set(err, ret, "interface %s already exists", n->host_if);
		goto cleanup;
	}
	if (ret) {
		hearth_err_set(err, ret, "cannot create the veth pair %s/%s: %s", n->host_if,
			       CHUTE_IF, strerror(-ret));
		goto cleanup;
	}
	veth = true;
	ret = host_side(&nl, n, err);
	if (!ret)
		ret = in_netns(nsfd, chute_side, n, err);
cleanup:
	if (ret && veth)
		veth_del(n->host_if);
	if (ret)
		netns_unpin(n->netns_path);
	if (nsfd >= 0)
		close(nsfd);
	nl_socket_free(nl.sk);
	return ret;
}

int chute_net_destroy(const struct chute_net *n)
{
	int ret, ret2;

	if (!chute_net_valid(n))
		return -EINVAL;
	/* the veth first: its deletion is immediate, a namespace's is not */
	ret = veth_del(n->host_if);
	ret2 = netns_unpin(n->netns_path);
	return ret ?: ret2;
}

bool chute_net_exists(const struct chute_net *n)
{
	return chute_net_valid(n) && netns_pinned(n->netns_path) && if_nametoindex(n->host_if);
}
