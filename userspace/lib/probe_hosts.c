// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "../../util/hash.h"
#include "dataplane.h"
#include "flow_privacy.h"
#include "probe_hosts.h"

/* The slot @k is in, or the empty one it would go to. */
static __u16 *slot_of(struct hearth_probe_hosts *h, const struct hearth_host_key *k)
{
	/* the key has no padding: its bytes are the host */
	__u32 i = hearth_fnv1a(HEARTH_FNV_BASIS, k, sizeof(*k)) % HEARTH_PROBE_HOSTS_SLOTS;

	/* never full: twice as many slots as indexes */
	while (h->slot[i] && memcmp(&h->key[h->slot[i]], k, sizeof(*k)))
		i = (i + 1) % HEARTH_PROBE_HOSTS_SLOTS;
	return &h->slot[i];
}

/* Index @idx's address, as exports show it, into the probes' view. */
static int view_write(struct hearth_dp *dp, const struct hearth_flow_privacy *p, __u32 idx,
		      const struct hearth_host_key *k)
{
	struct hearth_probe_host v = { .family = (__u8)k->family };
	union hearth_addr a = k->addr;
	int ret = hearth_flow_privacy_address(p, (int)k->family, &a);

	if (ret < 0)
		return ret;
	v.anonymized = ret;
	if (k->family == AF_INET)
		memcpy(v.addr, &a.ip4, sizeof(a.ip4));
	else
		memcpy(v.addr, a.b, sizeof(v.addr));
	return bpf_map_update_elem(dp->map_fd[HEARTH_DP_HOSTS], &idx, &v, BPF_ANY) ? -errno : 0;
}

int hearth_probe_hosts_load(struct hearth_probe_hosts *h, struct hearth_dp *dp,
			    const struct hearth_flow_privacy *p)
{
	int fd = dp->map_fd[HEARTH_DP_HOSTID], ret = 0;
	struct hearth_host_key k, next;
	void *prev = NULL;
	__u32 idx;

	memset(h, 0, sizeof(*h));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &idx) || !idx || idx >= HEARTH_PROBE_MAX_HOSTS ||
		    *slot_of(h, &k))
			continue;
		h->key[idx] = k;
		*slot_of(h, &k) = (__u16)idx;
		if (idx > h->n)
			h->n = idx;
		ret = view_write(dp, p, idx, &k);
		if (ret)
			break;
	}
	h->full = h->n + 1 >= HEARTH_PROBE_MAX_HOSTS;
	return ret;
}

int hearth_probe_hosts_add(struct hearth_probe_hosts *h, struct hearth_dp *dp,
			   const struct hearth_flow_privacy *p, int family,
			   const union hearth_addr *a)
{
	struct hearth_host_key k = { .family = (__u32)family, .addr = *a };
	__u16 *slot = slot_of(h, &k);
	__u32 idx;
	int ret;

	if (*slot)
		return *slot;
	if (h->n + 1 >= HEARTH_PROBE_MAX_HOSTS) {
		h->full = true;
		return -ENOSPC;
	}
	idx = h->n + 1;
	ret = view_write(dp, p, idx, &k);
	if (ret)
		return ret;
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_HOSTID], &k, &idx, BPF_ANY))
		return -errno;
	h->n = idx;
	h->key[idx] = k;
	*slot = (__u16)idx;
	return (int)idx;
}
