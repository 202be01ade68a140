#!/usr/bin/env python3
"""Hostile flood for bench/soak/run.sh: N connections that trickle request headers one byte at a time.

Usage: slowloris.py HOST PORT CONNECTIONS SECONDS. Loopback only; stops by itself after SECONDS.
Each connection that the server closes is reopened, so the pressure stays at CONNECTIONS.
Prints how many connections it opened in all (a high count means the server kept closing them).
"""
import socket
import sys
import time

host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
assert host in ("127.0.0.1", "::1", "localhost"), "the flood only ever targets loopback"
deadline = time.monotonic() + seconds
opened = 0


def connect():
    global opened
    s = socket.create_connection((host, port), timeout=2)
    s.setblocking(False)
    s.send(b"GET / HTTP/1.1\r\nHost: flood\r\n")
    opened += 1
    return s


socks = []
for _ in range(count):
    try:
        socks.append(connect())
    except OSError:
        pass

while time.monotonic() < deadline:
    for i, s in enumerate(socks):
        try:
            s.send(b"X")
        except OSError:
            s.close()
            try:
                socks[i] = connect()
            except OSError:
                pass
    time.sleep(0.5)

for s in socks:
    s.close()
print(f"slowloris: {opened} connections opened over {seconds:.0f} s")
