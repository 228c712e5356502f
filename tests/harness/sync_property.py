"""The model and the emulator side of the sync property tests: rows, writes, held values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from hypothesis import strategies as st

from hoist.emulator import Emulator

TOKEN = "property-token"


text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)


def write_model(warehouse: Path, model: dict[str, dict[str, Any]]) -> None:
    """Replace the warehouse's model table with one row per company."""
    con = duckdb.connect(str(warehouse))
    con.execute(
        "CREATE OR REPLACE TABLE companies "
        "(id VARCHAR, name VARCHAR, size BIGINT, seats BIGINT, score DOUBLE)"
    )
    if model:
        con.executemany(
            "INSERT INTO companies VALUES (?, ?, ?, ?, ?)",
            [[cid, r["name"], r["size"], r["seats"], r["score"]] for cid, r in model.items()],
        )
    con.close()


def held(company: dict[str, Any]) -> dict[str, Any]:
    """The mapped values an emulator company carries."""
    custom = company.get("custom_attributes") or {}
    return {
        "name": company.get("name"),
        "size": company.get("size"),
        "seats": custom.get("seats"),
        "score": custom.get("score"),
    }


def write_calls(emulator: Emulator) -> int:
    """How many company writes the emulator has received."""
    return sum(
        1
        for r in emulator.requests()
        if (r.method == "POST" and r.path == "/companies")
        or (r.method == "PUT" and r.path.startswith("/companies/"))
    )
