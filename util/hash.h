/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_UTIL_HASH_H
#define HEARTH_UTIL_HASH_H

/* FNV-1a (64 bits) over @size bytes at @data, going on from @hash
 * (HEARTH_FNV_BASIS to start): a fixed, fast hash for identities and for
 * tables whose keys nobody outside chooses. */

#include <stddef.h>
#include <stdint.h>

#define HEARTH_FNV_BASIS 0xcbf29ce484222325ULL

static inline uint64_t hearth_fnv1a(uint64_t hash, const void *data, size_t size)
{
	const unsigned char *bytes = data;

	for (size_t i = 0; i < size; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash;
}

#endif
