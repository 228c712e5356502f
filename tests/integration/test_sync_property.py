"""The sync invariant, property-tested: after every run Intercom carries the model's values.

For random sequences of model snapshots (inserts, updates, rows deleted from the model, nulls,
insert mode on or off), after each run the emulator's companies carry the snapshot's mapped
values (for those that may exist), and the number of write calls equals the number of companies
whose values changed. The emulator runs in-process behind `httpx.ASGITransport`: same app,
same rules, no sockets, so hundreds of runs fit in seconds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

import hoist
from hoist.config import parse_activation
from hoist.emulator import Emulator, EmulatorConfig, create_app
from tests.harness.sync_property import TOKEN, held, text, write_calls, write_model

row = st.fixed_dictionaries(
    {
        "name": st.none() | text,
        "size": st.none() | st.integers(0, 10_000),
        "seats": st.none() | st.integers(-1000, 1000),
        "score": st.none() | st.floats(-1e6, 1e6, allow_nan=False, width=32),
    }
)
snapshot = st.tuples(st.dictionaries(st.sampled_from("abcdefgh"), row, max_size=8), st.booleans())


def activation(folder: Path, insert: bool) -> hoist.ActivationConfig:
    """An activation over the folder's warehouse with insert mode as given."""
    document = {
        "name": "property",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": "http://127.0.0.1"},
        "sync": {
            "insert": insert,
            "company_id": "id",
            "mapping": {"name": "name", "size": "size"},
            "custom_attributes": ["seats", "score"],
        },
    }
    return parse_activation(document, file=folder / "activation.yml", environ={})


@settings(max_examples=30, deadline=None)
@given(snapshots=st.lists(snapshot, min_size=1, max_size=4))
def test_after_each_run_intercom_equals_the_model(
    snapshots: list[tuple[dict[str, Any], bool]],
) -> None:
    """Every run leaves Intercom equal to the model and spends one write per changed company."""
    emulator = Emulator(EmulatorConfig(token=TOKEN))
    transport = httpx.ASGITransport(app=create_app(emulator))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for model, insert in snapshots:
            before = {c["company_id"]: held(c) for c in emulator.companies()}
            may_exist = {cid for cid in model if insert or cid in before}
            changed = {cid for cid in may_exist if before.get(cid) != model[cid]}
            writes_before = write_calls(emulator)
            write_model(folder / "warehouse.duckdb", model)

            report = hoist.run(activation(folder, insert), transport=transport)

            after = {c["company_id"]: held(c) for c in emulator.companies()}
            assert report.status == "success", report.errors
            for cid in may_exist:
                assert after[cid] == model[cid]
            for cid in set(before) - set(model):
                assert after[cid] == before[cid]  # rows deleted from the model are left alone
            assert set(after) == set(before) | may_exist  # nothing is created with insert off
            assert write_calls(emulator) - writes_before == len(changed)
            assert report.not_in_intercom == len(set(model) - may_exist)
