"""Throughput against Intercom's rate limit, and against what a user would write instead.

1. Rate-limit utilisation: N changed companies (default 20,000), emulator limit 500 calls per
   10 s and 30 ms latency: achieved calls/s ÷ the limit's calls/s, share of 429s, correctness.
2. hoist vs a plain loop over Intercom's official Python SDK (`companies.create_or_update`,
   one after another): the same N companies, 30 ms latency, no rate limit, wall-clock ratio.

Both drive a real `hoist emulator` process over HTTP and run `hoist run` as a user would.
Run: python bench/throughput.py [--companies N] [--only utilisation|sdk]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import httpx
import yaml

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "throughput"
BIN = Path(sys.executable).parent
TOKEN = "bench-token"


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def emulator(*options: str) -> Iterator[str]:
    """A `hoist emulator` process; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "hoist"), "emulator", "--port", str(port), "--token", TOKEN, *options]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a loaded machine can take a while to start it
        while True:
            try:
                httpx.get(f"{url}/_emulator/state", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def build_model(folder: Path, companies: int) -> None:
    """A warehouse with `companies` rows, and an activation file pointing at it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    con.execute(
        f"""
        CREATE TABLE companies AS
        SELECT 'acct-' || i AS id, 'Company ' || i AS name,
               ['Starter', 'Pro'][1 + i % 2] AS plan, (i % 9000)::INTEGER AS mrr,
               (i % 300)::INTEGER AS seats
        FROM range({companies}) t(i)
        """
    )
    con.close()


def write_activation(folder: Path, base_url: str) -> Path:
    """The activation the benchmark runs."""
    document = {
        "name": "throughput",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": "${BENCH_TOKEN}", "base_url": base_url},
        "sync": {
            "company_id": "id",
            "mapping": {"name": "name", "plan": "plan", "monthly_spend": "mrr"},
            "custom_attributes": ["seats"],
        },
    }
    file = folder / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    return file


def hoist_run(file: Path) -> dict[str, Any]:
    """`hoist run FILE --json` as a user would run it; the parsed report."""
    env = {**os.environ, "BENCH_TOKEN": TOKEN}
    done = subprocess.run(
        [str(BIN / "hoist"), "run", str(file), "--json"], capture_output=True, text=True, env=env
    )
    if not done.stdout:
        raise SystemExit(f"hoist run failed: {done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def emulator_companies(url: str) -> dict[str, dict[str, Any]]:
    """The emulator's companies by company_id."""
    state = httpx.get(f"{url}/_emulator/state", timeout=60).json()
    return {c["company_id"]: c for c in state["companies"]}


def emulator_requests(url: str) -> list[dict[str, Any]]:
    """The emulator's request log."""
    data = httpx.get(f"{url}/_emulator/requests", timeout=60).json()
    return list(data["requests"] if isinstance(data, dict) else data)


def all_correct(url: str, companies: int) -> bool:
    """Whether every model company is in the emulator with its model values."""
    held = emulator_companies(url)
    return len(held) == companies and all(
        held[f"acct-{i}"]["name"] == f"Company {i}"
        and held[f"acct-{i}"]["monthly_spend"] == i % 9000
        and held[f"acct-{i}"]["custom_attributes"].get("seats") == i % 300
        for i in range(companies)
    )


def utilisation(companies: int, limit: int = 500, latency_ms: int = 30) -> dict[str, Any]:
    """Benchmark 1: how close a run gets to the rate limit, and how many 429s it causes."""
    folder = WORK / "utilisation"
    build_model(folder, companies)
    with emulator("--rate-limit", str(limit), "--latency-ms", str(latency_ms)) as url:
        report = hoist_run(write_activation(folder, url))
        log = emulator_requests(url)
        correct = all_correct(url, companies)
    too_many = sum(1 for r in log if r["status"] == 429)
    writes = [r for r in log if r["method"] == "POST" and r["path"] == "/companies"]
    span = max(r["time"] for r in writes) - min(r["time"] for r in writes)
    allowed_per_s = limit / 10
    return {
        "companies": companies,
        "calls": report["api_calls"],
        "duration_s": report["duration_s"],
        "run_utilisation": report["api_calls"] / report["duration_s"] / allowed_per_s,
        "send_utilisation": len(writes) / span / allowed_per_s if span else 0.0,
        "429s": too_many,
        "429_share": too_many / max(len(log), 1),
        "correct": correct,
        "status": report["status"],
    }


def sdk_loop(url: str, companies: int) -> float:
    """Seconds for the official SDK to upsert every company, one after another."""
    from intercom import CreateOrUpdateCompanyRequest, Intercom

    client = Intercom(token=TOKEN, base_url=url, headers={"Intercom-Version": "2.16"})
    start = time.perf_counter()
    for i in range(companies):
        client.companies.create_or_update(
            request=CreateOrUpdateCompanyRequest(
                company_id=f"acct-{i}",
                name=f"Company {i}",
                plan=["Starter", "Pro"][i % 2],
                monthly_spend=i % 9000,
                custom_attributes={"seats": i % 300},
            )
        )
    return time.perf_counter() - start


def sdk_versus_hoist(companies: int, latency_ms: int = 30) -> dict[str, Any]:
    """Benchmark 2: wall clock of the SDK loop vs `hoist run`, same emulator, no rate limit."""
    folder = WORK / "sdk"
    build_model(folder, companies)
    with emulator("--latency-ms", str(latency_ms)) as url:
        # The SDK cannot create custom attributes implicitly; create `seats` as hoist would.
        httpx.post(
            f"{url}/data_attributes",
            json={"name": "seats", "model": "company", "data_type": "integer"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).raise_for_status()
        sdk_s = sdk_loop(url, companies)
        sdk_correct = all_correct(url, companies)
        httpx.post(f"{url}/_emulator/reset", timeout=60).raise_for_status()
        start = time.perf_counter()
        report = hoist_run(write_activation(folder, url))
        hoist_s = time.perf_counter() - start
        hoist_correct = all_correct(url, companies)
    return {
        "companies": companies,
        "sdk_s": sdk_s,
        "hoist_s": hoist_s,
        "speedup": sdk_s / hoist_s,
        "correct": sdk_correct and hoist_correct,
        "status": report["status"],
    }


def main() -> None:
    """Run the chosen benchmarks, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--only", choices=["utilisation", "sdk"])
    args = parser.parse_args()
    if args.only in (None, "utilisation"):
        u = utilisation(args.companies)
        print(json.dumps(u, indent=2))
        write_section(
            "utilisation",
            "## Rate-limit utilisation (`bench/throughput.py --only utilisation`)\n\n"
            f"{u['companies']:,} changed companies; emulator limit 500 calls / 10 s, 30 ms "
            "latency; `hoist run` as a user runs it.\n\n"
            "| figure | value |\n|---|---:|\n"
            f"| API calls | {u['calls']:,} |\n"
            f"| run duration | {u['duration_s']:.1f} s |\n"
            f"| utilisation over the whole run (calls/s ÷ 50/s) | {u['run_utilisation']:.3f} |\n"
            f"| utilisation while sending (writes/s ÷ 50/s) | {u['send_utilisation']:.3f} |\n"
            f"| 429 responses | {u['429s']} ({u['429_share']:.2%} of calls) |\n"
            f"| every company correct at the end | {u['correct']} |",
        )
    if args.only in (None, "sdk"):
        s = sdk_versus_hoist(args.companies)
        print(json.dumps(s, indent=2))
        write_section(
            "sdk",
            "## hoist vs a loop over the official SDK (`bench/throughput.py --only sdk`)\n\n"
            f"{s['companies']:,} companies, emulator with 30 ms latency and no rate limit; "
            "`python-intercom` 5.0.1 `companies.create_or_update` one after another vs "
            "`hoist run` (process start to exit, including reading the model).\n\n"
            "| | wall clock |\n|---|---:|\n"
            f"| SDK loop | {s['sdk_s']:.1f} s |\n| hoist run | {s['hoist_s']:.1f} s |\n"
            f"| ratio | {s['speedup']:.1f}x faster |\n\n"
            f"Every company correct in both: {s['correct']}.",
        )


if __name__ == "__main__":
    main()
