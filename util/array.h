/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_UTIL_ARRAY_H
#define HEARTH_UTIL_ARRAY_H

/* A growing array: room for @need elements of @size bytes in *@items,
 * whose capacity *@cap doubles (from 256) when it is short. Returns 0 or
 * -ENOMEM, leaving the array as it was. */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

static inline int hearth_array_reserve(void **items, size_t *cap, size_t need,
				       size_t size)
{
	size_t more_cap = *cap ? *cap : 256;
	void *more;

	if (need <= *cap)
		return 0;
	while (more_cap < need)
		more_cap *= 2;
	more = realloc(*items, more_cap * size);
	if (!more)
		return -ENOMEM;
	*items = more;
	*cap = more_cap;
	return 0;
}

#endif
