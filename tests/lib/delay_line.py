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
"""
import heapq
import os
import select
import socket
import sys
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def open_raw(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setblocking(False)
    return s


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
    first = socks[0]
    delay_file = os.environ.get("DELAY_FILE")
    next_check = 0.0
    queue = []  # (due, seq, out socket, frame)
    seq = 0
    while True:
        now = time.monotonic()
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
        timeout = min(queue[0][0] - now, 0.1) if queue else 0.1
        ready, _, _ = select.select(socks, [], [], max(timeout, 0))
        for s in ready:
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
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
                    heapq.heappush(queue, (time.monotonic() + delay, seq, out, frame))


if __name__ == "__main__":
    main()
