"""A project folder for CLI tests: a DuckDB (or Postgres) warehouse of companies, a segment, and
activations `by-sql` and `by-segment`; the `hoist` command run in-process in it."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import yaml

from tests.harness.activation import COLUMNS
from tests.harness.cli import run_hoist
from tests.harness.postgres_server import execute

TOKEN = "project-e2e-token"

#: A segment and the SQL a person would write for the same companies.
SEGMENT: dict[str, Any] = {
    "source": "warehouse",
    "from": "analytics.companies",
    "where": {
        "all": [
            {"column": "plan_name", "op": "in", "value": ["Pro", "Starter"]},
            {"column": "mrr", "op": "gte", "value": 50},
            {
                "any": [
                    {"column": "tier", "op": "eq", "value": "gold"},
                    {"not": {"column": "health_score", "op": "is_null"}},
                ]
            },
            {"not": {"column": "account_name", "op": "contains", "value": "7"}},
        ]
    },
}
SQL = """
select * from analytics.companies
where plan_name in ('Pro', 'Starter') and mrr >= 50
  and (tier = 'gold' or health_score is not null)
  and (account_name is null or strpos(account_name, '7') = 0)
"""
SYNC = {
    "company_id": "account_id",
    "mapping": {"name": "account_name", "plan": "plan_name", "monthly_spend": "mrr"},
    "custom_attributes": ["health_score", "seats"],
}


def hoist(
    *args: str, cwd: Path, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `hoist` command in `cwd`; `env` sets (or, with None, unsets) variables."""
    return run_hoist(args, cwd=cwd, env={"INTERCOM_ACCESS_TOKEN": TOKEN, **(env or {})})


def build_warehouse(path: Path, rows: list[dict[str, Any]]) -> None:
    """A DuckDB warehouse with analytics.companies holding `rows`."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE TABLE analytics.companies ({columns})")
    marks = ", ".join("?" for _ in COLUMNS)
    con.executemany(
        f"INSERT INTO analytics.companies VALUES ({marks})",
        [[row.get(name) for name in COLUMNS] for row in rows],
    )
    con.close()


def postgres_warehouse(url: str, rows: list[dict[str, Any]]) -> None:
    """The same analytics.companies table, in a Postgres database."""
    columns = ", ".join(
        f"{name} {'DOUBLE PRECISION' if kind == 'DOUBLE' else kind}"
        for name, kind in COLUMNS.items()
    )
    execute(url, "CREATE SCHEMA analytics")
    execute(url, f"CREATE TABLE analytics.companies ({columns})")
    marks = ", ".join(f"${i + 1}" for i in range(len(COLUMNS)))
    for row in rows:
        values = tuple(_typed(name, row.get(name)) for name in COLUMNS)
        execute(url, f"INSERT INTO analytics.companies VALUES ({marks})", values)


def _typed(column: str, value: Any) -> Any:
    """A value as Postgres binds it: the money text of company_rows as a decimal."""
    return Decimal(value) if column == "mrr" and isinstance(value, str) else value


DUCKDB_SOURCE = {"type": "duckdb", "path": "warehouse.duckdb"}


def write_project(
    root: Path, destinations: dict[str, str], source: dict[str, str] = DUCKDB_SOURCE
) -> None:
    """hoist.yml with one destination per emulator URL, the warehouse, the segment, and
    activations `by-sql` and `by-segment` (the latter in its own file)."""
    document = {
        "destinations": {
            name: {"access_token": "${INTERCOM_ACCESS_TOKEN}", "base_url": url}
            for name, url in destinations.items()
        },
        "sources": {"warehouse": source},
        "segments": {"paying": SEGMENT},
        "activations": {
            "by-sql": {
                "source": "warehouse",
                "destination": next(iter(destinations)),
                "model": {"sql": SQL},
                "sync": SYNC,
            }
        },
    }
    (root / "hoist.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    (root / "activations").mkdir()
    by_segment = {
        "destination": list(destinations)[-1],
        "model": {"segment": "paying"},
        "sync": SYNC,
    }
    (root / "activations" / "by-segment.yml").write_text(yaml.safe_dump(by_segment))
