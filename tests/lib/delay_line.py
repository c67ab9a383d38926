#!/usr/bin/python3
"""A delay line for the round-trip time test (tests/integration/rtt.sh),
where the kernel has no netem: frames between two interfaces of one
namespace are passed on, one way at once and the other way after a delay,
as `tc qdisc add ... netem delay` on that direction would.

    delay_line.py DELAY_MS IF_IN IF_OUT [DELAY_MS IF_IN IF_OUT ...]

Each triple: frames arriving on IF_IN leave by IF_OUT DELAY_MS later, and
frames arriving on IF_OUT leave by IF_IN at once. Runs until killed; a
file named by $DELAY_FILE, when set, holds a new DELAY_MS for the first
pair, read every 100 ms (so a test changes the delay without a restart).

A frame's delay counts from the kernel's receive timestamp (SO_TIMESTAMPNS),
not from when this process got round to reading it, and the line asks for
a real-time priority (when it may) and spins through the last half
millisecond before a frame is due: on a loaded machine a sleeping Python
process wakes late, and the test checks the delay to 0.5 ms.
"""
import heapq
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SPIN = 0.0005  # seconds before a frame is due when sleeping stops


def open_raw(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setblocking(False)
    return s


def arrival(ancdata):
    """The kernel's receive time of a frame, on time.time()'s clock."""
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec + nsec / 1e9
    return time.time()


def prefer_real_time():
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (AttributeError, OSError):
        pass  # not permitted here: the spin alone


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    routes = {}  # socket -> [out socket, delay in seconds]
    socks = []
    for i in range(0, len(args), 3):
        delay = float(args[i]) / 1000
        a, b = open_raw(args[i + 1]), open_raw(args[i + 2])
        routes[a] = [b, delay]
        routes[b] = [a, 0.0]
        socks += [a, b]
    prefer_real_time()
    first = socks[0]
    delay_file = os.environ.get("DELAY_FILE")
    next_check = 0.0
    queue = []  # (due, seq, out socket, frame)
    seq = 0
    while True:
        now = time.time()
        if delay_file and now >= next_check:
            next_check = now + 0.1
            try:
                with open(delay_file) as f:
                    routes[first][1] = float(f.read().strip()) / 1000
            except (OSError, ValueError):
                pass
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass
        timeout = min(queue[0][0] - now - SPIN, 0.1) if queue else 0.1
        ready, _, _ = select.select(socks, [], [], max(timeout, 0))
        for s in ready:
            while True:
                try:
                    frame, anc, _, addr = s.recvmsg(65535, 64)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own sends, seen again
                out, delay = routes[s]
                if delay <= 0:
                    try:
                        out.send(frame)
                    except OSError:
                        pass
                else:
                    seq += 1
                    heapq.heappush(queue, (arrival(anc) + delay, seq, out, frame))


if __name__ == "__main__":
    main()
