#!/usr/bin/python3
"""A TLS collector for tests/integration/flows_tls.sh: nfcapd has no TLS,
so this terminates it and hands each IPFIX message on as a UDP datagram.

    ipfix_tls_relay.py CERT KEY ADDR UDP_HOST:UDP_PORT PORT...

Listens on ADDR:PORT for each PORT with CERT and KEY (TLS 1.2 or later);
reads each connection's stream, cuts it into IPFIX messages by their
length field (RFC 7011 section 3.1) and sends every message to the UDP
collector. Prints "message N bytes" for each to stdout.
"""
import select
import socket
import ssl
import sys


def main():
    cert, key, addr, udp = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    ports = [int(p) for p in sys.argv[5:]]
    host, uport = udp.rsplit(":", 1)
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    listeners = []
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(4)
        listeners.append(s)
    conns = {}  # TLS socket -> bytes not yet a whole message
    while True:
        ready, _, _ = select.select(listeners + list(conns), [], [], 1.0)
        for s in ready:
            if s in listeners:
                raw, _ = s.accept()
                try:
                    conns[ctx.wrap_socket(raw, server_side=True)] = b""
                except (ssl.SSLError, OSError) as e:
                    print("handshake refused:", e, flush=True)
                    raw.close()
                continue
            try:
                data = s.recv(65536)
            except (ssl.SSLError, OSError):
                data = b""
            if not data:
                del conns[s]
                s.close()
                continue
            buf = conns[s] + data
            while len(buf) >= 4:
                length = int.from_bytes(buf[2:4], "big")
                if length < 16 or len(buf) < length:
                    break
                out.sendto(buf[:length], (host, int(uport)))
                print("message", length, "bytes", flush=True)
                buf = buf[length:]
            conns[s] = buf


if __name__ == "__main__":
    main()
