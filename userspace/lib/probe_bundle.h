/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe bundle: a directory of manifest.json, probe.bpf.o and, once its
 * researcher signed it, signature (the Ed25519 signature of the bundle's
 * digest, in base64). Read, then judged whole without loading anything:
 * the manifest, the object's policy, the two agreeing, the record type
 * its manifest names, the expiry, and the signature under a trusted key.
 */
#ifndef HEARTH_PROBE_BUNDLE_H
#define HEARTH_PROBE_BUNDLE_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "probe_manifest.h"
#include "probe_record.h"

#define HEARTH_PROBE_MANIFEST_FILE "manifest.json"
#define HEARTH_PROBE_OBJECT_FILE "probe.bpf.o"
#define HEARTH_PROBE_SIGNATURE_FILE "signature"
/* Where the operator keeps the researchers' keys hearth trusts (PEM). */
#define HEARTH_PROBE_KEYS_DIR "/etc/hearth/probe-keys"

struct hearth_probe_bundle {
	char dir[PATH_MAX];
	char *manifest_text;
	size_t manifest_len;
	void *object;
	size_t object_len;
	bool is_signed;
	__u8 sig[HEARTH_PROBE_SIG_LEN];
	__u8 digest[HEARTH_PROBE_DIGEST_LEN];
	char digest_hex[HEARTH_PROBE_HEX_LEN];
	struct hearth_probe_manifest manifest;
	struct hearth_probe_object obj;
	struct hearth_probe_record record; /* the manifest's "record" (after check) */
	char key_path[PATH_MAX]; /* the trusted key that signed it (after check) */
};

/* Reads the bundle in @dir, its digest and its manifest. */
int hearth_probe_bundle_read(struct hearth_probe_bundle *b, const char *dir,
			     struct hearth_err *err);
/* Every check, at time @now, with @budget bytes for its maps; @keys is a
 * public key's PEM file or a directory of them (the trusted keys). */
int hearth_probe_bundle_check(struct hearth_probe_bundle *b, const char *keys, time_t now,
			      __u64 budget, struct hearth_err *err);
/* Writes the bundle's signature with the private key in @key_path. */
int hearth_probe_bundle_sign(struct hearth_probe_bundle *b, const char *key_path,
			     struct hearth_err *err);
void hearth_probe_bundle_free(struct hearth_probe_bundle *b);

#endif
