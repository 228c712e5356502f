"""Every attempt is a run: one that fails before sending (token refused, host unreachable) is
in the run history as failed, with its error, whether the CLI or the UI started it."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from hoist.emulator.testing import EmulatorHandle
from tests.harness.cli import run_hoist
from tests.harness.ui import (
    TOKEN,
    TOKEN_VARIABLE,
    add_activation,
    add_project_definitions,
    closed_port_url,
    run_to_the_end,
)


def test_a_run_whose_token_is_refused_is_listed_by_hoist_runs(
    project: Path, emulator_factory: Callable[..., EmulatorHandle]
) -> None:
    """After a run that worked, `hoist run` with a token Intercom refuses exits non-zero;
    `hoist runs` lists that run first, failed, with Intercom's 401, and no token."""
    strict = emulator_factory(token=TOKEN)
    add_project_definitions(project, strict.base_url)
    add_activation(project, "eu-to-intercom")
    command = ["eu-to-intercom", "--project", str(project)]
    assert run_hoist(["run", *command], env={TOKEN_VARIABLE: TOKEN}).returncode == 0
    refused = "a-revoked-token-5d1c"
    ran = run_hoist(["run", *command], env={TOKEN_VARIABLE: refused})
    assert ran.returncode != 0
    listed = run_hoist(["runs", *command, "--json"], env={TOKEN_VARIABLE: refused})
    history = json.loads(listed.stdout)
    assert [run["status"] for run in history] == ["failed", "success"]
    assert "Intercom refused the token (401" in history[0]["message"]
    assert refused not in listed.stdout


def test_a_config_mistake_in_the_first_attempt_is_a_failed_run(
    project: Path, emulator: EmulatorHandle
) -> None:
    """The first attempt of an activation that fails (a mapped column the model lacks) exits 2
    and is the one run `hoist runs` lists: failed, naming the file's key."""
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "eu-to-intercom")
    file = project / "activations" / "eu-to-intercom.yml"
    file.write_text(file.read_text().replace("account_name", "no_such_column"))
    command = ["eu-to-intercom", "--project", str(project)]
    ran = run_hoist(["run", *command], env={TOKEN_VARIABLE: TOKEN})
    assert ran.returncode == 2
    listed = run_hoist(["runs", *command, "--json"], env={TOKEN_VARIABLE: TOKEN})
    [failed] = json.loads(listed.stdout)
    assert failed["status"] == "failed"
    assert "sync.mapping.name" in failed["message"]


@pytest.mark.parametrize("state", [{}, {"in_warehouse": True, "schema": "hoist"}])
def test_a_first_ui_run_with_a_refused_token_shows_failed_in_the_activations_list(
    client: httpx.Client,
    project: Path,
    emulator_factory: Callable[..., EmulatorHandle],
    monkeypatch: pytest.MonkeyPatch,
    state: dict[str, object],
) -> None:
    """A new activation's very first run, from Run now with a token Intercom refuses, shows as
    failed in the activations list and in its history with the 401, with local state and with
    state in the warehouse alike; the token is on neither page."""
    strict = emulator_factory(token=TOKEN)
    add_project_definitions(project, strict.base_url)
    add_activation(project, "eu-to-intercom")
    if state:
        with_state_section(project / "activations" / "eu-to-intercom.yml", state)
    refused = "a-revoked-token-0b7e"
    monkeypatch.setenv(TOKEN_VARIABLE, refused)

    run_to_the_end(client, "eu-to-intercom")

    listed = client.get("/activations").text
    assert re.search(r'<span class="badge status failed">failed</span>', listed)
    history = client.get("/activations/eu-to-intercom/history").text
    assert re.findall(r'<span class="status (\w+)">', history) == ["failed"]
    assert "Intercom refused the token (401" in html.unescape(history)
    assert refused not in listed + history


def with_state_section(file: Path, state: dict[str, object]) -> None:
    """Give the activation file `file` this `state` section."""
    document = yaml.safe_load(file.read_text(encoding="utf-8"))
    document["state"] = state
    file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_a_run_started_in_the_ui_to_an_unreachable_host_shows_in_the_history(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """After a run that worked, Run now against a host nobody listens on: the history page and
    the activations list show the run as failed, with the cannot-connect error."""
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "eu-to-intercom")
    run_to_the_end(client, "eu-to-intercom")
    add_project_definitions(project, closed_port_url(), give_up_after="1s")
    run_to_the_end(client, "eu-to-intercom")
    history = client.get("/activations/eu-to-intercom/history").text
    statuses = re.findall(r'<span class="status (\w+)">', history)
    assert statuses == ["failed", "success"]
    assert "cannot connect to 127.0.0.1:" in history
    assert "connection refused" in history
    listed = client.get("/activations").text
    assert re.search(r'<span class="badge status failed">failed</span>', listed)
