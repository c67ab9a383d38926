#!/usr/bin/python3
"""Raw ESP ends for tests/integration/nat_esp.sh: ESP packets (SPI,
sequence number, opaque payload) on raw IP sockets. The test kernel has
no IPsec (CONFIG_INET_ESP), so these stand in for the two ends of a
tunnel: the gateway sees the same packets a kernel SA would send.

    esp_peer.py echo ADDR SECONDS   answers each ESP packet to ADDR, from
                                    ADDR, to its sender: SPI + 1, same
                                    sequence and payload; prints "SRC N"
                                    per sender at the end
    esp_peer.py send HOST SPI N     sends N ESP packets to HOST, then
                                    prints how many answers (SPI + 1)
                                    came back within a second of the last
"""
import socket
import struct
import sys
import time

ESP = 50


def raw():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, ESP)


def esp_of(datagram):
    """The ESP header of a received datagram (the IP header comes too)."""
    ihl = (datagram[0] & 0x0F) * 4
    return datagram[ihl:]


def received(s, seconds):
    """(source, ESP header and payload) of each packet for SECONDS."""
    s.settimeout(0.2)
    end = time.time() + seconds
    while time.time() < end:
        try:
            datagram, (src, _) = s.recvfrom(65535)
        except socket.timeout:
            continue
        esp = esp_of(datagram)
        if len(esp) >= 8:
            yield src, esp


def echo(addr, seconds):
    s = raw()
    s.bind((addr, 0))
    seen = {}
    for src, esp in received(s, seconds):
        spi, seq = struct.unpack("!II", esp[:8])
        s.sendto(struct.pack("!II", spi + 1, seq) + esp[8:], (src, 0))
        seen[src] = seen.get(src, 0) + 1
    for src, n in sorted(seen.items()):
        print(src, n)


def send(host, spi, n):
    s = raw()
    for seq in range(1, n + 1):
        s.sendto(struct.pack("!II", spi, seq) + bytes(range(32)), (host, 0))
        time.sleep(0.05)
    answers = 0
    for src, esp in received(s, 1):
        if src == host and struct.unpack("!I", esp[:4])[0] == spi + 1:
            answers += 1
    print(answers)


def main(argv):
    if len(argv) == 4 and argv[1] == "echo":
        echo(argv[2], float(argv[3]))
    elif len(argv) == 5 and argv[1] == "send":
        send(argv[2], int(argv[3], 0), int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
