"""Soak: `hoist serve --no-ui` for an hour under faults; does anything grow, is any slot lost?

A generated project of 10 activations on ``every 20s``, all to one destination limited to 300
calls per 10 s, over one Postgres model table (one shard of it each; activation ``a00`` keeps
warehouse-native state in that Postgres, the others local state). Meanwhile:

- the model changes every minute (5% of rows updated, 10 companies added);
- the emulator fails 5% of writes (500/503, seeded), adds a latency spike (1.5 s per call for
  15 s) every 2 minutes, answers every call with 429 for 30 s every 5 minutes, and is killed
  and restarted every 10 minutes: its HTTP server stops at once (connections cut, port
  refused) for 20 s, then serves again on the same port with the same workspace, as Intercom
  comes back after an outage with its data;
- every 10 s serve's RSS, open files and threads (from /proc, via psutil) and its event-loop
  lag (`hoist_event_loop_lag_seconds` from /metrics) are recorded.

At the end the faults stop, each activation runs once more cleanly, serve gets SIGTERM, and:
Intercom equals every model; no two runs of one activation overlapped; every 20 s slot ran or
was recorded `skipped` (no gap between consecutive starts longer than a period plus
`SLACK_S`); `hoist verify` finds nothing that state says was delivered missing or different in
Intercom (no confirmed write lost). Figures go to bench/RESULTS.md (section ``soak``), samples
to bench/.work/soak/samples.csv; the exit status is 1 if a check failed.

Run: python bench/soak.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import psutil
import uvicorn
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.harness.postgres_server

from hoist.emulator.config import EmulatorConfig
from hoist.emulator.emulator import Emulator
from hoist.emulator.uvicorn_server import uvicorn_config
from tests.harness.postgres_server import execute, running_postgres

from _results import write_section

WORK = Path(__file__).resolve().parent / ".work" / "soak"
HOIST = Path(sys.executable).with_name("hoist")
TOKEN = "soak-token"
ACTIVATIONS = 10
PERIOD_S = 20
ROWS_PER_SHARD = 100
#: How late a slot may start (a busy loop, a slow tick) before it counts as lost.
SLACK_S = 10.0
SAMPLE_EVERY_S = 10.0
#: Faults: (first at, every, lasting) in seconds from the start.
LATENCY = (45, 120, 15)
STORM = (90, 300, 30)
KILL = (130, 600, 20)
BASE = EmulatorConfig(
    token=TOKEN, rate_limit=300, window_s=10, latency_ms=20, fail_rate=0.05, seed=28
)


def _active(elapsed: float, fault: tuple[int, int, int]) -> bool:
    first, every, lasting = fault
    return elapsed >= first and (elapsed - first) % every < lasting


class EmulatorServer:
    """The emulator over HTTP on a fixed port, which can be killed and started again."""

    def __init__(self, emulator: Emulator, port: int) -> None:
        self.emulator, self.port = emulator, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def up(self) -> bool:
        """Whether it is serving."""
        return self._server is not None

    def start(self) -> None:
        """Serve on the port (again)."""
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", self.port))
        self._server = uvicorn.Server(uvicorn_config(self.emulator, "127.0.0.1", self.port))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)

    def kill(self) -> None:
        """Stop at once: open connections are cut, new ones refused."""
        assert self._server is not None
        assert self._thread is not None
        assert self._socket is not None
        self._server.should_exit = self._server.force_exit = True
        self._thread.join(30)
        self._socket.close()
        self._server = self._thread = self._socket = None


@dataclass
class Soak:
    """One soak run: its parts, and what it saw."""

    pg_url: str
    emulator: EmulatorServer
    minutes: float
    metrics_port: int
    samples: list[dict[str, float]] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=lambda: {"latency": 0, "storm": 0, "kill": 0})
    changes: int = 0

    def project(self) -> Path:
        """Write the project: the shared destination, the Postgres source, 10 activations."""
        parts = urlsplit(self.pg_url)
        host = parts.netloc.split("@")[1]
        url = f"postgresql://{parts.username}:${{SOAK_PGPASSWORD}}@{host}{parts.path}"
        activations = {
            f"a{i:02d}": {
                "source": "warehouse",
                "destination": "intercom",
                "model": {"sql": f"select * from soak.companies where shard = {i}"},
                "schedule": f"every {PERIOD_S}s",
                "sync": {
                    "insert": True,
                    "company_id": "id",
                    "mapping": {"name": "name"},
                    "custom_attributes": ["seats"],
                },
                **({"state": {"in_warehouse": True, "schema": "hoist"}} if i == 0 else {}),
            }
            for i in range(ACTIVATIONS)
        }
        base_url = f"http://127.0.0.1:{self.emulator.port}"
        document = {
            "destinations": {
                "intercom": {"access_token": "${INTERCOM_ACCESS_TOKEN}", "base_url": base_url}
            },
            "sources": {"warehouse": {"type": "postgres", "url": url}},
            "activations": activations,
        }
        WORK.mkdir(parents=True, exist_ok=True)
        (WORK / "hoist.yml").write_text(yaml.safe_dump(document, sort_keys=False))
        return WORK

    def environment(self) -> dict[str, str]:
        """The variables the project names."""
        password = quote(unquote(urlsplit(self.pg_url).password or ""), safe="")
        return {**os.environ, "INTERCOM_ACCESS_TOKEN": TOKEN, "SOAK_PGPASSWORD": password}

    def build_model(self) -> None:
        """soak.companies: `ROWS_PER_SHARD` companies per activation."""
        execute(self.pg_url, "CREATE SCHEMA soak")
        execute(
            self.pg_url,
            "CREATE TABLE soak.companies AS SELECT 'c-' || i AS id, i % "
            f"{ACTIVATIONS} AS shard, 'Company ' || i AS name, i % 50 AS seats "
            f"FROM generate_series(0, {ACTIVATIONS * ROWS_PER_SHARD} - 1) AS t(i)",
        )

    def change_model(self) -> None:
        """Update 5% of the rows and add 10 companies."""
        self.changes += 1
        execute(
            self.pg_url,
            "UPDATE soak.companies SET seats = seats + 1, "
            f"name = 'Company ' || id || ' v{self.changes}' WHERE random() < 0.05",
        )
        start = ACTIVATIONS * ROWS_PER_SHARD + (self.changes - 1) * 10
        execute(
            self.pg_url,
            f"INSERT INTO soak.companies SELECT 'c-' || i, i % {ACTIVATIONS}, 'Company ' || i, 1 "
            f"FROM generate_series({start}, {start + 9}) AS t(i)",
        )

    def apply_faults(self, elapsed: float, was: dict[str, bool]) -> None:
        """Turn each fault on or off as the timeline says; count each one started."""
        now = {
            "latency": _active(elapsed, LATENCY),
            "storm": _active(elapsed, STORM),
            "kill": _active(elapsed, KILL),
        }
        for name, on in now.items():
            if on and not was.get(name):
                self.faults[name] += 1
        if now["kill"] and self.emulator.up:
            self.emulator.kill()
        elif not now["kill"] and not self.emulator.up:
            self.emulator.start()
        if now["latency"] != bool(was.get("latency")):
            self.emulator.emulator.configure(latency_ms=1500 if now["latency"] else BASE.latency_ms)
        if now["storm"] != bool(was.get("storm")):
            # Only on a change: a new limit starts a fresh window.
            self.emulator.emulator.configure(rate_limit=0 if now["storm"] else BASE.rate_limit)
        was.update(now)

    def sample(self, serve: psutil.Process, elapsed: float) -> None:
        """Record serve's RSS, open files, threads and event-loop lag."""
        metrics = self.scrape()
        self.samples.append(
            {
                "elapsed_s": round(elapsed, 1),
                "rss_mb": round(serve.memory_info().rss / 2**20, 1),
                "open_files": serve.num_fds(),
                "threads": serve.num_threads(),
                "loop_lag_ms": round(metrics.get("hoist_event_loop_lag_seconds", 0.0) * 1000, 1),
            }
        )

    def scrape(self) -> dict[str, float]:
        """/metrics of serve, summed by metric name (labels dropped); empty if unreachable."""
        try:
            text = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        except httpx.HTTPError:
            return {}
        found: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                key = name.split("{")[0]
                found[key] = found.get(key, 0.0) + float(value)
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_metrics(soak: Soak, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not soak.scrape():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"hoist serve did not start; see {WORK / 'serve.log'}")
        time.sleep(0.5)


def drive(soak: Soak, process: subprocess.Popen[bytes]) -> float:
    """The faulty phase, then a clean one until every activation succeeded again.

    Returns the Unix time the clean phase began.
    """
    serve = psutil.Process(process.pid)
    started = time.monotonic()
    end = started + soak.minutes * 60
    was: dict[str, bool] = {}
    next_sample = next_change = started
    while (now := time.monotonic()) < end:
        if process.poll() is not None:
            raise RuntimeError(f"hoist serve exited ({process.returncode}); see serve.log")
        soak.apply_faults(now - started, was)
        if now >= next_sample:
            soak.sample(serve, now - started)
            next_sample += SAMPLE_EVERY_S
        if now >= next_change + 60:
            soak.change_model()
            next_change = now
        time.sleep(0.5)
    soak.apply_faults(-1.0, was)  # before the first fault: all off, the server up
    clean = time.time()
    # A success ending after `clean` may have read the model before its last change; the next
    # one started after it ended (runs never overlap), so after the change.
    for _ in range(2):
        since = time.time()
        deadline = time.monotonic() + 300
        while not _all_succeeded_since(soak, since):
            if time.monotonic() > deadline:
                raise RuntimeError("not every activation succeeded within 5 minutes")
            time.sleep(2)
    soak.sample(serve, time.monotonic() - started)
    return clean


def _all_succeeded_since(soak: Soak, moment: float) -> bool:
    try:
        text = httpx.get(f"http://127.0.0.1:{soak.metrics_port}/metrics", timeout=5).text
    except httpx.HTTPError:
        return False
    last = {}
    for line in text.splitlines():
        if line.startswith("hoist_last_success_timestamp_seconds{"):
            name = line.split('activation="')[1].split('"')[0]
            last[name] = float(line.rpartition(" ")[2])
    return len(last) == ACTIVATIONS and all(at > moment for at in last.values())


def _hoist_json(soak: Soak, *args: str) -> Any:
    done = subprocess.run(
        [str(HOIST), *args, "--json"],
        cwd=WORK,
        env=soak.environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(done.stdout)


def check(soak: Soak, serve_started: float, serve_stopped: float) -> dict[str, list[str]]:
    """The end-of-soak checks: each name with its problems (none: passed)."""
    problems: dict[str, list[str]] = {
        "Intercom equals every model": _compare(soak),
        "no overlapping runs": [],
        "every slot ran or was skipped": [],
        "no confirmed write lost": [],
    }
    for i in range(ACTIVATIONS):
        name = f"a{i:02d}"
        runs = _hoist_json(soak, "runs", name, "--limit", "100000")
        problems["no overlapping runs"] += _overlaps(name, runs)
        problems["every slot ran or was skipped"] += _gaps(name, runs, serve_started, serve_stopped)
        report = _hoist_json(soak, "verify", name)
        if report.get("missing") or report.get("drifted"):
            problems["no confirmed write lost"].append(
                f"{name}: {len(report['missing'])} missing, {len(report['drifted'])} drifted"
            )
    return problems


def _compare(soak: Soak) -> list[str]:
    rows = execute(soak.pg_url, "SELECT id, name, seats FROM soak.companies")
    expected = {row[0]: (row[1], row[2]) for row in rows}
    held = {
        c["company_id"]: (c["name"], c["custom_attributes"].get("seats"))
        for c in soak.emulator.emulator.companies()
    }
    wrong = sorted(cid for cid in expected if held.get(cid) != expected[cid])
    extra = sorted(set(held) - set(expected))
    found = [f"{len(wrong)} companies differ, e.g. {wrong[:3]}"] if wrong else []
    return found + ([f"{len(extra)} companies not in any model"] if extra else [])


def _times(runs: list[dict[str, Any]], key: str) -> list[datetime]:
    return [datetime.fromisoformat(str(run[key])) for run in runs]


def _overlaps(name: str, runs: list[dict[str, Any]]) -> list[str]:
    real = sorted(
        (run for run in runs if run["status"] != "skipped"), key=lambda r: str(r["started_at"])
    )
    starts, ends = _times(real, "started_at"), _times(real, "finished_at")
    return [
        f"{name}: run {real[k]['run_id']} ended after {real[k + 1]['run_id']} started"
        for k in range(len(real) - 1)
        if ends[k] > starts[k + 1]
    ]


def _gaps(name: str, runs: list[dict[str, Any]], first: float, last: float) -> list[str]:
    starts = sorted(t.timestamp() for t in _times(runs, "started_at"))
    edges = [first, *starts, last]
    return [
        f"{name}: no run or skipped slot for {b - a:.0f} s after "
        f"{datetime.fromtimestamp(a).isoformat(timespec='seconds')}"
        for a, b in itertools.pairwise(edges)
        if b - a > PERIOD_S + SLACK_S
    ]


def _slope_per_hour(samples: list[dict[str, float]], key: str) -> float:
    """The least-squares trend of `key` per hour: growth, not the ups and downs of runs."""
    xs = [s["elapsed_s"] / 3600 for s in samples]
    ys = [s[key] for s in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs) or 1.0
    return round(sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread, 2)


def figures(soak: Soak) -> dict[str, float]:
    """RSS growth after the first 5 minutes, the spread and trend of open files and threads."""
    settled = [s for s in soak.samples if s["elapsed_s"] >= min(300, soak.minutes * 30)]
    rss = [s["rss_mb"] for s in settled]
    lags = [s["loop_lag_ms"] for s in soak.samples]
    return {
        "rss_trend_mb_per_h": _slope_per_hour(settled, "rss_mb"),
        "open_files_trend_per_h": _slope_per_hour(settled, "open_files"),
        "threads_trend_per_h": _slope_per_hour(settled, "threads"),
        "rss_at_5min_mb": rss[0],
        "rss_end_mb": rss[-1],
        "rss_growth_mb": round(rss[-1] - rss[0], 1),
        "rss_max_mb": max(rss),
        "open_files_min": min(s["open_files"] for s in settled),
        "open_files_max": max(s["open_files"] for s in settled),
        "threads_min": min(s["threads"] for s in settled),
        "threads_max": max(s["threads"] for s in settled),
        "loop_lag_p50_ms": sorted(lags)[len(lags) // 2],
        "loop_lag_max_ms": max(lags),
    }


def write_results(soak: Soak, found: dict[str, float], problems: dict[str, list[str]]) -> None:
    """The figures and checks, to bench/RESULTS.md."""
    checks = "\n".join(
        f"| {name} | {'passed' if not issues else 'FAILED: ' + '; '.join(issues[:3])} |"
        for name, issues in problems.items()
    )
    write_section(
        "soak",
        f"""
## Soak under faults (`bench/soak.py --minutes {soak.minutes:g}`)

`hoist serve --no-ui` with 10 activations `every {PERIOD_S}s` to one destination limited to 300
calls / 10 s (one with warehouse-native state on Postgres), the model changing every minute
({soak.changes} changes), 5% of writes failing, {soak.faults["latency"]} latency spikes,
{soak.faults["storm"]} 429 storms and {soak.faults["kill"]} emulator kills. Samples every
{SAMPLE_EVERY_S:g} s; "settled" is from minute 5 on. Machine: 2 cores shared with other jobs.

| figure | value |
|---|---:|
| RSS at 5 min / at the end / max | {found["rss_at_5min_mb"]} / {found["rss_end_mb"]} / \
{found["rss_max_mb"]} MB |
| RSS growth after 5 min (goal < 20 MB) | {found["rss_growth_mb"]} MB |
| RSS trend, settled (least squares) | {found["rss_trend_mb_per_h"]} MB/h |
| open files, settled (min-max; trend) | {found["open_files_min"]:g}-{found["open_files_max"]:g}; \
{found["open_files_trend_per_h"]}/h |
| threads, settled (min-max; trend) | {found["threads_min"]:g}-{found["threads_max"]:g}; \
{found["threads_trend_per_h"]}/h |
| event-loop lag, median / max | {found["loop_lag_p50_ms"]} / {found["loop_lag_max_ms"]} ms |

| end-of-soak check | result |
|---|---|
{checks}
""",
    )


def main() -> None:
    """Run the soak; exit 1 if a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args()
    with running_postgres() as pg:
        emulator = EmulatorServer(Emulator(BASE), _free_port())
        emulator.start()
        soak = Soak(pg.url(), emulator, args.minutes, _free_port())
        soak.build_model()
        folder = soak.project()
        for stale in folder.glob(".hoist*"):
            subprocess.run(["rm", "-rf", str(stale)], check=True)
        command = [str(HOIST), "serve", "--no-ui", "--log-format", "json"]
        command += ["--metrics-port", str(soak.metrics_port)]
        with (folder / "serve.log").open("wb") as log:
            process = subprocess.Popen(
                command, cwd=folder, env=soak.environment(), stdout=log, stderr=log
            )
            try:
                _wait_for_metrics(soak, process)
                serve_started = time.time()  # the schedules start before /metrics answers
                drive(soak, process)
                totals = soak.scrape()
            finally:
                serve_stopped = time.time()  # no run starts after SIGTERM
                process.send_signal(signal.SIGTERM)
                process.wait(300)
        problems = check(soak, serve_started, serve_stopped)
        found = figures(soak)
        emulator.kill()
    with (WORK / "samples.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(soak.samples[0]))
        writer.writeheader()
        writer.writerows(soak.samples)
    write_results(soak, found, problems)
    summary = {"figures": found, "faults": soak.faults, "changes": soak.changes}
    summary["metrics"] = {
        k: v
        for k, v in totals.items()
        if k.startswith(("hoist_runs", "hoist_rate_limited", "hoist_api_calls"))
        and not k.endswith("_created")
    }
    summary["checks"] = problems
    print(json.dumps(summary, indent=2))
    sys.exit(1 if any(problems.values()) else 0)


if __name__ == "__main__":
    main()
