"""`hoist serve`'s metrics after real runs against the emulator, its --no-ui metrics server,
its JSON log lines, and the mistakes an operator can make with the new options."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
from prometheus_client.parser import text_string_to_metric_families

from hoist.config import ActivationConfig, parse_activation
from hoist.emulator.testing import EmulatorHandle
from hoist.intercom.limiter import RateLimiter
from hoist.observe.health import Health
from hoist.observe.metrics import Metrics
from hoist.observe.opsserver import OpsListen, create_ops_app, observing
from hoist.report import RunReport
from hoist.schedule.clock import ManualClock
from hoist.schedule.serve import engine_runner
from hoist.schedule.service import Service
from hoist.secret import Secret
from tests.harness.cli import run_hoist

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
TOKEN = "tok-observe-7f3a"


def config(folder: Path, base_url: str, schedule: str = "every 1h") -> ActivationConfig:
    """An activation of 3 companies over a DuckDB warehouse in `folder`."""
    con = duckdb.connect(str(folder / "w.duckdb"))
    con.execute(
        "CREATE OR REPLACE TABLE t AS SELECT 'c' || i AS id, 'Co ' || i AS name FROM range(3) r(i)"
    )
    con.close()
    data = {
        "name": "crm",
        "source": {"path": "w.duckdb"},
        "model": {"table": "t"},
        "destination": {"access_token": TOKEN, "base_url": base_url},
        "sync": {"insert": True, "company_id": "id", "mapping": {"name": "name"}},
        "schedule": schedule,
    }
    (folder / "crm.yml").write_text(json.dumps(data))
    return parse_activation(data, file=folder / "crm.yml")


def values(metrics: Metrics) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Sample values by name, then by sorted labels."""
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            found.setdefault(sample.name, {})[labels] = sample.value
    return found


def test_metrics_after_scheduled_runs_against_intercom(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """Two scheduled runs: 3 companies created then unchanged, calls counted, headroom read."""
    activation = config(tmp_path, emulator.base_url)
    limiters: dict[tuple[str, Secret], RateLimiter] = {}
    metrics = Metrics(lambda: limiters)
    for hours in (0, 2):  # the engine records real start times; the second run is due later
        service = Service(
            [activation],
            engine_runner(limiters=limiters),
            clock=ManualClock(datetime.now(UTC) + timedelta(hours=hours)),
            metrics=metrics,
        )
        asyncio.run(service.once())
    found = values(metrics)
    crm = (("activation", "crm"),)
    assert found["hoist_runs_total"] == {(*crm, ("status", "success")): 2}
    companies = found["hoist_companies_total"]
    assert companies[(*crm, ("outcome", "created"))] == 3
    assert companies[(*crm, ("outcome", "unchanged"))] == 3
    calls = found["hoist_api_calls_total"][crm]
    assert calls == sum(1 for r in emulator.emulator.requests() if not r.path.startswith("/_"))
    assert found["hoist_run_duration_seconds_count"][crm] == 2
    assert crm in found["hoist_last_success_timestamp_seconds"]
    [(labels, headroom)] = found["hoist_rate_limit_remaining"].items()
    assert dict(labels)["destination"] == emulator.base_url
    assert headroom > 0
    assert TOKEN not in metrics.exposition().decode()


def test_failed_runs_and_skipped_slots_are_counted(tmp_path: Path) -> None:
    """A run that cannot reach Intercom counts as failed; slots during a long run as skipped."""
    activation = config(tmp_path, "http://127.0.0.1:9", "every 10m")
    clock = ManualClock(START)
    metrics = Metrics()

    async def slow_failure(_: ActivationConfig) -> RunReport:
        await clock.sleep_until(clock.now() + timedelta(minutes=25))
        return RunReport(run_id="r1", activation="crm", status="failed", message="no Intercom")

    async def scenario() -> None:
        service = Service([activation], slow_failure, clock=clock, metrics=metrics)
        stop = asyncio.Event()
        loop = asyncio.create_task(service.serve(stop))
        await clock.advance(timedelta(minutes=26))
        stop.set()
        await clock.advance(timedelta(minutes=1))
        await asyncio.wait_for(loop, timeout=10)

    asyncio.run(scenario())
    runs = values(metrics)["hoist_runs_total"]
    assert runs == {
        (("activation", "crm"), ("status", "failed")): 1,
        (("activation", "crm"), ("status", "skipped")): 2,
    }
    assert "hoist_last_success_timestamp_seconds" not in values(metrics)


def free_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_no_ui_serves_the_ops_routes_on_the_metrics_port_while_scheduling() -> None:
    """--no-ui --metrics-port: the three routes answer over HTTP, and stop with serve."""
    port = free_port()
    health = Health(Metrics())

    async def scenario() -> tuple[int, int, str, int]:
        stop = asyncio.Event()
        async with (
            observing(health, stop, OpsListen(port=port)),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            for _ in range(200):  # the server starts in the background
                try:
                    await http.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            with health.scheduling():
                ready = (await http.get("/readyz")).status_code
                metrics = (await http.get("/metrics")).text
            not_ready = (await http.get("/readyz")).status_code
            foreign = (await http.get("/metrics", headers={"Host": "evil.example"})).status_code
        return ready, not_ready, metrics, foreign

    ready, not_ready, metrics, foreign = asyncio.run(scenario())
    assert (ready, not_ready, foreign) == (200, 503, 421)
    assert "hoist_scheduler_running 1.0" in metrics
    assert "hoist_event_loop_lag_seconds" in metrics
    with socket.socket() as probe:  # the server stopped with the block
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_metrics_port_asks_for_the_password_when_one_is_set() -> None:
    """--no-ui with a password: the ops routes answer 401 without it, 200 with it."""
    app = create_ops_app(Health(Metrics()), OpsListen(port=9600, password="pw-9"))

    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:9600") as http:
            refused = (await http.get("/metrics")).status_code
            allowed = (await http.get("/healthz", auth=("prometheus", "pw-9"))).status_code
        return refused, allowed

    assert asyncio.run(scenario()) == (401, 200)


def test_a_metrics_port_in_use_stops_serve_before_any_run(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """--metrics-port on a port another program holds: exit 2 naming the option; no call sent."""
    config(tmp_path, emulator.base_url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--no-ui", "--metrics-port", str(port), str(tmp_path / "crm.yml")]
        done = run_hoist(args)
    assert done.returncode == 2
    assert f"--metrics-port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "choose a free port" in done.stderr
    assert emulator.emulator.requests() == []


def test_serve_once_logs_one_json_object_per_line(tmp_path: Path, emulator: EmulatorHandle) -> None:
    """--log-format json: every stderr line parses; the run's line has its id and counts."""
    config(tmp_path, emulator.base_url)
    done = run_hoist(["serve", "--once", "--log-format", "json", str(tmp_path / "crm.yml")])
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert {"time", "level", "logger", "event", "message"} <= set(lines[0])
    [finished] = [line for line in lines if line["event"] == "run_finished"]
    assert finished["activation"] == "crm"
    assert finished["status"] == "success"
    assert len(finished["run_id"]) == 12
    assert finished["counts"]["created"] == 3
    assert finished["counts"]["api_calls"] > 0
    assert [line["event"] for line in lines].count("run_started") == 1
    assert TOKEN not in done.stderr


def test_metrics_port_is_refused_with_the_ui(tmp_path: Path) -> None:
    """With the UI, the routes are on its port: --metrics-port alone is a usage error."""
    done = run_hoist(["serve", "--metrics-port", "9100", str(tmp_path / "crm.yml")])
    assert done.returncode == 2
    assert "--metrics-port is for --no-ui" in done.stderr
    assert "UI's --port" in done.stderr


def test_metrics_port_beyond_loopback_needs_a_password(tmp_path: Path) -> None:
    """--no-ui --metrics-port on 0.0.0.0 without a password is refused, naming the fix."""
    args = ["serve", "--no-ui", "--metrics-port", "9100", "--host", "0.0.0.0"]
    done = run_hoist([*args, str(tmp_path / "crm.yml")], env={"HOIST_UI_PASSWORD": None})
    assert done.returncode != 0
    assert "--password or HOIST_UI_PASSWORD" in done.stderr


def test_an_unknown_log_format_is_refused(tmp_path: Path) -> None:
    """A typo in --log-format lists the formats there are."""
    done = run_hoist(["serve", "--once", "--log-format", "jsonl"])
    assert done.returncode == 2
    assert "'text', 'json'" in done.stderr or "text|json" in done.stderr
