/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small prog_tests-style harness: TEST(name) registers a test, ASSERT_*
 * record failures (and return whether they held), test__skip() skips. Each
 * test runs in a child process, so network namespaces and crashes stay
 * contained. The runner ends with "N passed, N failed, N skipped".
 */
#ifndef HEARTH_TEST_H
#define HEARTH_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void test__register(const char *name, const char *file, void (*fn)(void));
void test__fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool test__failed(void);
/* Skips the test unless running as root; returns true when it may go on. */
bool test__require_root(void);
/* Removes a test's temporary tree, whatever is in it (links not followed). */
void test__tree_remove(const char *dir);

#define TEST(name)                                                             \
	static void test_##name(void);                                        \
	__attribute__((constructor)) static void test_register_##name(void)   \
	{                                                                      \
		test__register(#name, __FILE__, test_##name);                 \
	}                                                                      \
	static void test_##name(void)

#define ASSERT_TRUE(cond, what)                                                \
	({                                                                     \
		bool ___ok = (cond);                                           \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__, "%s: not true", what); \
		___ok;                                                         \
	})

#define ASSERT_EQ(actual, expected, what)                                      \
	({                                                                     \
		long long ___a = (long long)(actual);                          \
		long long ___e = (long long)(expected);                        \
		bool ___ok = ___a == ___e;                                     \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__,                         \
				   "%s: got %lld (0x%llx), want %lld (0x%llx)",   \
				   what, ___a, (unsigned long long)___a, ___e,  \
				   (unsigned long long)___e);                    \
		___ok;                                                         \
	})

#define ASSERT_NEQ(actual, unwanted, what)                                     \
	({                                                                     \
		long long ___a = (long long)(actual);                          \
		bool ___ok = ___a != (long long)(unwanted);                    \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__, "%s: got %lld", what,   \
				   ___a);                                      \
		___ok;                                                         \
	})

#define ASSERT_OK(err, what) ASSERT_EQ((err), 0, what)

#define ASSERT_MEMEQ(actual, expected, len, what)                              \
	({                                                                     \
		bool ___ok = !memcmp((actual), (expected), (len));             \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__, "%s: bytes differ",     \
				   what);                                      \
		___ok;                                                         \
	})

#define ASSERT_STREQ(actual, expected, what)                                    \
	({                                                                     \
		const char *___a = (actual);                                   \
		bool ___ok = ___a && !strcmp(___a, (expected));                \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__, "%s: got '%s', want '%s'", \
				   what, ___a ? ___a : "(null)", (expected));  \
		___ok;                                                         \
	})

#define ASSERT_STRHAS(haystack, needle, what)                                  \
	({                                                                     \
		const char *___h = (haystack);                                 \
		bool ___ok = ___h && strstr(___h, (needle));                   \
		if (!___ok)                                                    \
			test__fail(__FILE__, __LINE__,                         \
				   "%s: '%s' does not contain '%s'", what,     \
				   ___h ? ___h : "(null)", (needle));          \
		___ok;                                                         \
	})

#endif
