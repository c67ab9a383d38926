#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""UDP and TCP ends for the NAT behaviour tests (tests/integration/nat_eim.sh).

  serve ADDR PORT SECONDS        answer each datagram with "SRCADDR:SRCPORT"
  ask LPORT DST:PORT...          from one socket on LPORT, print what each
                                 destination saw as our address (or "none")
  listen LPORT SECONDS           print "from ADDR:PORT TEXT" per datagram
  send LPORT DST:PORT TEXT       one datagram from LPORT
  tcp LADDR LPORT DST:PORT DELAY connect from LADDR:LPORT after DELAY seconds
                                 (both ends doing it is a simultaneous open),
                                 exchange a line, print "connected PEERTEXT"
                                 or "failed ERROR"
"""
import socket
import sys
import time


def endpoint(text):
    addr, port = text.rsplit(":", 1)
    return addr, int(port)


def udp(lport, laddr=""):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((laddr, lport))
    return s


def serve(addr, port, seconds):
    s = udp(int(port), addr)
    s.settimeout(0.2)
    end = time.time() + float(seconds)
    while time.time() < end:
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        s.sendto(("%s:%d" % peer).encode(), peer)


def ask(lport, *dsts):
    s = udp(int(lport))
    s.settimeout(2)
    for dst in dsts:
        s.sendto(b"hi", endpoint(dst))
        try:
            data, _ = s.recvfrom(2048)
            print(data.decode())
        except socket.timeout:
            print("none")


def listen(lport, seconds):
    s = udp(int(lport))
    s.settimeout(float(seconds))
    try:
        while True:
            data, peer = s.recvfrom(2048)
            print("from %s:%d %s" % (peer[0], peer[1], data.decode(errors="replace")),
                  flush=True)
    except socket.timeout:
        pass


def send(lport, dst, text):
    udp(int(lport)).sendto(text.encode(), endpoint(dst))


def tcp(laddr, lport, dst, delay):
    time.sleep(float(delay))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((laddr, int(lport)))
    s.settimeout(10)
    try:
        s.connect(endpoint(dst))
        s.sendall(("hello from %s\n" % laddr).encode())
        line = s.makefile().readline().strip()
        print("connected %s" % line)
    except OSError as e:
        print("failed %s" % e)


if __name__ == "__main__":
    {"serve": serve, "ask": ask, "listen": listen, "send": send,
     "tcp": tcp}[sys.argv[1]](*sys.argv[2:])
