#!/usr/bin/python3
"""Known traffic for the flow export test (tests/integration/flows.sh).

    flow_peer.py serve PORT SECONDS      TCP and UDP echo on PORT, IPv4 and
                                         IPv6, for SECONDS
    flow_peer.py tcp HOST PORT N SIZE [GAP]
                                         one connection: N messages of SIZE
                                         bytes, each echoed before the next,
                                         GAP seconds apart (0), then closed;
                                         prints its local port
    flow_peer.py udp HOST PORT N SIZE [GAP]
                                         N datagrams of SIZE bytes from one
                                         socket, each echoed, GAP seconds
                                         apart (0); prints its local port
"""
import select
import socket
import sys
import time


def serve(port, seconds):
    socks = []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        t = socket.socket(family, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        t.bind((addr, port))
        t.listen(16)
        u = socket.socket(family, socket.SOCK_DGRAM)
        if family == socket.AF_INET6:
            u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        u.bind((addr, port))
        socks += [t, u]
    conns = []
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select(socks + conns, [], [], 0.2)
        for s in ready:
            if s.type == socket.SOCK_STREAM and s in socks:
                c, _ = s.accept()
                conns.append(c)
            elif s.type == socket.SOCK_DGRAM:
                data, peer = s.recvfrom(65535)
                s.sendto(data, peer)
            else:
                data = s.recv(65535)
                if data:
                    s.sendall(data)
                else:
                    s.close()
                    conns.remove(s)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def tcp(host, port, n, size, gap=0.0):
    s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(s.getsockname()[1], flush=True)
    for i in range(n):
        if i and gap:
            time.sleep(gap)
        s.sendall(b"x" * size)
        got = 0
        while got < size:
            data = s.recv(size - got)
            if not data:
                sys.exit("tcp: closed early")
            got += len(data)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()


def udp(host, port, n, size, gap=0.0):
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect((host, port))
    print(s.getsockname()[1], flush=True)
    for i in range(n):
        if i and gap:
            time.sleep(gap)
        s.send(b"u" * size)
        s.recv(65535)


def main():
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(int(sys.argv[2]), float(sys.argv[3]))
    elif cmd == "tcp":
        gap = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
        tcp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), gap)
    elif cmd == "udp":
        gap = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
        udp(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), gap)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
