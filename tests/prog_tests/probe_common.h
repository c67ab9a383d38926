/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the probe tests share: the test probes of build/probes, keys made
 * with OpenSSL, and bundles made and signed in a temporary tree. */
#ifndef HEARTH_PROBE_COMMON_H
#define HEARTH_PROBE_COMMON_H

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../userspace/lib/probe_bundle.h"
#include "../lib/test.h"

/* build/probes/@which.bpf.o, read whole into *@len bytes. */
static inline void *probe_file(const char *which, size_t *len)
{
	const char *build = getenv("HEARTH_BUILD") ?: "build";
	char path[512];
	void *data = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/probes/%s.bpf.o", build, which);
	f = fopen(path, "rb");
	if (!ASSERT_TRUE(f != NULL, path))
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		data = malloc((size_t)n);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return data;
}

/* A fresh Ed25519 key: private in @dir/@name.pem, public in
 * @dir/@name.pub. */
static inline bool keygen(const char *dir, const char *name)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char path[512];
	bool ok = key != NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	f = ok ? fopen(path, "w") : NULL;
	ok = f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/%s.pub", dir, name);
	f = ok ? fopen(path, "w") : NULL;
	ok = f && PEM_write_PUBKEY(f, key);
	if (f)
		fclose(f);
	EVP_PKEY_free(key);
	return ASSERT_TRUE(ok, "an Ed25519 key made");
}

static inline bool put(const char *dir, const char *file, const void *data, size_t len)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	ok = f && fwrite(data, 1, len, f) == len;
	if (f)
		fclose(f);
	return ASSERT_TRUE(ok, path);
}

struct probe_keys {
	char root[64]; /* the test's tree */
	char trusted[96]; /* the operator's trusted keys: the researcher's */
	char researcher[160]; /* the researcher's private key */
	char fingerprint[HEARTH_PROBE_HEX_LEN];
};

static inline bool keys_make(struct probe_keys *k)
{
	struct hearth_err err = {};
	char pub[200];

	snprintf(k->root, sizeof(k->root), "/tmp/hearth-probe-XXXXXX");
	if (!ASSERT_TRUE(mkdtemp(k->root) != NULL, "a temporary directory"))
		return false;
	snprintf(k->trusted, sizeof(k->trusted), "%s/trusted", k->root);
	mkdir(k->trusted, 0700);
	snprintf(k->researcher, sizeof(k->researcher), "%s/researcher.pem", k->trusted);
	snprintf(pub, sizeof(pub), "%s/researcher.pub", k->trusted);
	return keygen(k->trusted, "researcher") && keygen(k->root, "stranger") &&
	       ASSERT_EQ(hearth_probe_key_fingerprint(pub, k->fingerprint, &err), 0, err.msg);
}

/* The manifest of build/probes/hostile_none.bpf.o, signed by @key_fp,
 * with @expires and seen's size @bytes. */
static inline int manifest_text(char *out, size_t size, const char *key_fp, const char *expires,
			 unsigned long long bytes, const char *purpose)
{
	return snprintf(out, size,
			"{\n  \"name\": \"seen-packets\",\n  \"abi\": %d,\n"
			"  \"author\": \"A. Researcher <ar@example.org>\",\n  \"key\": \"%s\",\n"
			"  \"purpose\": \"%s\",\n  \"point\": \"packet\",\n"
			"  \"maps\": [{\"name\": \"seen\", \"type\": \"percpu_array\", \"bytes\": %llu}],\n"
			"  \"output\": \"seen\",\n  \"cpu_budget_ns\": 200,\n  \"expires\": \"%s\"\n}\n",
			HEARTH_PROBE_ABI, key_fp, purpose, bytes, expires);
}

/* A bundle @name under the keys' tree: build/probes/@object.bpf.o, that
 * manifest, signed with @sign_key (NULL: unsigned). */
static inline bool bundle_make_of(const struct probe_keys *k, const char *name,
				  const char *object, const char *manifest, const char *sign_key,
				  char *dir, size_t dir_size)
{
	struct hearth_probe_bundle b;
	struct hearth_err err = {};
	size_t len = 0;
	void *obj = probe_file(object, &len);
	bool ok;

	snprintf(dir, dir_size, "%s/%s", k->root, name);
	mkdir(dir, 0700);
	ok = obj && put(dir, HEARTH_PROBE_OBJECT_FILE, obj, len) &&
	     put(dir, HEARTH_PROBE_MANIFEST_FILE, manifest, strlen(manifest));
	free(obj);
	if (ok && sign_key) {
		ok = ASSERT_EQ(hearth_probe_bundle_read(&b, dir, &err), 0, err.msg) &&
		     ASSERT_EQ(hearth_probe_bundle_sign(&b, sign_key, &err), 0, err.msg);
		hearth_probe_bundle_free(&b);
	}
	return ok;
}

/* hearth_probe_bundle_check on @dir against the trusted keys now: 0 or
 * the error, its line in @err. */
/* The same of the well-behaved object (hostile_none). */
static inline bool bundle_make(const struct probe_keys *k, const char *name, const char *manifest,
			       const char *sign_key, char *dir, size_t dir_size)
{
	return bundle_make_of(k, name, "hostile_none", manifest, sign_key, dir, dir_size);
}

static inline int bundle_check(const struct probe_keys *k, const char *dir, struct hearth_err *err)
{
	struct hearth_probe_bundle b;
	int ret = hearth_probe_bundle_read(&b, dir, err);

	if (!ret)
		ret = hearth_probe_bundle_check(&b, k->trusted, time(NULL), HEARTH_PROBE_MAP_BUDGET,
						err);
	hearth_probe_bundle_free(&b);
	return ret;
}

#endif
