"""Activations over a real warehouse: the e2e `Activation` with its model in Postgres, twins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import psycopg
import yaml
from psycopg import sql

from hoist.emulator import Emulator
from tests.harness.activation import COLUMNS, Activation, company_rows

#: Report fields that must agree between the two warehouses.
COUNTS = ("status", "created", "updated", "unchanged", "not_in_intercom", "rejected", "failed")
#: Company fields hoist writes (the rest are Intercom's own: ids, timestamps).
WRITTEN = (
    "company_id",
    "name",
    "monthly_spend",
    "size",
    "website",
    "industry",
    "custom_attributes",
)
#: The state section of warehouse-native activations.
NATIVE: dict[str, Any] = {"in_warehouse": True, "schema": "hoist"}
#: The e2e model's DuckDB column types, spelled for Postgres.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "DECIMAL(12, 2)": "numeric(12, 2)",
    "INTEGER": "integer",
    "TIMESTAMP": "timestamp",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
}


def held(emulator: Emulator) -> dict[str, dict[str, Any]]:
    """What Intercom holds per company_id, limited to the fields hoist writes."""
    companies = {}
    for company in emulator.companies():
        fields = {key: company.get(key) for key in WRITTEN}
        fields["plan"] = (company.get("plan") or {}).get("name")
        companies[company["company_id"]] = fields
    return companies


def snapshots() -> list[list[dict[str, Any]]]:
    """A sequence of models: first load, edits and nulls, rows leaving, bad rows, new rows."""
    first = company_rows(40)
    edited = [dict(row) for row in first]
    edited[3]["account_name"] = "Renamed — Ünïcødé 'quoted'"
    edited[4]["seats"] = None
    edited[5]["health_score"] = 2.5
    edited[6]["mrr"] = "999999.99"
    shrunk = edited[:30]
    bad = [*shrunk, {**shrunk[0], "account_name": "duplicate id"}, {"account_id": None}]
    grown = [*shrunk, *company_rows(45)[40:]]
    return [first, edited, edited, shrunk, bad, grown]


@dataclass
class PostgresActivation(Activation):
    """The e2e activation with its model in a Postgres database; the password comes from env."""

    url: str = ""
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def password(self) -> str:
        """The database password, percent-encoded as it sits in the URL."""
        return quote(unquote(urlsplit(self.url).password or ""), safe="")

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model table with `rows` (missing columns are null)."""
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
            con.execute("DROP TABLE IF EXISTS analytics.companies")
            columns = sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(POSTGRES_TYPES[kind]))
                for name, kind in COLUMNS.items()
            )
            con.execute(sql.SQL("CREATE TABLE analytics.companies ({})").format(columns))
            if rows:
                marks = sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS))
                insert = sql.SQL("INSERT INTO analytics.companies VALUES ({})").format(marks)
                with con.cursor() as cursor:
                    cursor.executemany(insert, [[row.get(n) for n in COLUMNS] for row in rows])

    def configure(self, **sync: Any) -> None:
        """Write the activation file with the Postgres source (and `state`, if set)."""
        super().configure(**sync)
        document = yaml.safe_load(self.file.read_text())
        parts = urlsplit(self.url)
        url = f"postgresql://{parts.username}:${{E2E_PGPASSWORD}}@{parts.hostname}:{parts.port}"
        document["source"] = {"type": "postgres", "url": f"{url}{parts.path}"}
        if self.state:
            document["state"] = self.state
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))

    def environment(self, token: str | None = None) -> dict[str, str]:
        """The Intercom token and the database password the activation file names."""
        return {**super().environment(token), "E2E_PGPASSWORD": self.password}


@dataclass
class Twin:
    """An activation and the emulator it syncs to."""

    activation: Activation
    emulator: Emulator


def with_state(activation: Activation, state: dict[str, Any]) -> None:
    """Rewrite `activation`'s file with this `state` section (after `configure`)."""
    document = yaml.safe_load(activation.file.read_text())
    document["state"] = state
    activation.file.write_text(yaml.safe_dump(document, sort_keys=False))
