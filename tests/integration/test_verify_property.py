"""The repair invariant, property-tested: after out-of-band edits and deletes, `verify --repair`
always leaves Intercom equal to the model, with one write per company that needed one.

The emulator runs in-process behind `httpx.ASGITransport` (same app, no sockets), as in
`test_sync_property.py`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hoist
from hoist.config import parse_activation
from hoist.emulator import Emulator, EmulatorConfig, create_app
from hoist.emulator.testing import FakeClock
from hoist.verify import verify
from tests.harness.sync_property import held, write_calls, write_model

TOKEN = "property-token"
COMPANIES = [f"c{i}" for i in range(8)]

text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
row = st.fixed_dictionaries(
    {
        "name": st.none() | text,
        "size": st.none() | st.integers(0, 100),
        "seats": st.none() | st.integers(-5, 5),
        "score": st.none() | st.floats(-100, 100, allow_nan=False, width=32),
    }
)
model = st.fixed_dictionaries(dict.fromkeys(COMPANIES, row))
# An out-of-band action: (company, None) deletes it; (company, fields) edits those fields.
edit = st.fixed_dictionaries(
    {},
    optional={
        "name": st.none() | text,
        "size": st.none() | st.integers(0, 100),
        "custom_attributes": st.fixed_dictionaries(
            {}, optional={"seats": st.none() | st.integers(-5, 5), "score": st.none()}
        ),
    },
)
action = st.tuples(st.sampled_from(COMPANIES), st.none() | edit)


def activation(folder: Path, insert: bool) -> hoist.ActivationConfig:
    """Name and size mapped; seats and score as custom attributes."""
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


def act(emulator: Emulator, company_id: str, fields: dict[str, Any] | None) -> None:
    """Delete or edit one company out of band, if it still exists."""
    if emulator.company_by_company_id(company_id) is None:
        return
    if fields is None:
        emulator.delete_company(company_id)
    else:
        emulator.edit_company(company_id, **fields)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(values=model, actions=st.lists(action, max_size=10), insert=st.booleans())
def test_repair_always_restores_the_model(
    values: dict[str, dict[str, Any]], actions: list[tuple[str, Any]], insert: bool
) -> None:
    """Whatever is edited or deleted, `verify --repair` makes Intercom equal the model again."""
    clock = FakeClock(time.time())
    emulator = Emulator(EmulatorConfig(token=TOKEN), clock=clock)
    transport = httpx.ASGITransport(app=create_app(emulator))
    if not insert:
        for company_id in COMPANIES:
            emulator.seed_company(company_id=company_id)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_model(folder / "warehouse.duckdb", values)
        config = activation(folder, insert)
        assert hoist.run(config, transport=transport).status == "success"
        for company_id, fields in actions:
            act(emulator, company_id, fields)
        current = {c["company_id"]: held(c) for c in emulator.companies()}
        off = {cid for cid in COMPANIES if current.get(cid) != values[cid]}
        gone = set(COMPANIES) - set(current)
        writes_before = write_calls(emulator)
        # An update-only run's existence check may leave its scroll open; one scroll per app,
        # 60 s idle expiry (NOTES §1.7): let it expire rather than wait.
        clock.advance(61)

        report = verify(config, transport=transport, repair=True)

        after = {c["company_id"]: held(c) for c in emulator.companies()}
        restorable = set(COMPANIES) if insert else set(COMPANIES) - gone
        assert {cid: after.get(cid) for cid in restorable} == {
            cid: values[cid] for cid in restorable
        }
        assert write_calls(emulator) - writes_before == len(off & restorable)
        assert report.clean == (insert or not gone)
        assert set(report.missing) == gone
        clock.advance(61)
        recheck = verify(config, transport=transport)
        assert (recheck.drifted, recheck.missing) == ((), ())
