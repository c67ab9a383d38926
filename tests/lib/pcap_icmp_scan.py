#!/usr/bin/python3
"""ICMP errors and home addresses in a pcap (Ethernet) taken on the
internet side of the gateway.

    pcap_icmp_scan.py FILE WAN_ADDR PREFIX/LEN PORT

prints: ERRORS FRAG_NEEDED TIME_EXCEEDED UNREACHABLE HOLDING
  ERRORS         ICMP errors from WAN_ADDR
  FRAG_NEEDED    ... type 3 code 4, next-hop MTU 1400, quoting a packet to
                 WAN_ADDR
  TIME_EXCEEDED  ... type 11 code 0, quoting a packet to WAN_ADDR
  UNREACHABLE    ... type 3 code 3, quoting a packet to WAN_ADDR:PORT
  HOLDING        IPv4 packets with an address of PREFIX anywhere after the
                 Ethernet header (every 4-byte window: headers, quoted
                 headers and payload alike)
"""
import ipaddress
import struct
import sys

from pcap_ip_options import packets


def main():
    wan = ipaddress.ip_address(sys.argv[2]).packed
    net = ipaddress.ip_network(sys.argv[3], strict=False)
    port = int(sys.argv[4])
    errors = frag_needed = time_exceeded = unreachable = holding = 0
    for frame in packets(sys.argv[1]):
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        if any(ipaddress.ip_address(ip[i:i + 4]) in net for i in range(len(ip) - 3)):
            holding += 1
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 1 or ip[12:16] != wan or len(ip) < ihl + 8 + 28:
            continue
        icmp = ip[ihl:]
        kind, code = icmp[0], icmp[1]
        if kind not in (3, 11, 12):
            continue
        errors += 1
        quoted = icmp[8:]
        if quoted[16:20] != wan:
            continue
        dport = struct.unpack("!H", quoted[22:24])[0]
        if kind == 3 and code == 4 and struct.unpack("!H", icmp[6:8])[0] == 1400:
            frag_needed += 1
        elif kind == 11 and code == 0:
            time_exceeded += 1
        elif kind == 3 and code == 3 and dport == port:
            unreachable += 1
    print(errors, frag_needed, time_exceeded, unreachable, holding)


main()
