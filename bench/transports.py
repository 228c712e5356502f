"""Client CPU per request for the HTTP clients hoist could send with (issue 16's comparison).

Each variant runs in its own child process (so one variant's imports cannot help another) and
sends the same N `POST /companies` upserts with 64 in flight to a `hoist emulator` process with
no latency and no rate limit; the child reports its own CPU time (`time.process_time`) for the
sending alone, excluding imports. CPU time is robust to other load on a shared machine; the
requests/s column is not.

Variants: httpx's default transport (with `sniffio` hidden, as on main before issue 16, and
with it installed), httpx over `httpx-aiohttp`'s aiohttp transport, and aiohttp alone; each on
asyncio's default loop, and the aiohttp ones also on uvloop (httpx's default transport failed on
uvloop with ReadErrors here).

Run: python bench/transports.py [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from throughput import TOKEN, emulator

from _results import write_section

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Intercom-Version": "2.16"}
IN_FLIGHT = 64
VARIANTS = {
    "httpx, no sniffio": "httpx-nosniffio",
    "httpx": "httpx",
    "httpx + httpx-aiohttp transport": "httpx-aiohttp",
    "aiohttp": "aiohttp",
}


def body(i: int) -> dict[str, Any]:
    """The upsert body of request `i`."""
    return {"company_id": f"t-{i}", "name": f"Company {i}", "monthly_spend": i % 9000}


async def pump(total: int, send: Callable[[int], Awaitable[None]]) -> None:
    """Call `send(i)` for every i, with `IN_FLIGHT` calls at a time."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await send(i)

    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))


async def with_httpx(url: str, total: int, transport: Any = None) -> None:
    """Send through an httpx.AsyncClient, tuned as hoist's."""
    import httpx

    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, limits=limits, transport=transport, timeout=120
    ) as client:

        async def send(i: int) -> None:
            response = await client.post("/companies", json=body(i))
            response.raise_for_status()
            response.json()

        await pump(total, send)


async def with_aiohttp(url: str, total: int) -> None:
    """Send through an aiohttp.ClientSession."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
    async with aiohttp.ClientSession(url, headers=HEADERS, connector=connector) as session:

        async def send(i: int) -> None:
            async with session.post("/companies", json=body(i)) as response:
                response.raise_for_status()
                await response.json()

        await pump(total, send)


def child(variant: str, loop: str, url: str, total: int) -> None:
    """In the child process: send `total` requests, print CPU and wall seconds as JSON."""
    if variant == "httpx-nosniffio":
        sys.modules["sniffio"] = None  # type: ignore[assignment]  # import fails, as if absent
    if variant == "aiohttp":

        def run(n: int) -> Awaitable[None]:
            return with_aiohttp(url, n)
    elif variant == "httpx-aiohttp":
        from httpx_aiohttp import AiohttpTransport

        run = lambda n: with_httpx(url, n, AiohttpTransport())  # noqa: E731
    else:
        run = lambda n: with_httpx(url, n)  # noqa: E731
    runner: Callable[[Awaitable[None]], None] = asyncio.run  # type: ignore[assignment]
    if loop == "uvloop":
        import uvloop

        runner = uvloop.run  # type: ignore[assignment]
    runner(run(200))  # warm-up: imports, connections
    cpu, wall = time.process_time(), time.perf_counter()
    runner(run(total))
    print(json.dumps({"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall}))


def measure(variant: str, loop: str, url: str, total: int) -> dict[str, float]:
    """Run one variant in a fresh interpreter; its CPU and wall seconds."""
    args = [sys.executable, __file__, "--child", variant, loop, url, str(total)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{variant} on {loop} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main() -> None:
    """Measure every variant, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, loop, url, total = args.child
        child(variant, loop, url, int(total))
        return
    rows = []
    with emulator() as url:
        for name, variant in VARIANTS.items():
            # httpcore's anyio backend failed on uvloop here (ReadError): httpx on asyncio only.
            for loop in ("asyncio", "uvloop") if "aiohttp" in variant else ("asyncio",):
                f = measure(variant, loop, url, args.requests)
                ms = 1000 * f["cpu_s"] / args.requests
                print(f"{name:35} {loop:8} {ms:.3f} ms CPU/request", flush=True)
                rate = args.requests / f["wall_s"]
                rows.append(f"| {name} | {loop} | {ms:.3f} | {rate:,.0f} |")
    write_section(
        "transports",
        "## HTTP clients compared (`bench/transports.py`)\n\n"
        f"{args.requests:,} `POST /companies` with {IN_FLIGHT} in flight to `hoist emulator` "
        "(another process, no latency); CPU of the client process while sending, from "
        "`time.process_time`. requests/s depends on the emulator and on other load (the "
        "machine is shared); CPU per request does not.\n\n"
        "| client | event loop | client CPU ms / request | requests/s |\n|---|---|---:|---:|\n"
        + "\n".join(rows),
    )


if __name__ == "__main__":
    main()
