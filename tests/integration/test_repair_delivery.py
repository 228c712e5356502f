"""`hoist verify --repair` delivers its writes the way a run does (`hoist.pipeline.delivery`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import httpx
import pytest

import hoist
from hoist.config import parse_activation
from hoist.diff.changes import Confirmation
from hoist.emulator import Emulator, EmulatorConfig, create_app
from hoist.errors import StateError
from hoist.pipeline.delivery import stop_if_broken
from hoist.pipeline.executor import Execution
from hoist.state import StateStore
from hoist.verify import verify

TOKEN = "repair-token"


def _activation(folder: Path) -> hoist.ActivationConfig:
    """Three companies in DuckDB, name and a custom `tier` mapped, insert mode on."""
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    con.execute("CREATE TABLE companies (id VARCHAR, name VARCHAR, tier VARCHAR)")
    con.executemany(
        "INSERT INTO companies VALUES (?, ?, ?)",
        [[f"c{i}", f"Company {i}", "gold"] for i in range(3)],
    )
    con.close()
    document = {
        "name": "repair",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": "http://127.0.0.1"},
        "sync": {"company_id": "id", "mapping": {"name": "name"}, "custom_attributes": ["tier"]},
    }
    return parse_activation(document, file=folder / "activation.yml", environ={})


def test_a_repair_state_cannot_record_says_the_next_run_sends_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state commit failing during a repair stops it with the run's message: how many
    companies Intercom confirmed that state could not record, and that a run resends them."""
    emulator = Emulator(EmulatorConfig(token=TOKEN))
    transport = httpx.ASGITransport(app=create_app(emulator))
    config = _activation(tmp_path)
    assert hoist.run(config, transport=transport).status == "success"
    emulator.edit_company("c1", name="Edited in the UI")

    def failing(self: StateStore, batch: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        if batch:  # the fault: the state file refuses the write
            raise StateError("the state file could not be written")

    monkeypatch.setattr(StateStore, "commit", failing)
    with pytest.raises(StateError) as raised:
        verify(config, repair=True, transport=transport)

    assert str(raised.value) == (
        "the state file could not be written; 1 companies Intercom confirmed could not be "
        "recorded in state, so the next run sends them again (idempotent)"
    )
    held = emulator.company_by_company_id("c1")  # Intercom did take the write
    assert held is not None
    assert held["name"] == "Company 1"


@pytest.mark.parametrize(
    ("error", "unrecorded", "message"),
    [
        (StateError("state is gone"), 0, "state is gone"),
        (
            StateError("state is gone"),
            2,
            "state is gone; 2 companies Intercom confirmed could not be recorded in state, so "
            "the next run sends them again (idempotent)",
        ),
        (KeyError("x"), 0, "the run stopped on an internal error (KeyError)"),
    ],
)
def test_a_broken_state_stops_delivery_saying_what_it_cost(
    error: BaseException, unrecorded: int, message: str
) -> None:
    """The failure that stopped sending is raised as a StateError naming what was lost."""
    with pytest.raises(StateError) as raised:
        stop_if_broken(Execution(error=error, unrecorded=unrecorded))
    assert str(raised.value) == message
