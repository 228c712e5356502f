"""One activation twice: over the DuckDB warehouse and over Spark, each with its own emulator.

Both read the same rows (written to a DuckDB table and to a Spark Parquet table) through the
same mapping, so every end-to-end test can assert that the Spark run did exactly what the DuckDB
run did: the same report and the same companies in Intercom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from hoist.config import load_activation
from hoist.emulator.emulator import Emulator
from hoist.run_api import plan, run
from tests.harness.activation import TOKEN, Activation, company_rows
from tests.harness.spark import write_table

SPARK_TABLE = "analytics.companies"
SPARK_COLUMNS = (
    "account_id STRING, account_name STRING, plan_name STRING, mrr DECIMAL(12, 2), "
    "employees INT, onboarded_at TIMESTAMP, health_score DOUBLE, seats INT, "
    "is_enterprise BOOLEAN, tier STRING"
)
#: Company fields a sync sets; the rest (ids, timestamps) the emulator assigns.
_SYNCED = ("name", "size", "website", "industry", "monthly_spend", "remote_created_at")
#: Report fields that differ between any two runs, whatever their source.
_VOLATILE = ("run_id", "duration_s")


def model_rows(count: int) -> list[dict[str, Any]]:
    """`count` varied rows with every column set (or null) in both warehouses' types."""
    start = datetime(2024, 1, 1)
    rows = company_rows(count, onboarded_at=lambda i: start + timedelta(days=i, seconds=i))
    for row in rows:
        row["mrr"] = Decimal(row["mrr"]) if row["mrr"] is not None else None
    return rows


@dataclass
class Side:
    """One warehouse's half: its activation file and its emulator."""

    file: Path
    emulator: Emulator
    source: dict[str, Any]
    model: dict[str, Any]
    base_url: str
    #: The state section (None: local state, the default).
    state: dict[str, Any] | None = None

    def configure(self, **sync: Any) -> None:
        """Write the activation file; `sync` overrides keys of the sync section."""
        document = {
            "name": "twin",
            "source": self.source,
            "model": self.model,
            "destination": {"access_token": "${E2E_INTERCOM_TOKEN}", "base_url": self.base_url},
            "sync": {
                "company_id": "account_id",
                "mapping": {"name": "account_name", "plan": "plan_name", "monthly_spend": "mrr"},
                "custom_attributes": ["health_score", "seats"],
                **sync,
            },
        }
        if self.state is not None:
            document["state"] = self.state
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def report(self, command: str = "run") -> dict[str, Any]:
        """Run (or plan) the activation in this process; the report without volatile fields."""
        config = load_activation(self.file, environ={"E2E_INTERCOM_TOKEN": TOKEN})
        report = (run if command == "run" else plan)(config).to_json()
        # A plan's sample is some changes, in no promised order.
        report["sample"] = sorted(report["sample"], key=lambda change: change["company_id"])
        return {key: value for key, value in report.items() if key not in _VOLATILE}

    def held(self) -> dict[str, dict[str, Any]]:
        """What Intercom holds per company_id: every value a sync sets, nothing assigned."""
        held = {}
        for company in self.emulator.companies():
            values = {key: company.get(key) for key in _SYNCED}
            values["plan"] = (company.get("plan") or {}).get("name")
            values["custom_attributes"] = company.get("custom_attributes")
            held[company["company_id"]] = values
        return held

    def write_bodies(self, since: int = 0) -> list[tuple[str, str, Any]]:
        """(method, company, body) of every company write since request `since`, sorted."""
        ids = {c["id"]: c["company_id"] for c in self.emulator.companies()}
        bodies = []
        for r in self.emulator.requests()[since:]:
            if r.method == "POST" and r.path == "/companies":
                bodies.append(("POST", r.json["company_id"], r.json))
            elif r.method == "PUT" and r.path.startswith("/companies/"):
                bodies.append(("PUT", ids.get(r.path.rsplit("/", 1)[1], "?"), r.json))
        return sorted(bodies, key=lambda body: (body[1], body[0]))


@dataclass
class Twins:
    """The DuckDB side and the Spark side of one activation."""

    duck: Side
    spark: Side
    duck_warehouse: Activation
    session: Any

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model with `rows` in both warehouses."""
        self.duck_warehouse.write_rows(rows)
        self.session.sql("CREATE DATABASE IF NOT EXISTS analytics")
        write_table(self.session, SPARK_TABLE, rows, SPARK_COLUMNS)

    def configure(self, **sync: Any) -> None:
        """Write both activation files with the same sync section."""
        self.duck.configure(**sync)
        self.spark.configure(**sync)

    def run(self, command: str = "run") -> dict[str, Any]:
        """Run both sides; assert their reports are equal; return the Spark side's.

        With native state, Spark sends hoist only the rows it must act on: `rows_fetched` is
        asserted to lie between the changed rows and 1.1 times them plus the rejected ones.
        """
        duck, spark = self.duck.report(command), self.spark.report(command)
        if self.spark.state is not None:
            fetched = spark.pop("rows_fetched")
            duck.pop("rows_fetched")
            changed = spark["created"] + spark["updated"] + spark["not_in_intercom"]
            assert changed <= fetched <= 1.1 * changed + spark["rejected"], (fetched, spark)
        assert spark == duck, {k: (v, duck.get(k)) for k, v in spark.items() if v != duck.get(k)}
        return spark

    def assert_same_companies(self) -> dict[str, dict[str, Any]]:
        """Assert both emulators hold the same companies; return them."""
        held = self.spark.held()
        assert held == self.duck.held()
        return held

    def request_marks(self) -> tuple[int, int]:
        """How many requests each emulator has seen so far."""
        return len(self.duck.emulator.requests()), len(self.spark.emulator.requests())

    def assert_same_writes(self, since: tuple[int, int] = (0, 0)) -> list[tuple[str, str, Any]]:
        """Assert both sides sent the same company writes since `since`; return them."""
        bodies = self.spark.write_bodies(since[1])
        assert bodies == self.duck.write_bodies(since[0])
        return bodies
