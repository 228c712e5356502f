"""A warehouse of companies and users, and an activation attaching the users as contacts, for the
tests of contacts across a company's life."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from hoist.config import ActivationConfig, parse_activation


def warehouse(tmp_path: Path, companies: list[str], users: list[tuple[str, str, bool]]) -> None:
    """The companies (by id) and users (account_id, external id, active) tables."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE OR REPLACE TABLE companies (id VARCHAR, name VARCHAR)")
    if companies:
        con.executemany("INSERT INTO companies VALUES (?, ?)", [(c, c.upper()) for c in companies])
    con.execute("CREATE OR REPLACE TABLE users (account_id VARCHAR, uid VARCHAR, active BOOL)")
    if users:
        con.executemany("INSERT INTO users VALUES (?, ?, ?)", users)
    con.close()


def config(tmp_path: Path, *, contacts: bool = True, **sync: Any) -> ActivationConfig:
    """An activation over the warehouse; contacts matched by external_id unless left out."""
    document: dict[str, Any] = {
        "name": "lifecycle",
        "source": {"path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": "t", "base_url": "http://127.0.0.1"},
        "sync": {"company_id": "id", "mapping": {"name": "name"}, **sync},
    }
    if contacts:
        document["contacts"] = {
            "model": {"table": "users"},
            "company_id": "account_id",
            "match": "external_id",
            "column": "uid",
        }
    return parse_activation(document, file=tmp_path / "activation.yml", environ={})
