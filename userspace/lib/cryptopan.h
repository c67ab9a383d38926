/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CRYPTOPAN_H
#define HEARTH_CRYPTOPAN_H

#include <linux/types.h>

struct evp_cipher_ctx_st; /* OpenSSL's EVP_CIPHER_CTX */

/*
 * Prefix-preserving address anonymization, Crypto-PAn (Xu, Fan, Ammar,
 * Moon 2002): two addresses that share exactly k leading bits come out
 * sharing exactly k leading bits; without the key the mapping is a
 * pseudorandom permutation of the address space, one-to-one and the same
 * for every call with the same key.
 *
 * One instance holds one cipher context: calls on the same instance must
 * not run concurrently (an instance per thread).
 */
struct hearth_cryptopan {
	struct evp_cipher_ctx_st *aes; /* AES-128-ECB under key[0..15] */
	__u8 pad[16];		       /* AES(key[0..15], key[16..31]) */
};

/* key: the first 16 bytes are the AES-128 key, the last 16 are encrypted
 * under it to make the pad. 0, -ENOMEM, or -EIO when libcrypto fails. */
int hearth_cryptopan_init(struct hearth_cryptopan *c, const __u8 key[32]);
/* addr and *out in network byte order. 0 or -EIO. */
int hearth_cryptopan_ip4(const struct hearth_cryptopan *c, __be32 addr,
			 __be32 *out);
/* in and out may be the same 16 bytes. 0 or -EIO. */
int hearth_cryptopan_ip6(const struct hearth_cryptopan *c, const __u8 in[16],
			 __u8 out[16]);
/* Frees the context and wipes the pad; a freed or zeroed instance is fine. */
void hearth_cryptopan_free(struct hearth_cryptopan *c);

#endif
