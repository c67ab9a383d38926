#!/usr/bin/python3
"""UDP ends for the NAT ICMP tests (tests/integration/nat_icmp.sh).

    udp_probe.py count PORT SECONDS      receives for SECONDS, prints
                                         "N SIZE1,SIZE2,..." of what came
    udp_probe.py pmtu HOST PORT          learns the path MTU to HOST: one
                                         1472-byte datagram with DF, then
                                         prints the MTU the kernel learned
                                         and sends 5 datagrams that fit it
    udp_probe.py nodf HOST PORT SIZE     one datagram of SIZE without DF
    udp_probe.py hello HOST PORT LPORT SECONDS
                                         from LPORT: a datagram to HOST:PORT,
                                         then counts as "count" does
    udp_probe.py answer PORT MODE        waits for a datagram on PORT and
                                         runs MODE (pmtu or nodf SIZE) back
                                         to its sender
    udp_probe.py refused HOST PORT       connected socket: prints "refused"
                                         when the send is answered with a
                                         port unreachable, else "silent"
"""
import errno
import socket
import sys
import time

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
IP_PMTUDISC_DO = 2
IP_MTU = 14


def count(sock, seconds):
    sock.settimeout(0.2)
    sizes = []
    end = time.time() + seconds
    while time.time() < end:
        try:
            sizes.append(len(sock.recv(65535)))
        except socket.timeout:
            pass
    print(len(sizes), ",".join(map(str, sizes)))


def pmtu(sock):
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    sock.send(b"x" * 1472)
    mtu = 0
    for _ in range(20):
        time.sleep(0.1)
        mtu = sock.getsockopt(socket.IPPROTO_IP, IP_MTU)
        if mtu < 1500:
            break
    # the error is also pending on the connected socket (EMSGSIZE, reported
    # once): take it before asking the kernel what it learned
    try:
        sock.recv(1, socket.MSG_DONTWAIT)
    except OSError:
        pass
    try:
        sock.send(b"x" * 1472)
        too_big = "sent"
    except OSError as e:
        too_big = "EMSGSIZE" if e.errno == errno.EMSGSIZE else str(e)
    for _ in range(5):
        sock.send(b"x" * (mtu - 28))
        time.sleep(0.02)
    print(mtu, too_big)


def nodf(sock, size):
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    sock.send(b"x" * size)
    print("sent")


def main():
    cmd = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if cmd == "count":
        sock.bind(("0.0.0.0", int(sys.argv[2])))
        count(sock, float(sys.argv[3]))
    elif cmd in ("pmtu", "nodf", "refused"):
        sock.connect((sys.argv[2], int(sys.argv[3])))
        if cmd == "pmtu":
            pmtu(sock)
        elif cmd == "nodf":
            nodf(sock, int(sys.argv[4]))
        else:
            sock.settimeout(2)
            sock.send(b"are you there")
            try:
                sock.recv(100)
                print("answered")
            except ConnectionRefusedError:
                print("refused")
            except socket.timeout:
                print("silent")
    elif cmd == "hello":
        sock.bind(("0.0.0.0", int(sys.argv[4])))
        sock.sendto(b"hello", (sys.argv[2], int(sys.argv[3])))
        count(sock, float(sys.argv[5]))
    elif cmd == "answer":
        sock.bind(("0.0.0.0", int(sys.argv[2])))
        sock.settimeout(5)
        _, peer = sock.recvfrom(100)
        sock.connect(peer)
        if sys.argv[3] == "pmtu":
            pmtu(sock)
        else:
            nodf(sock, int(sys.argv[4]))


main()
