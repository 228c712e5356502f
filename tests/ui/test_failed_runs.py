"""Every attempt is a run: one that fails before sending (token refused, host unreachable) is
in the run history as failed, with its error, whether the CLI or the UI started it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from hoist.emulator.testing import EmulatorHandle
from tests.harness.cli import run_hoist
from tests.harness.ui import (
    TOKEN,
    TOKEN_VARIABLE,
    add_activation,
    add_project_definitions,
    closed_port_url,
    csrf_form,
)


def test_a_run_whose_token_is_refused_is_listed_by_hoist_runs(
    project: Path, emulator_factory: Callable[..., EmulatorHandle]
) -> None:
    """`hoist run` with a token Intercom refuses exits non-zero; `hoist runs` lists the run as
    failed with Intercom's 401, and the token is nowhere in the history."""
    strict = emulator_factory(token="only-this-one")
    add_project_definitions(project, strict.base_url)
    add_activation(project, "eu-to-intercom")
    env = {TOKEN_VARIABLE: TOKEN}
    ran = run_hoist(["run", "eu-to-intercom", "--project", str(project)], env=env)
    assert ran.returncode != 0
    listed = run_hoist(["runs", "eu-to-intercom", "--project", str(project), "--json"], env=env)
    history = json.loads(listed.stdout)
    assert [run["status"] for run in history] == ["failed"]
    assert "401" in history[0]["message"]
    assert TOKEN not in listed.stdout


def test_a_run_started_in_the_ui_to_an_unreachable_host_shows_in_the_history(
    client: httpx.Client, project: Path
) -> None:
    """Run now against a host nobody listens on: the history page and the activations list
    show the run as failed, with the cannot-connect error."""
    add_project_definitions(project, closed_port_url(), give_up_after="1s")
    add_activation(project, "eu-to-intercom")
    client.post(
        "/activations/eu-to-intercom/run", data=csrf_form(client, "/activations/eu-to-intercom")
    )
    deadline = time.monotonic() + 120
    while "Run again" not in (shown := client.get("/activations/eu-to-intercom/run/progress").text):
        assert time.monotonic() < deadline, f"the run did not end: {shown}"
        time.sleep(0.2)
    history = client.get("/activations/eu-to-intercom/history").text
    assert "failed" in history
    assert "cannot connect to 127.0.0.1:" in history
    assert "connection refused" in history
    listed = client.get("/activations").text
    assert "failed" in listed
