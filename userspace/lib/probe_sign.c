// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probe bundles' digests and signatures: OpenSSL's SHA-256 and Ed25519. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "../../util/parse.h"
#include "probe_sign.h"

static const char digest_tag[] = "hearth probe bundle 1";

static int add_part(EVP_MD_CTX *md, const void *data, size_t len)
{
	__u8 be[8];

	for (int i = 0; i < 8; i++)
		be[i] = (__u8)((__u64)len >> (56 - 8 * i));
	return EVP_DigestUpdate(md, be, sizeof(be)) && EVP_DigestUpdate(md, data, len);
}

int hearth_probe_digest(const void *manifest, size_t manifest_len, const void *object,
			size_t object_len, __u8 digest[HEARTH_PROBE_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok;

	ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	     add_part(md, digest_tag, sizeof(digest_tag) - 1) &&
	     add_part(md, manifest, manifest_len) && add_part(md, object, object_len) &&
	     EVP_DigestFinal_ex(md, digest, &n) && n == HEARTH_PROBE_DIGEST_LEN;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}

void hearth_probe_hex(const __u8 bytes[HEARTH_PROBE_DIGEST_LEN], char hex[HEARTH_PROBE_HEX_LEN])
{
	hearth_hex_format(bytes, HEARTH_PROBE_DIGEST_LEN, hex);
}

/* The Ed25519 key in PEM file @path: private when @private, else public
 * (a private key's file gives its public half too). */
static EVP_PKEY *key_read(const char *path, int private, struct hearth_err *err)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *key = NULL;

	if (!f) {
		hearth_err_set(err, errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	key = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!key && !private) {
		rewind(f);
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	fclose(f);
	ERR_clear_error();
	if (!key) {
		hearth_err_set(err, EINVAL, "%s: not a PEM %s key", path, private ? "private" : "public");
		return NULL;
	}
	if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		hearth_err_set(err, EINVAL, "%s: not an Ed25519 key", path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

int hearth_probe_key_fingerprint(const char *key_path, char hex[HEARTH_PROBE_HEX_LEN],
				 struct hearth_err *err)
{
	EVP_PKEY *key = key_read(key_path, 0, err);
	__u8 raw[32], fp[HEARTH_PROBE_DIGEST_LEN];
	size_t len = sizeof(raw);
	unsigned int n = 0;
	int ret = 0;

	if (!key)
		return -EINVAL;
	if (!EVP_PKEY_get_raw_public_key(key, raw, &len) || len != sizeof(raw) ||
	    !EVP_Digest(raw, len, fp, &n, EVP_sha256(), NULL))
		ret = hearth_err_set(err, EIO, "%s: cannot read the public key", key_path);
	else
		hearth_probe_hex(fp, hex);
	EVP_PKEY_free(key);
	return ret;
}

int hearth_probe_sign(const char *key_path, const __u8 digest[HEARTH_PROBE_DIGEST_LEN],
		      __u8 sig[HEARTH_PROBE_SIG_LEN], struct hearth_err *err)
{
	EVP_PKEY *key = key_read(key_path, 1, err);
	EVP_MD_CTX *md = NULL;
	size_t len = HEARTH_PROBE_SIG_LEN;
	int ret = 0;

	if (!key)
		return -EINVAL;
	md = EVP_MD_CTX_new();
	/* Ed25519 hashes what it signs itself: no digest of its own here */
	if (!md || !EVP_DigestSignInit(md, NULL, NULL, NULL, key) ||
	    !EVP_DigestSign(md, sig, &len, digest, HEARTH_PROBE_DIGEST_LEN) ||
	    len != HEARTH_PROBE_SIG_LEN)
		ret = hearth_err_set(err, EIO, "%s: cannot sign", key_path);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ret;
}

int hearth_probe_verify(const char *key_path, const __u8 digest[HEARTH_PROBE_DIGEST_LEN],
			const __u8 sig[HEARTH_PROBE_SIG_LEN], struct hearth_err *err)
{
	EVP_PKEY *key = key_read(key_path, 0, err);
	EVP_MD_CTX *md = NULL;
	int ret = -EBADMSG;

	if (!key)
		return -EINVAL;
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) &&
	    EVP_DigestVerify(md, sig, HEARTH_PROBE_SIG_LEN, digest, HEARTH_PROBE_DIGEST_LEN) == 1)
		ret = 0;
	else
		hearth_err_set(err, EBADMSG, "the signature is not the bundle's under %s", key_path);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return ret;
}
