// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Route, neighbour, address and link notifications, which invalidate the
 * data plane's cached forwarding decisions.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nlwatch.h"

static int on_message(struct nl_msg *msg, void *arg)
{
	struct hearth_nlwatch *w = arg;

	switch (nlmsg_hdr(msg)->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		w->pending |= HEARTH_NL_LINK | HEARTH_NL_FIB;
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		w->pending |= HEARTH_NL_ADDR | HEARTH_NL_FIB;
		break;
	default:
		w->pending |= HEARTH_NL_FIB;
		break;
	}
	return NL_OK;
}

int hearth_nlwatch_open(struct hearth_nlwatch *w, struct hearth_err *err)
{
	int ret;

	w->pending = 0;
	w->sock = nl_socket_alloc();
	if (!w->sock)
		return hearth_err_set(err, ENOMEM, "cannot allocate a netlink socket");
	nl_socket_disable_seq_check(w->sock);
	nl_socket_modify_cb(w->sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, w);
	ret = nl_connect(w->sock, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_add_memberships(w->sock, RTNLGRP_LINK,
						RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE,
						RTNLGRP_IPV6_ROUTE,
						RTNLGRP_IPV4_IFADDR,
						RTNLGRP_IPV6_IFADDR,
						RTNLGRP_IPV4_NETCONF,
						RTNLGRP_IPV6_NETCONF,
						RTNLGRP_IPV4_RULE,
						RTNLGRP_IPV6_RULE, 0);
	if (!ret)
		ret = nl_socket_set_nonblocking(w->sock);
	if (ret) {
		nl_socket_free(w->sock);
		w->sock = NULL;
		return hearth_err_set(err, EIO, "netlink: %s", nl_geterror(ret));
	}
	return 0;
}

int hearth_nlwatch_fd(const struct hearth_nlwatch *w)
{
	return nl_socket_get_fd(w->sock);
}

unsigned int hearth_nlwatch_drain(struct hearth_nlwatch *w)
{
	unsigned int changes;
	int ret;

	do {
		ret = nl_recvmsgs_default(w->sock);
	} while (ret >= 0);
	/* anything but "queue empty" (e.g. an overrun) may have lost events */
	if (ret != -NLE_AGAIN)
		w->pending |= HEARTH_NL_FIB | HEARTH_NL_LINK;
	changes = w->pending;
	w->pending = 0;
	return changes;
}

void hearth_nlwatch_close(struct hearth_nlwatch *w)
{
	if (w->sock)
		nl_socket_free(w->sock);
	w->sock = NULL;
}
