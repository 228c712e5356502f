"""`hoist serve` follows the project's files: a schedule added or removed in a file applies
within seconds without a restart, and the UI shows a next run only for what is scheduled."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from hoist.config import ActivationConfig
from hoist.emulator.testing import EmulatorHandle
from hoist.report import RunReport
from hoist.schedule.reload import ProjectWatch, follow, project_activations
from hoist.schedule.service import Service
from tests.harness.cli import run_hoist
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, add_activation, add_project_definitions


class Started:
    """A run function that only notes which activation it was asked to run."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.ran = asyncio.Event()

    async def __call__(self, config: ActivationConfig) -> RunReport:
        self.names.append(config.name)
        self.ran.set()
        return RunReport(run_id="r1", activation=config.name, status="success")


async def serve_following(root: Path, change: Path, text: str) -> tuple[Started, Service]:
    """Serve the project's schedules, write `text` into `change`, wait for the first run."""
    started, stop = Started(), asyncio.Event()
    service = Service(project_activations(root), started)
    following = asyncio.gather(
        service.serve(stop, idle=True),
        follow(
            service, ProjectWatch(root), stop, lambda: project_activations(root), interval_s=0.05
        ),
    )
    await asyncio.sleep(0.1)
    change.write_text(text, encoding="utf-8")
    try:
        await asyncio.wait_for(started.ran.wait(), timeout=60)
    finally:
        stop.set()
        await following
    return started, service


def test_a_schedule_added_to_a_file_runs_without_a_restart(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An activation given a schedule while serving (by an editor) is held and run at once
    (it never ran), the way a new activation is at start-up."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    add_project_definitions(project, "http://127.0.0.1:9")
    add_activation(project, "eu-to-intercom")
    file = project / "activations" / "eu-to-intercom.yml"
    document = yaml.safe_load(file.read_text())
    text = yaml.safe_dump({**document, "schedule": "every 1h"})
    started, service = asyncio.run(serve_following(project, file, text))
    assert started.names == ["eu-to-intercom"]
    assert set(service.next_runs()) == {"eu-to-intercom"}


def test_a_schedule_removed_from_a_file_is_no_longer_held(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing an activation's schedule drops it from the scheduler; another one added in
    the same change is held."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    add_project_definitions(project, "http://127.0.0.1:9")
    add_activation(project, "hourly", schedule="every 1h")
    add_activation(project, "later")
    service = Service(project_activations(project), Started())
    assert set(service.next_runs()) == {"hourly"}
    add_activation(project, "hourly")
    add_activation(project, "later", schedule="every 2h")
    service.update(project_activations(project))
    assert set(service.next_runs()) == {"later"}


def test_a_schedule_no_scheduler_holds_shows_no_next_run(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """The activations list of a UI without a scheduler beside it shows no next-run time for
    a scheduled activation: it says it is not scheduled by this server."""
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "hourly", schedule="every 1h")
    listing = client.get("/activations").text
    cell = re.search(r'<td class="next-run">(.*?)</td>', listing, re.S)
    assert cell is not None, listing
    assert "not scheduled by this server" in cell.group(1)
    assert "UTC" not in cell.group(1)


def test_a_project_that_stops_loading_keeps_its_schedules(
    project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """hoist.yml half written (invalid YAML) while serving: the schedules held stay, and the
    log says the project does not load."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    add_project_definitions(project, "http://127.0.0.1:9")
    add_activation(project, "hourly", schedule="every 1h")

    async def scenario() -> Service:
        stop = asyncio.Event()
        service = Service(project_activations(project), Started())
        watch = ProjectWatch(project)
        following = asyncio.create_task(
            follow(service, watch, stop, lambda: project_activations(project), interval_s=0.05)
        )
        (project / "hoist.yml").write_text("destinations: [unclosed\n", encoding="utf-8")
        while "does not load" not in caplog.text:
            await asyncio.sleep(0.05)
        stop.set()
        await following
        return service

    with caplog.at_level("WARNING", logger="hoist.schedule"):
        service = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert set(service.next_runs()) == {"hourly"}


def test_serve_without_the_ui_follows_the_project(
    project: Path,
    emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`hoist serve --no-ui` schedules an activation given a schedule while it serves (it runs
    at once, never having run), then stops on SIGTERM."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "first", schedule="every 1h")
    add_activation(project, "second")
    second = next(c for c in project_activations(project) if c.name == "second")
    ran: list[bool] = []

    def meanwhile() -> None:
        deadline = time.monotonic() + 90
        first = next(c for c in project_activations(project) if c.name == "first")
        while not Path(first.state.path).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        add_activation(project, "second", schedule="every 1h")
        while not Path(second.state.path).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        ran.append(Path(second.state.path).exists())
        time.sleep(0.5)  # let the run commit before stopping
        os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=meanwhile)
    helper.start()
    with caplog.at_level("INFO", logger="hoist.schedule"):
        served = run_hoist(["serve", "--no-ui", "--project", str(project)])
    helper.join()
    assert served.returncode == 0, served.stderr
    assert ran == [True]
    assert "schedules reloaded" in caplog.text
