#!/usr/bin/python3
"""Talks to hearthd's API socket the way a misbehaving client would.

    api_probe.py SOCKET send TEXT        send TEXT as is, print the answer line
    api_probe.py SOCKET big N            send N bytes of one unfinished line
    api_probe.py SOCKET silent SECONDS   connect, send nothing; print what
                                         arrives and after how long
    api_probe.py SOCKET crowd N          hold N connections, then print what
                                         the last one is told
    api_probe.py SOCKET meanwhile        a silent client stays connected
                                         while another asks api.hello; print
                                         the seconds that answer took
Each prints one JSON line: {"answer": ..., "seconds": ..., "closed": ...}.
"""
import json
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_answer(s, timeout):
    s.settimeout(timeout)
    buf = b""
    start = time.monotonic()
    closed = False
    try:
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            buf += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    line = buf.split(b"\n")[0]
    seconds = round(time.monotonic() - start, 3)
    if not closed:  # did the server hang up after its answer?
        s.settimeout(0.5)
        try:
            closed = s.recv(1) == b""
        except ConnectionResetError:
            closed = True  # it hung up on what we had still sent
        except socket.timeout:
            closed = False
    try:
        answer = json.loads(line) if line else None
    except ValueError:
        answer = line.decode(errors="replace")
    return answer, seconds, closed


def report(answer, seconds, closed):
    print(json.dumps({"answer": answer, "seconds": seconds, "closed": closed}))


def main():
    path, what = sys.argv[1], sys.argv[2]
    if what == "send":
        s = connect(path)
        try:
            s.sendall(sys.argv[3].encode() + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # turned away before it listened: the answer is there
        report(*read_answer(s, 10))
    elif what == "big":
        s = connect(path)
        try:
            s.sendall(b"{" + b" " * int(sys.argv[3]))
        except (BrokenPipeError, ConnectionResetError):
            pass
        report(*read_answer(s, 10))
    elif what == "silent":
        s = connect(path)
        report(*read_answer(s, float(sys.argv[3])))
    elif what == "crowd":
        held = [connect(path) for _ in range(int(sys.argv[3]))]
        report(*read_answer(held[-1], 3))
    elif what == "meanwhile":
        silent = connect(path)
        silent.sendall(b'{"v": 1, "verb": "api.he')  # and nothing more
        s = connect(path)
        s.sendall(b'{"v": 1, "verb": "api.hello"}\n')
        report(*read_answer(s, 10))
        silent.close()


main()
