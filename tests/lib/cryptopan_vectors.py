#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Crypto-PAn computed apart from userspace/lib/cryptopan.c: the IPv6
vectors of tests/prog_tests/cryptopan.c come from here and from the C code,
and must agree.

Written from the paper's definition, not from the C code: addresses are
Python integers, bit i of the result is bit i of the address XOR the first
bit of AES_K(first i bits of the address, then the pad's bits i..127), one
AES-128-ECB call per bit (python3-cryptography). IPv4 is the 32-bit case
of the same function, as in the reference implementation; the script first
checks itself on a few of the reference's published IPv4 pairs.

    tests/lib/cryptopan_vectors.py          prints the vectors as C lines
"""
import ipaddress
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SAMPLE_KEY = bytes([21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73,
                    144, 125, 16, 216, 152, 143, 131, 121, 121, 101, 39, 98,
                    87, 76, 45, 42, 132, 34, 2])
# a second key, so the vectors do not rest on the sample key alone
COUNT_KEY = bytes(range(32))

# from the reference distribution's sample (via Yawning/cryptopan's tests)
REFERENCE_V4 = [("128.11.68.132", "135.242.180.132"),
                ("24.5.0.80", "100.9.15.210"),
                ("64.39.15.238", "0.219.7.41"),
                ("10.185.25.118", "117.161.29.118")]

V6_INPUTS = ["::", "::1", "::2", "::ffff", "2001:db8::1", "2001:db8::2",
             "fe80::1", "fd00:1234:5678:9abc::42", "2a01:4f8:1:2:3:4:5:6",
             "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:192.0.2.1"]


def aes_ecb(key16, block16):
    enc = Cipher(algorithms.AES(key16), modes.ECB()).encryptor()
    return enc.update(block16) + enc.finalize()


def anonymize(key, addr, nbits):
    """addr: an integer of nbits bits (32 or 128)."""
    aes_key = key[:16]
    pad = int.from_bytes(aes_ecb(aes_key, key[16:]), "big")
    # the address sits at the top of the 128-bit block
    a = addr << (128 - nbits)
    otp = 0
    for i in range(nbits):
        low = 128 - i  # bits below this many are the pad's
        prefix_mask = ((1 << 128) - 1) ^ ((1 << low) - 1)
        block = (a & prefix_mask) | (pad & ((1 << low) - 1))
        out = aes_ecb(aes_key, block.to_bytes(16, "big"))
        otp |= (out[0] >> 7) << (nbits - 1 - i)
    return addr ^ otp


def anon_str(key, text):
    ip = ipaddress.ip_address(text)
    nbits = 32 if ip.version == 4 else 128
    return str(ipaddress.ip_address(anonymize(key, int(ip), nbits)))


def main():
    for orig, want in REFERENCE_V4:
        got = anon_str(SAMPLE_KEY, orig)
        if got != want:
            print(f"self-check failed: {orig} -> {got}, want {want}",
                  file=sys.stderr)
            return 1
    for name, key in (("sample_key", SAMPLE_KEY), ("count_key", COUNT_KEY)):
        print(f"/* {name} */")
        for text in V6_INPUTS:
            print(f'\t{{ "{text}", "{anon_str(key, text)}" }},')
    return 0


if __name__ == "__main__":
    sys.exit(main())
