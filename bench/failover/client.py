#!/usr/bin/env python3
"""A client on a fixed schedule: one HTTP/1.1 request every --period-ms on a new connection, for --duration s.

Each request has its own deadline (--timeout-ms for connect plus response), so a request lost to a dead
master fails on its own and never holds up the schedule; at most duration / period requests are sent.
Prints one JSON line: requests sent and served, and the longest gap between the send times of two
consecutive served requests (the client-visible outage; 1 period when nothing was lost), with its start.
"""
import argparse
import asyncio
import json
import time


async def one(host, port, timeout, ready_file):
    async def go():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            status = await reader.readline()
            ok = status.split(b" ")[1:2] == [b"200"]
            if ok and ready_file:
                open(ready_file, "a").close()
            return ok
        finally:
            writer.close()

    try:
        return await asyncio.wait_for(go(), timeout)
    except (OSError, asyncio.TimeoutError, IndexError):
        return False


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--period-ms", type=float, default=10)
    p.add_argument("--timeout-ms", type=float, default=200)
    p.add_argument("--duration", type=float, required=True, help="seconds, at most 60")
    p.add_argument("--ready-file", help="created once the first request has been served")
    a = p.parse_args()
    duration = min(a.duration, 60.0)
    period = a.period_ms / 1000
    count = int(duration / period)
    loop = asyncio.get_running_loop()
    start = loop.time()
    wall0 = time.time_ns() - int(start * 1e9)  # wall-clock ns = wall0 + loop time in ns
    tasks = []
    for k in range(count):
        at = start + k * period
        await asyncio.sleep(max(0.0, at - loop.time()))
        tasks.append((loop.time(), asyncio.create_task(one(a.host, a.port, a.timeout_ms / 1000, a.ready_file))))
    served = [at for at, t in tasks if await t]
    gaps = [(b - a_, a_) for a_, b in zip(served, served[1:])]
    longest, since = max(gaps, default=(duration, start))
    print(json.dumps({
        "sent": count, "served": len(served), "max_gap_ms": round(longest * 1000, 1),
        "gap_start_ns": wall0 + int(since * 1e9),
        "first_served_ns": wall0 + int(served[0] * 1e9) if served else None,
        "last_served_ns": wall0 + int(served[-1] * 1e9) if served else None,
    }))


asyncio.run(main())
