#!/usr/bin/python3
"""Counts the IPv4 packets of a pcap (Ethernet) that carry options, and
those whose options hold an address of a prefix.

    pcap_ip_options.py FILE PREFIX/LEN    prints: WITH_OPTIONS HOLDING_PREFIX

packets() reads the frames of a capture (pcap_icmp_scan.py uses it too).
"""
import ipaddress
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def main():
    net = ipaddress.ip_network(sys.argv[2], strict=False)
    with_options = holding = 0
    for frame in packets(sys.argv[1]):
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        ihl = (frame[14] & 0x0F) * 4
        if ihl <= 20:
            continue
        with_options += 1
        options = frame[34:14 + ihl]
        # every 4-byte window: options hold addresses at any offset
        if any(ipaddress.ip_address(options[i:i + 4]) in net
               for i in range(0, len(options) - 3)):
            holding += 1
    print(with_options, holding)


if __name__ == "__main__":
    main()
