"""An activation over a DuckDB warehouse in a temp folder, its rows, and what Intercom holds."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from tests.harness.cli import run_hoist

TOKEN = "e2e-token"
COLUMNS = {
    "account_id": "VARCHAR",
    "account_name": "VARCHAR",
    "plan_name": "VARCHAR",
    "mrr": "DECIMAL(12, 2)",
    "employees": "INTEGER",
    "onboarded_at": "TIMESTAMP",
    "health_score": "DOUBLE",
    "seats": "INTEGER",
    "is_enterprise": "BOOLEAN",
    "tier": "VARCHAR",
}


def expected_companies(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """What Intercom should hold for the model: name and seats per company_id."""
    return {r["account_id"]: (r["account_name"], r["seats"]) for r in rows}


def held_companies(emulator: Any) -> dict[str, tuple[Any, ...]]:
    """What the emulator holds: name and seats per company_id."""
    return {
        cid: (c["name"], c["custom_attributes"].get("seats"))
        for cid, c in by_company_id(emulator).items()
    }


def writes(emulator: Any, since: int = 0) -> list[Any]:
    """Company write requests (upserts and updates) the emulator received after `since`."""
    return [
        r
        for r in emulator.requests()[since:]
        if (r.method == "POST" and r.path == "/companies")
        or (r.method == "PUT" and r.path.startswith("/companies/"))
    ]


def by_company_id(emulator: Any) -> dict[str, dict[str, Any]]:
    """The emulator's companies keyed by their company_id."""
    return {c["company_id"]: c for c in emulator.companies()}


@dataclass
class Activation:
    """An activation file over a DuckDB warehouse, both in a temp folder."""

    folder: Path
    base_url: str
    warehouse: Path
    file: Path
    token: str = TOKEN

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model table with `rows` (missing columns are null)."""
        con = duckdb.connect(str(self.warehouse))
        con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        con.execute(f"CREATE OR REPLACE TABLE analytics.companies ({columns})")
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(
                f"INSERT INTO analytics.companies VALUES ({marks})",
                [[row.get(name) for name in COLUMNS] for row in rows],
            )
        con.close()

    def configure(self, **sync: Any) -> None:
        """Write the activation file; `sync` overrides keys of the sync section."""
        document = {
            "name": "e2e",
            "source": {"type": "duckdb", "path": "warehouse.duckdb"},
            "model": {"table": "analytics.companies"},
            "destination": {
                "type": "intercom",
                "access_token": "${E2E_INTERCOM_TOKEN}",
                "base_url": self.base_url,
            },
            "sync": {
                "insert": True,
                "company_id": "account_id",
                "mapping": {"name": "account_name", "plan": "plan_name", "monthly_spend": "mrr"},
                "custom_attributes": ["health_score", "seats"],
                **sync,
            },
        }
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def environment(self, token: str | None = None) -> dict[str, str]:
        """The variables the activation file names (the Intercom token)."""
        return {"E2E_INTERCOM_TOKEN": token or self.token}

    def hoist(self, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run the `hoist` command (in-process, as `hoist ARGS FILE`) on this activation."""
        return run_hoist([*args, str(self.file)], env=self.environment(token))

    def run_json(self, command: str = "run", token: str | None = None) -> dict[str, Any]:
        """`hoist <command> FILE --json`, parsed; the exit status is in ``_exit``."""
        done = self.hoist(command, "--json", token=token)
        assert done.stdout, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        report["_exit"] = done.returncode
        report["_stderr"] = done.stderr
        return report

    @property
    def state_file(self) -> Path:
        """Where the activation keeps its state (the default path)."""
        return self.folder / ".hoist" / "e2e.duckdb"


def company_rows(count: int, **overrides: Callable[[int], Any]) -> list[dict[str, Any]]:
    """`count` varied model rows; `overrides` computes chosen columns from the row number."""
    rows = []
    for i in range(count):
        row = {
            "account_id": f"acct-{i:04d}",
            "account_name": f"Company {i} — Zürich",
            "plan_name": ["Starter", "Pro", None][i % 3],
            "mrr": f"{i * 10}.75",
            "employees": i + 1,
            "health_score": (i % 7) / 2 if i % 5 else None,
            "seats": i % 11,
            "is_enterprise": i % 2 == 0,
            "tier": ["gold", "silver"][i % 2],
        }
        row.update({name: compute(i) for name, compute in overrides.items()})
        rows.append(row)
    return rows
