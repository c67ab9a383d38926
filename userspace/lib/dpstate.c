// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The data plane's state record (flags, generation, build id) and the
 * FIB cache the generation invalidates; counting a map's keys. */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "dpstate.h"

int hearth_dp_state_get(struct hearth_dp *dp, struct hearth_state *st)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_STATE], &zero, st))
		return -errno;
	return 0;
}

int hearth_dp_state_put(struct hearth_dp *dp, const struct hearth_state *st)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_STATE], &zero, st, BPF_ANY))
		return -errno;
	return 0;
}

int hearth_dp_update_flags(struct hearth_dp *dp, __u32 mask, __u32 flags)
{
	struct hearth_state st;
	int ret = hearth_dp_state_get(dp, &st);

	if (ret)
		return ret;
	flags = (st.flags & ~mask) | (flags & mask);
	if (st.flags == flags)
		return 0;
	st.flags = flags;
	st.generation++;
	return hearth_dp_state_put(dp, &st);
}

/* The configuration's flags; the tenant and chute ones belong to them. */
int hearth_dp_set_flags(struct hearth_dp *dp, __u32 flags)
{
	return hearth_dp_update_flags(dp, HEARTH_STATE_NO_FIB_CACHE | HEARTH_STATE_PRIVACY_RAW,
				      flags);
}

int hearth_dp_set_tenant_flags(struct hearth_dp *dp, __u32 flags)
{
	return hearth_dp_update_flags(dp, HEARTH_DP_TENANT_FLAGS, flags);
}

int hearth_dp_bump_generation(struct hearth_dp *dp)
{
	struct hearth_state st;
	int ret = hearth_dp_state_get(dp, &st);

	if (ret)
		return ret;
	st.generation++;
	return hearth_dp_state_put(dp, &st);
}

int hearth_dp_fib_flush(struct hearth_dp *dp)
{
	struct hearth_fib_key key;
	int fd = dp->map_fd[HEARTH_DP_FIBCACHE];
	int ret = hearth_dp_bump_generation(dp);

	/* the generation already invalidates both levels; emptying the shared
	 * one keeps `hearth fib show` honest */
	while (!ret && !bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			ret = -errno;
	return ret;
}

int hearth_map_count(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int hearth_map_prune(int fd, size_t key_size,
		     bool (*wanted)(const void *key, const void *arg), const void *arg)
{
	__u64 key[8], next[8]; /* aligned for the caller's key struct */
	void *prev = NULL;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		if (!wanted(key, arg)) {
			bpf_map_delete_elem(fd, key);
			prev = NULL; /* the walk restarts after a delete */
		} else {
			prev = key;
		}
	}
	return 0;
}

int hearth_dp_fib_cache_count(struct hearth_dp *dp)
{
	return hearth_map_count(dp->map_fd[HEARTH_DP_FIBCACHE],
				sizeof(struct hearth_fib_key));
}
