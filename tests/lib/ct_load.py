#!/usr/bin/env python3
"""Load for tests/integration/conntrack.sh, one role per invocation.

  echo ADDR PORT SECONDS          TCP and UDP echo server on ADDR:PORT
  talk ADDR PORT SECONDS OUT      one TCP connection, a line every 0.1 s,
                                  each echoed; writes "sent N failed M"
  flood SRC DST PORT COUNT        COUNT UDP datagrams from SRC, each from
                                  another source port (1024-65535 over
                                  and over): new flows, never answered
  open DST PORT COUNT             COUNT new UDP sockets, one datagram
                                  each, waits for its echo; prints how
                                  many were answered
"""
import socket
import struct
import sys
import threading
import time


def echo(addr, port, seconds):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, port))
    udp.settimeout(0.2)

    def serve(conn):
        with conn:
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                conn.sendall(data)

    def accept():
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, peer = udp.recvfrom(2048)
            udp.sendto(data, peer)
        except socket.timeout:
            pass


def talk(addr, port, seconds, out):
    sent = failed = 0
    s = socket.create_connection((addr, port), timeout=2)
    end = time.time() + seconds
    while time.time() < end:
        line = b"line %d\n" % sent
        try:
            s.sendall(line)
            got = b""
            while len(got) < len(line):
                chunk = s.recv(len(line) - len(got))
                if not chunk:
                    raise OSError("closed")
                got += chunk
            if got != line:
                failed += 1
        except OSError:
            failed += 1
        sent += 1
        time.sleep(0.1)
    with open(out, "w") as f:
        f.write("sent %d failed %d\n" % (sent, failed))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def flood(src, dst, port, count):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    payload = b"flood"
    ulen = 8 + len(payload)
    for i in range(count):
        sport = 1024 + i % 64512
        udp = struct.pack("!HHHH", sport, port, ulen, 0) + payload
        csum = checksum(s + d + struct.pack("!BBH", 0, 17, ulen) + udp) or 0xffff
        udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, i & 0xffff, 0, 64, 17, 0, s, d)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        raw.sendto(ip + udp, (dst, 0))


def open_many(dst, port, count):
    answered = 0
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1.0)
        msg = b"new %d" % i
        try:
            s.sendto(msg, (dst, port))
            if s.recv(2048) == msg:
                answered += 1
        except OSError:
            pass
        s.close()
    print(answered)


def main():
    role, args = sys.argv[1], sys.argv[2:]
    if role == "echo":
        echo(args[0], int(args[1]), float(args[2]))
    elif role == "talk":
        talk(args[0], int(args[1]), float(args[2]), args[3])
    elif role == "flood":
        flood(args[0], args[1], int(args[2]), int(args[3]))
    elif role == "open":
        open_many(args[0], int(args[1]), int(args[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
