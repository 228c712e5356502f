"""Emulator throughput over real HTTP: requests per second with no rate limit and no latency.

The emulator runs as its own process (`hoist emulator`, uvicorn, one worker); this script is
the load generator in a second process, so client and server compete for the machine's cores
as they would in a CI run. Load: upserts (`POST /companies`, a mix of creates and updates) and
lookups (`GET /companies?company_id=`), 2:1, with a fixed number of requests in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from _results import write_section

HOIST = str(Path(sys.executable).parent / "hoist")
HEADERS = {"Authorization": "Bearer bench", "Intercom-Version": "2.16"}


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(base_url: str, timeout_s: float = 20.0) -> None:
    """Poll the admin state route until the emulator answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/_emulator/state", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("emulator did not start")


def request_bytes(i: int, companies: int, port: int) -> bytes:
    """Request `i` of the load as raw HTTP/1.1: two upserts, then one lookup."""
    cid = f"bench-{i % companies}"
    auth = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
    head = f"Host: 127.0.0.1:{port}\r\n{auth}"
    if i % 3 == 2:
        return f"GET /companies?company_id={cid} HTTP/1.1\r\n{head}\r\n".encode()
    body = json.dumps({"company_id": cid, "name": f"Company {i}", "monthly_spend": i % 1000})
    return (
        f"POST /companies HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


async def drive_raw(port: int, total: int, concurrency: int, companies: int) -> float:
    """Like `drive`, but over bare keep-alive sockets: a client cheap enough not to be the
    bottleneck on 2 cores (httpx spends several times the server's CPU per request)."""
    counter = iter(range(total))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in counter:
            writer.write(request_bytes(i, companies, port))
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if status not in (200, 404):
                raise RuntimeError(f"unexpected status {status}")
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def drive(base_url: str, total: int, concurrency: int, companies: int) -> float:
    """Send `total` requests with `concurrency` in flight; return the elapsed seconds."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, limits=limits) as client:
        counter = iter(range(total))

        async def worker() -> None:
            for i in counter:
                cid = f"bench-{i % companies}"
                if i % 3 == 2:
                    response = await client.get("/companies", params={"company_id": cid})
                else:
                    body = {"company_id": cid, "name": f"Company {i}", "monthly_spend": i % 1000}
                    response = await client.post("/companies", json=body)
                if response.status_code not in (200, 404):
                    raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def main() -> int:
    """Start the emulator, warm it up, measure, record the figure in RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=15_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--companies", type=int, default=5_000)
    args = parser.parse_args()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([HOIST, "emulator", "--port", str(port)])
    try:
        wait_until_up(base_url)
        asyncio.run(drive(base_url, 500, args.concurrency, args.companies))  # warm-up
        elapsed = asyncio.run(drive_raw(port, args.requests, args.concurrency, args.companies))
        httpx_n = args.requests // 3
        httpx_s = asyncio.run(drive(base_url, httpx_n, args.concurrency, args.companies))
    finally:
        server.terminate()
        server.wait(timeout=10)
    rate, httpx_rate = args.requests / elapsed, httpx_n / httpx_s
    print(f"raw keep-alive client: {args.requests} requests in {elapsed:.2f} s: {rate:,.0f} req/s")
    print(f"httpx.AsyncClient: {httpx_n} requests in {httpx_s:.2f} s: {httpx_rate:,.0f} req/s")
    write_section(
        "emulator",
        "## Emulator throughput (`bench/emulator_throughput.py`)\n\n"
        "`hoist emulator` (uvicorn, 1 worker, httptools + uvloop) in one process, the load "
        f"generator in another, on {os.cpu_count()} cores ({platform.python_version()}). "
        f"{args.requests:,} requests, {args.concurrency} in flight: POST /companies upserts and "
        "GET /companies?company_id= lookups, 2:1; no rate limit, no latency. The headline "
        "figure uses a bare keep-alive socket client; httpx.AsyncClient needs more CPU per "
        "request than the server, so with it the client, not the emulator, is the limit.\n\n"
        f"| client | requests | requests/s |\n|---|---:|---:|\n"
        f"| raw keep-alive sockets | {args.requests:,} | {rate:,.0f} |\n"
        f"| httpx.AsyncClient | {httpx_n:,} | {httpx_rate:,.0f} |",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
