/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe bundle's digest and its researcher's signature (Ed25519, through
 * OpenSSL). The digest is SHA-256 over a domain tag and the manifest and
 * the object, each preceded by its length, so that no byte can move from
 * one to the other; the researcher signs the digest; the operator approves
 * it. A key is named by its fingerprint: SHA-256 of its 32 raw bytes.
 */
#ifndef HEARTH_PROBE_SIGN_H
#define HEARTH_PROBE_SIGN_H

#include <stddef.h>
#include <linux/types.h>

#include "../../util/error.h"

#define HEARTH_PROBE_DIGEST_LEN 32
#define HEARTH_PROBE_SIG_LEN 64 /* Ed25519 */
#define HEARTH_PROBE_HEX_LEN (2 * HEARTH_PROBE_DIGEST_LEN + 1)

int hearth_probe_digest(const void *manifest, size_t manifest_len, const void *object,
			size_t object_len, __u8 digest[HEARTH_PROBE_DIGEST_LEN]);
void hearth_probe_hex(const __u8 bytes[HEARTH_PROBE_DIGEST_LEN], char hex[HEARTH_PROBE_HEX_LEN]);

/* Signs @digest with the Ed25519 private key in PEM file @key_path. */
int hearth_probe_sign(const char *key_path, const __u8 digest[HEARTH_PROBE_DIGEST_LEN],
		      __u8 sig[HEARTH_PROBE_SIG_LEN], struct hearth_err *err);
/* The fingerprint of the Ed25519 public (or private) key in PEM file
 * @key_path, as hex. */
int hearth_probe_key_fingerprint(const char *key_path, char hex[HEARTH_PROBE_HEX_LEN],
				 struct hearth_err *err);
/* 0 when @sig is @digest signed by the public key in PEM file @key_path;
 * -EBADMSG when it is not. */
int hearth_probe_verify(const char *key_path, const __u8 digest[HEARTH_PROBE_DIGEST_LEN],
			const __u8 sig[HEARTH_PROBE_SIG_LEN], struct hearth_err *err);

#endif
