"""Every attempt is a run from the very first one, whatever kind of state the activation keeps:
a first run refused by Intercom is in `hoist runs` as failed, and a state that holds only
failed attempts never makes switching `state.in_warehouse` ask for --reset-state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.harness.activation import TOKEN, Activation, company_rows, writes
from tests.harness.warehouses import NATIVE, PostgresActivation, Twin, with_state

#: A token Intercom refuses (the emulator accepts only the activation's own).
REFUSED = "e2e-revoked-token-5c8d1a"

#: Each kind of state, as (source, state section).
KINDS = ["local", "native-duckdb", "native-postgres"]


@pytest.fixture(params=KINDS)
def twin(request: pytest.FixtureRequest, tmp_path: Path, emulator_factory: Any) -> Twin:
    """A new activation (it never ran) of each kind of state, against an emulator that refuses
    every token but the activation's; five rows in its model."""
    server = emulator_factory(token=TOKEN)
    kind: str = request.param
    made: Activation
    if kind == "native-postgres":
        url = request.getfixturevalue("postgres_database")
        made = PostgresActivation(
            folder=tmp_path,
            base_url=server.base_url,
            warehouse=tmp_path / "unused.duckdb",
            file=tmp_path / "activation.yml",
            url=url,
        )
    else:
        made = Activation(
            folder=tmp_path,
            base_url=server.base_url,
            warehouse=tmp_path / "warehouse.duckdb",
            file=tmp_path / "activation.yml",
        )
    made.configure()
    if kind != "local":
        with_state(made, NATIVE)
    made.write_rows(company_rows(5))
    return Twin(made, server.emulator)


def history(activation: Activation) -> list[dict[str, Any]]:
    """`hoist runs --json` of the activation, newest first."""
    listed = activation.hoist("runs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert REFUSED not in listed.stdout
    runs: list[dict[str, Any]] = json.loads(listed.stdout)
    return runs


def state_of(activation: Activation) -> dict[str, Any]:
    """The activation's state section as its file holds it now."""
    document: dict[str, Any] = yaml.safe_load(activation.file.read_text())
    return dict(document.get("state") or {})


def test_a_refused_first_attempt_is_a_failed_run_and_the_fixed_token_then_succeeds(
    twin: Twin,
) -> None:
    """The first run ever, with a token Intercom refuses, exits 2 and `hoist runs` lists it as
    failed with the 401 and no token; with the right token the next run delivers every company
    and the history holds both runs."""
    activation = twin.activation

    refused = activation.hoist("run", token=REFUSED)

    assert refused.returncode == 2, refused.stderr
    assert REFUSED not in refused.stderr
    [failed] = history(activation)
    assert failed["status"] == "failed"
    assert "Intercom refused the token (401" in failed["message"]
    fixed = activation.run_json()
    assert (fixed["_exit"], fixed["created"]) == (0, 5), fixed["_stderr"]
    assert [run["status"] for run in history(activation)] == ["success", "failed"]


def test_switching_state_after_only_failed_attempts_is_not_refused_but_after_deliveries_it_is(
    twin: Twin,
) -> None:
    """After only a failed first attempt, turning state.in_warehouse on (or off) runs and
    delivers every company; turning it back then asks for --reset-state and sends nothing: the
    other state now holds what was delivered, the first one only a failed attempt."""
    activation = twin.activation
    first = state_of(activation)
    assert activation.hoist("run", token=REFUSED).returncode == 2
    with_state(activation, {} if first else NATIVE)

    switched = activation.run_json()

    assert (switched["_exit"], switched.get("created")) == (0, 5), switched
    with_state(activation, first)
    before = len(twin.emulator.requests())
    back = activation.hoist("run")
    assert back.returncode == 2
    assert "--reset-state" in back.stderr
    assert "a run would send every company again" in back.stderr
    assert writes(twin.emulator, before) == []


def test_a_scheduled_first_attempt_that_fails_is_recorded_and_a_switch_after_it_runs(
    twin: Twin,
) -> None:
    """`hoist serve --once` runs a new scheduled activation with a refused token: exit 2 and
    the history holds the failed run; turning state.in_warehouse on (or off) after it runs and
    delivers every company instead of asking for --reset-state."""
    activation = twin.activation
    first = state_of(activation)
    document = yaml.safe_load(activation.file.read_text())
    activation.file.write_text(yaml.safe_dump({**document, "schedule": "every 1h"}))

    scheduled = activation.hoist("serve", "--once", token=REFUSED)

    assert scheduled.returncode == 2, scheduled.stderr
    assert [run["status"] for run in history(activation)] == ["failed"]
    with_state(activation, {} if first else NATIVE)
    switched = activation.run_json()
    assert (switched["_exit"], switched.get("created")) == (0, 5), switched
