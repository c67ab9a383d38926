// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <fnmatch.h>
#include <ftw.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define MAX_TESTS 256
#define EXIT_SKIP 77

struct test_entry {
	const char *name;
	const char *file;
	void (*fn)(void);
};

static struct test_entry tests[MAX_TESTS];
static int n_tests;
static bool failed, skipped;

void test__register(const char *name, const char *file, void (*fn)(void))
{
	if (n_tests == MAX_TESTS) {
		fprintf(stderr, "test: too many tests\n");
		exit(2);
	}
	tests[n_tests++] = (struct test_entry){ name, file, fn };
}

void test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed = true;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	skipped = true;
	fprintf(stdout, "  skip reason: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

bool test__failed(void)
{
	return failed;
}

bool test__require_root(void)
{
	if (geteuid() == 0)
		return true;
	test__skip("needs root");
	return false;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void test__tree_remove(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* 0 pass, 1 fail, EXIT_SKIP skip */
static int run_one(const struct test_entry *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		t->fn();
		fflush(stdout);
		_exit(failed ? 1 : skipped ? EXIT_SKIP : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		printf("  killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

static int by_file_then_name(const void *a, const void *b)
{
	const struct test_entry *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : strcmp(x->name, y->name);
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	int pass = 0, fail = 0, skip = 0, opt;

	while ((opt = getopt(argc, argv, "t:l")) != -1) {
		switch (opt) {
		case 't':
			filter = optarg;
			break;
		case 'l':
			for (int i = 0; i < n_tests; i++)
				printf("%s\n", tests[i].name);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-t GLOB] [-l]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	qsort(tests, n_tests, sizeof(tests[0]), by_file_then_name);
	for (int i = 0; i < n_tests; i++) {
		int rc;

		if (filter && fnmatch(filter, tests[i].name, 0))
			continue;
		rc = run_one(&tests[i]);
		if (rc == 0) {
			printf("PASS: %s\n", tests[i].name);
			pass++;
		} else if (rc == EXIT_SKIP) {
			printf("SKIP: %s\n", tests[i].name);
			skip++;
		} else {
			printf("FAIL: %s\n", tests[i].name);
			fail++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
