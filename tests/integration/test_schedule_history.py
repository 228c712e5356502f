"""The scheduler and the run history: skipped slots and early failures recorded, status read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

import hoist
from hoist.config import ActivationConfig, parse_activation
from hoist.errors import ConfigError, FatalDestinationError
from hoist.report import RunReport
from hoist.schedule.clock import ManualClock
from hoist.schedule.serve import engine_runner, serve
from hoist.schedule.service import Service
from hoist.schedule.status import schedule_status
from hoist.state import StateStore
from tests.harness.receiver import WebhookReceiver

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def config(folder: Path, base_url: str, schedule: str, **extra: Any) -> ActivationConfig:
    """An activation over a small DuckDB warehouse in `folder`."""
    con = duckdb.connect(str(folder / "w.duckdb"))
    con.execute(
        "CREATE OR REPLACE TABLE t AS SELECT 'c' || i AS id, 'Co ' || i AS name FROM range(3) r(i)"
    )
    con.close()
    data = {
        "name": "hourly",
        "source": {"path": "w.duckdb"},
        "model": {"table": "t"},
        "destination": {"access_token": "tok", "base_url": base_url},
        "sync": {"company_id": "id", "mapping": {"name": "name"}},
        "schedule": schedule,
        **extra,
    }
    return parse_activation(data, file=folder / "activation.yml")


def test_status_of_a_never_run_activation_is_due_now(tmp_path: Path) -> None:
    """No history: the UI shows the schedule, a next run of now, and no last status."""
    [status] = schedule_status([config(tmp_path, "http://127.0.0.1:9", "0 * * * *")], now=START)
    assert (status.schedule, status.timezone) == ("0 * * * *", "UTC")
    assert status.next_run == START
    assert status.last_status is None


def test_status_after_a_run_shows_its_outcome_and_the_next_slot(
    tmp_path: Path, emulator: Any
) -> None:
    """After a real run, the next run is the slot after its start, and the status is success."""
    activation = config(tmp_path, emulator.base_url, "0 * * * *", timezone="Europe/Berlin")
    report = hoist.run(activation)
    [status] = schedule_status([activation])
    assert status.last_status == report.status == "success"
    assert status.last_run_at is not None
    assert status.next_run is not None
    assert status.next_run.minute == 0
    assert timedelta(0) < status.next_run - status.last_run_at <= timedelta(hours=1)


def test_skipped_slots_are_recorded_in_the_history_after_the_run(tmp_path: Path) -> None:
    """A 25-minute run on a 10-minute schedule leaves two skipped runs in `hoist runs`."""
    activation = config(tmp_path, "http://127.0.0.1:9", "every 10m")
    clock = ManualClock(START)

    async def slow_run(_: ActivationConfig) -> RunReport:
        await clock.sleep_until(clock.now() + 25 * MINUTE)
        return RunReport(run_id="r1", activation="hourly", status="success")

    async def scenario() -> None:
        service = Service([activation], slow_run, clock=clock)
        stop = asyncio.Event()
        loop = asyncio.create_task(service.serve(stop))
        await clock.advance(26 * MINUTE)
        stop.set()
        await clock.advance(MINUTE)
        await asyncio.wait_for(loop, timeout=10)

    asyncio.run(scenario())
    runs = hoist.runs(activation)
    assert [run["status"] for run in runs] == ["skipped", "skipped"]
    assert [run["started_at"] for run in runs] == [START + 20 * MINUTE, START + 10 * MINUTE]
    assert all("still going" in run["message"] for run in runs)


def test_a_run_that_raised_is_recorded_and_recovered_is_sent_after_a_restart(
    tmp_path: Path, webhook_receiver: WebhookReceiver
) -> None:
    """A failure the engine could not record enters the history; a new serve then sees it."""
    alerts = [{"webhook": webhook_receiver.url}]
    activation = config(tmp_path, "http://127.0.0.1:9", "every 1h", alerts=alerts)

    async def refused(_: ActivationConfig) -> RunReport:
        raise FatalDestinationError("unauthorized: token tok is invalid", status=401)

    async def accepted(_: ActivationConfig) -> RunReport:
        return RunReport(run_id="r2", activation="hourly", status="success", created=3)

    asyncio.run(Service([activation], refused, clock=ManualClock(START)).once())
    [failed] = hoist.runs(activation)
    assert failed["status"] == "failed"
    assert "401" in failed["message"]
    later = ManualClock(START + timedelta(hours=2))
    asyncio.run(Service([activation], accepted, clock=later).once())
    assert webhook_receiver.events() == ["failed", "recovered"]
    assert "token *** is invalid" in webhook_receiver.bodies[0]["text"]  # the token is redacted


def test_a_run_refused_by_a_state_lock_is_skipped_without_alert(
    tmp_path: Path, emulator: Any, webhook_receiver: WebhookReceiver
) -> None:
    """While another process holds the state, a due run is skipped: no alert, no history."""
    alerts = [{"webhook": webhook_receiver.url}]
    activation = config(tmp_path, emulator.base_url, "every 1h", alerts=alerts)
    with StateStore.open(activation.state.path):  # a `hoist run` by hand, still going
        reports = asyncio.run(Service([activation], engine_runner()).once())
    assert reports == {"hourly": None}
    assert webhook_receiver.attempts == 0
    assert hoist.runs(activation) == []


def test_serve_refuses_two_activations_with_one_name(tmp_path: Path) -> None:
    """Two files naming the same activation would share alerts and status: a config error."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = config(tmp_path / "a", "http://127.0.0.1:9", "every 1h")
    second = config(tmp_path / "b", "http://127.0.0.1:9", "every 2h")
    with pytest.raises(ConfigError, match="has this name") as caught:
        serve([first, second], once=True)
    assert caught.value.key == "name"


def test_serve_refuses_activations_without_any_schedule(tmp_path: Path) -> None:
    """Serving only unscheduled activations would do nothing: the error says what to add."""
    unscheduled = config(tmp_path, "http://127.0.0.1:9", "every 1h").model_copy(
        update={"schedule": None}
    )
    with pytest.raises(ConfigError, match=r"add e\.g\. schedule"):
        serve([unscheduled])


def test_serve_once_runs_the_due_activations_in_process(tmp_path: Path, emulator: Any) -> None:
    """`serve(once=True)` runs each due activation through the engine, then nothing is due."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = config(tmp_path / "a", emulator.base_url, "every 1h")
    second = config(tmp_path / "b", emulator.base_url, "0 * * * *").model_copy(
        update={"name": "second"}
    )
    reports = serve([first, second], once=True)
    assert {name: r.status if r else None for name, r in reports.items()} == {
        "hourly": "success",
        "second": "success",
    }
    assert serve([first, second], once=True) == {}
    assert len(emulator.emulator.companies()) == 3  # both models hold the same three companies


def test_serve_logs_a_missed_slot_as_due_now_not_in_the_past(
    tmp_path: Path, emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An activation whose last run is days old is logged at start-up as "next run now"."""
    from hoist.schedule.serve import _log_plan

    activation = config(tmp_path, emulator.base_url, "every 1h")
    hoist.run(activation)
    clock = ManualClock(datetime.now(UTC) + timedelta(days=3))

    async def never(_: ActivationConfig) -> RunReport:
        raise AssertionError("nothing runs here")

    with caplog.at_level("INFO", logger="hoist.schedule"):
        _log_plan(Service([activation], never, clock=clock), [activation])

    assert "hourly: every 1h, next run now" in caplog.text
