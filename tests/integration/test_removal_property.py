"""The sync invariant with nulls, bad values and removals, property-tested for every policy.

For random sequences of model snapshots (companies appearing, changing, leaving and coming back;
nulls; values Intercom refuses), after every run each company's attributes in Intercom equal a
model of what Intercom should hold: the snapshot's value where it is valid, the last valid value
delivered where it is not (and that attribute is reported with its company_id), and for
companies that left the model what `sync.on_removal` says: kept as they were, cleared, or
deleted. The emulator runs in-process behind `httpx.ASGITransport`.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

import hoist
from hoist.config import parse_activation
from hoist.emulator import Emulator, EmulatorConfig, create_app

TOKEN = "property-token"
BAD_SPEND = 2**31  # over Intercom's 2**31 - 1
ATTRIBUTES = ("name", "monthly_spend", "custom_attributes.tier", "custom_attributes.score")
Row = dict[str, Any]

text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=6)
row = st.fixed_dictionaries(
    {
        "name": st.none() | text,
        "monthly_spend": st.none() | st.integers(0, 10_000) | st.just(BAD_SPEND),
        "custom_attributes.tier": st.none() | text | st.just("t" * 256),
        "custom_attributes.score": st.none()
        | st.floats(-1e6, 1e6, allow_nan=False, width=32)
        | st.just(math.nan)
        | st.just(math.inf),
    }
)
snapshots = st.lists(st.dictionaries(st.sampled_from("abcdef"), row, max_size=6), max_size=5)


def is_bad(attribute: str, value: Any) -> bool:
    """Whether Intercom would refuse `value` for `attribute` (hoist holds it back)."""
    if attribute == "monthly_spend":
        return bool(value == BAD_SPEND)
    if attribute == "custom_attributes.tier":
        return isinstance(value, str) and len(value) > 255
    if attribute == "custom_attributes.score":
        return isinstance(value, float) and not math.isfinite(value)
    return False


def write_model(warehouse: Path, model: dict[str, Row]) -> None:
    """Replace the warehouse's model table with one row per company."""
    con = duckdb.connect(str(warehouse))
    con.execute(
        "CREATE OR REPLACE TABLE companies "
        "(id VARCHAR, name VARCHAR, spend BIGINT, tier VARCHAR, score DOUBLE)"
    )
    if model:
        con.executemany(
            "INSERT INTO companies VALUES (?, ?, ?, ?, ?)",
            [[cid, *(r[a] for a in ATTRIBUTES)] for cid, r in model.items()],
        )
    con.close()


def activation(folder: Path, policy: str) -> hoist.ActivationConfig:
    """An insert-mode activation with the removal policy given and no removal guard."""
    document = {
        "name": "removals",
        "source": {"type": "duckdb", "path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": TOKEN, "base_url": "http://127.0.0.1"},
        "sync": {
            "company_id": "id",
            "mapping": {"name": "name", "monthly_spend": "spend"},
            "custom_attributes": ["tier", "score"],
            "on_removal": policy,
            "max_removals": "100%",
        },
    }
    return parse_activation(document, file=folder / "activation.yml", environ={})


def held(company: dict[str, Any]) -> Row:
    """The mapped values an emulator company carries (None: not set)."""
    custom = company.get("custom_attributes") or {}
    return {
        "name": company.get("name"),
        "monthly_spend": company.get("monthly_spend") or None,  # the object shows 0 when unset
        "custom_attributes.tier": custom.get("tier"),
        "custom_attributes.score": custom.get("score"),
    }


def expected_after(expected: dict[str, Row], model: dict[str, Row], policy: str) -> dict[str, Row]:
    """What Intercom should hold after a run of `model` over `expected`."""
    after: dict[str, Row] = {}
    for cid, values in model.items():
        before = expected.get(cid, dict.fromkeys(ATTRIBUTES))
        after[cid] = {a: before[a] if is_bad(a, v) else v for a, v in values.items()}
        if after[cid]["monthly_spend"] == 0:
            after[cid]["monthly_spend"] = None
    for cid, values in expected.items():
        if cid in model or policy == "delete":
            continue
        after[cid] = dict.fromkeys(ATTRIBUTES) if policy == "clear" else values
    return after


@settings(max_examples=25, deadline=None)
@given(sequence=snapshots, policy=st.sampled_from(["keep", "clear", "delete"]))
def test_intercom_ends_equal_to_the_model_under_every_removal_policy(
    sequence: list[dict[str, Row]], policy: str
) -> None:
    """After each run Intercom holds the model's valid values; bad ones are reported instead."""
    emulator = Emulator(EmulatorConfig(token=TOKEN))
    transport = httpx.ASGITransport(app=create_app(emulator))
    expected: dict[str, Row] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for model in sequence:
            write_model(folder / "warehouse.duckdb", model)
            report = hoist.run(activation(folder, policy), transport=transport)
            expected = expected_after(expected, model, policy)

            live = {c["company_id"]: held(c) for c in emulator.companies()}
            assert live == expected
            bad = {(cid, a) for cid, r in model.items() for a, v in r.items() if is_bad(a, v)}
            assert {(e.company_id, e.attribute) for e in report.errors} == bad
            assert report.failed == 0
