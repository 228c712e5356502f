"""A workspace that already holds companies, clears Intercom takes, and `sync.nulls` (issue 22).

Most workspaces hold companies before hoist first runs, with values a person typed. Each test
starts from such a workspace, populated out of band (`POST /_emulator/companies`), and runs the
real `hoist` command with local state and with warehouse-native state (DuckDB).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import httpx
import pytest
import yaml

from hoist.emulator.testing import EmulatorHandle
from tests.harness.activation import Activation

COLUMNS = {
    "account_id": "VARCHAR",
    "account_name": "VARCHAR",
    "industry": "VARCHAR",
    "employees": "INTEGER",
    "website": "VARCHAR",
    "tier": "VARCHAR",
    "plan_name": "VARCHAR",
    "mrr": "INTEGER",
    "founded": "TIMESTAMP",
}
#: Intercom attribute -> model column, for the companies a person made.
MAPPING = {
    "name": "account_name",
    "industry": "industry",
    "size": "employees",
    "website": "website",
}
#: Every standard attribute Intercom lets a sync write.
EVERY_STANDARD = {
    **MAPPING,
    "plan": "plan_name",
    "monthly_spend": "mrr",
    "remote_created_at": "founded",
}
NATIVE = {"in_warehouse": True, "schema": "hoist"}


@dataclass
class Accounts(Activation):
    """An activation over `analytics.accounts` in DuckDB, with local or native state."""

    state: dict[str, Any] | None = None

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the model table with `rows` (missing columns are null)."""
        con = duckdb.connect(str(self.warehouse))
        con.execute("CREATE SCHEMA IF NOT EXISTS analytics")
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        con.execute(f"CREATE OR REPLACE TABLE analytics.accounts ({columns})")
        if rows:
            marks = ", ".join("?" for _ in COLUMNS)
            con.executemany(
                f"INSERT INTO analytics.accounts VALUES ({marks})",
                [[row.get(name) for name in COLUMNS] for row in rows],
            )
        con.close()

    def configure(self, **sync: Any) -> None:
        """Write the activation file: `MAPPING` and the custom attribute `tier`, plus `sync`."""
        document: dict[str, Any] = {
            "name": "e2e",
            "source": {"type": "duckdb", "path": "warehouse.duckdb"},
            "model": {"table": "analytics.accounts"},
            "destination": {"access_token": "${E2E_INTERCOM_TOKEN}", "base_url": self.base_url},
            "sync": {
                "insert": True,
                "company_id": "account_id",
                "mapping": MAPPING,
                "custom_attributes": ["tier"],
                **sync,
            },
        }
        if self.state is not None:
            document["state"] = self.state
        self.file.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.fixture(params=["local", "native"])
def accounts(request: pytest.FixtureRequest, tmp_path: Any, emulator: EmulatorHandle) -> Accounts:
    """The activation with local state, then with its state in the warehouse."""
    made = Accounts(
        folder=tmp_path,
        base_url=emulator.base_url,
        warehouse=tmp_path / "warehouse.duckdb",
        file=tmp_path / "activation.yml",
        state=NATIVE if request.param == "native" else None,
    )
    made.configure()
    made.write_rows([])
    return made


#: What a person typed into Intercom for eight companies, before hoist ever ran.
TYPED = [
    {
        "company_id": f"p-{i}",
        "name": f"Typed {i}",
        "industry": "Retail",
        "size": 10 + i,
        "website": f"https://typed-{i}.test",
        "custom_attributes": {"tier": "bronze"},
    }
    for i in range(8)
]


def populate(emulator: EmulatorHandle) -> None:
    """Fill the workspace out of band: the `tier` attribute, then the companies in `TYPED`."""
    body = {"name": "tier", "model": "company", "data_type": "string"}
    auth = {"Authorization": "Bearer t", "Intercom-Version": "2.16"}
    httpx.post(f"{emulator.base_url}/data_attributes", json=body, headers=auth).raise_for_status()
    for company in TYPED:
        url = f"{emulator.base_url}/_emulator/companies"
        httpx.post(url, json=company).raise_for_status()


def model(count: int = 8) -> list[dict[str, Any]]:
    """The model of the typed companies: nulls where the warehouse knows nothing."""
    rows = [
        {
            "account_id": f"p-{i}",
            "account_name": f"Model {i}",
            "industry": None if i in (0, 3) else "Software",
            "employees": None if i in (1, 3) else 100 + i,
            "website": None if i in (2, 3) else f"https://model-{i}.test",
            "tier": None if i in (3, 4) else "gold",
        }
        for i in range(count)
    ]
    return rows


#: Mapped values the model has as null while the typed company holds one (p-0 to p-4).
HELD_NULLS = 8


def held(emulator: EmulatorHandle, company_id: str) -> dict[str, Any]:
    """The mapped values Intercom holds for `company_id`, keyed by model column."""
    company = emulator.emulator.company_by_company_id(company_id)
    assert company is not None, company_id
    return {
        "account_name": company.get("name"),
        "industry": company.get("industry"),
        "employees": company.get("size"),
        "website": company.get("website"),
        "tier": company["custom_attributes"].get("tier"),
    }


def differing(emulator: EmulatorHandle, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(company_id, column) of every mapped value Intercom holds other than the model."""
    found = []
    for row in rows:
        values = held(emulator, row["account_id"])
        found += [(row["account_id"], k) for k, v in values.items() if row.get(k) != v]
    return found


def writes(emulator: EmulatorHandle, since: int) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every company write since request `since`."""
    return [
        (r.method, r.path, r.json)
        for r in emulator.emulator.requests()[since:]
        if r.path.startswith("/companies") and r.method in ("POST", "PUT")
    ]


def test_first_contact_in_insert_mode_leaves_intercom_equal_to_the_model(
    accounts: Accounts, emulator: EmulatorHandle
) -> None:
    """Typed values the model has as null are cleared, one extra call per such company only."""
    populate(emulator)
    rows = [*model(), {"account_id": "n-0", "account_name": "New", "tier": None}]
    accounts.write_rows(rows)
    typed_nulls = held_nulls(emulator, rows[:8])
    assert len(typed_nulls) == HELD_NULLS
    expected = {cid: sorted(cols) for cid, cols in _by_company(typed_nulls).items()}
    mark = len(emulator.emulator.requests())

    report = accounts.run_json()

    assert (report["status"], report["created"], report["_exit"]) == ("success", 9, 0)
    assert differing(emulator, rows) == []
    bodies: dict[str, list[dict[str, Any]]] = {}
    for method, _, body in writes(emulator, mark):
        assert method == "POST"
        bodies.setdefault(body["company_id"], []).append(body)
    # One upsert each, one more only for a typed company the model has a null for: that one
    # carries exactly the nulls for what Intercom held; the new company gets no null at all.
    assert {cid: len(sent) for cid, sent in bodies.items()} == {
        r["account_id"]: 1 + (r["account_id"] in expected) for r in rows
    }
    cleared = {cid: sorted(_nulls(sent[1])) for cid, sent in bodies.items() if len(sent) == 2}
    assert cleared == expected
    assert all(not _nulls(sent[0]) for sent in bodies.values())

    again = accounts.run_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 9)
    if accounts.state is None:  # hoist verify reads local state only
        verified = accounts.run_json("verify")
        assert (verified["_exit"], verified["drifted"]) == (0, [])


def held_nulls(emulator: EmulatorHandle, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(company_id, column) where the model has null and Intercom holds a value."""
    return [(cid, col) for cid, col in differing(emulator, rows) if _row(rows, cid)[col] is None]


def _row(rows: list[dict[str, Any]], company_id: str) -> dict[str, Any]:
    return next(row for row in rows if row["account_id"] == company_id)


def _by_company(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for company_id, column in pairs:
        grouped.setdefault(company_id, []).append(column)
    return grouped


#: Model column of each attribute a body may carry.
_COLUMN = {**MAPPING, "tier": "tier"}


def _nulls(body: dict[str, Any]) -> list[str]:
    """The model columns a body sends null for."""
    flat = {**{k: v for k, v in body.items() if k != "custom_attributes"}}
    flat.update(body.get("custom_attributes") or {})
    return [_COLUMN[key] for key, value in flat.items() if value is None]


def test_first_contact_in_update_only_mode_clears_with_the_write_itself(
    accounts: Accounts, emulator: EmulatorHandle
) -> None:
    """Update-only runs clear what the lookup read where the model has null: one PUT each."""
    populate(emulator)
    rows = [*model(), {"account_id": "n-0", "account_name": "Not in Intercom"}]
    accounts.write_rows(rows)
    accounts.configure(insert=False)
    mark = len(emulator.emulator.requests())

    report = accounts.run_json()

    assert (report["status"], report["updated"], report["not_in_intercom"]) == ("success", 8, 1)
    assert differing(emulator, rows[:8]) == []
    assert emulator.emulator.company_by_company_id("n-0") is None
    sent = writes(emulator, mark)
    assert [method for method, _, _ in sent] == ["PUT"] * 8
    assert accounts.run_json()["updated"] == 0


def test_nulls_keep_never_overwrites_a_value_in_intercom(
    accounts: Accounts, emulator: EmulatorHandle
) -> None:
    """With `sync.nulls: keep`, model nulls leave typed values; values still go; no drift."""
    populate(emulator)
    rows = model()
    accounts.write_rows(rows)
    accounts.configure(nulls="keep")

    report = accounts.run_json()

    assert (report["status"], report["created"]) == ("success", 8)
    for row in rows:
        values = held(emulator, row["account_id"])
        typed = TYPED[int(row["account_id"][2:])]
        expected = {
            "account_name": row["account_name"],
            "industry": row["industry"] or typed["industry"],
            "employees": row["employees"] or typed["size"],
            "website": row["website"] or typed["website"],
            "tier": row["tier"] or "bronze",
        }
        assert values == expected, row["account_id"]
    rows[5]["industry"] = None  # the warehouse forgets a value hoist delivered
    accounts.write_rows(rows)
    mark = len(emulator.emulator.requests())
    quiet = accounts.run_json()
    assert (quiet["updated"], writes(emulator, mark)) == (0, [])
    assert held(emulator, "p-5")["industry"] == "Software"
    if accounts.state is None:  # hoist verify reads local state only
        verified = accounts.run_json("verify")
        assert (verified["_exit"], verified["drifted"]) == (0, [])


def test_removal_clear_with_every_standard_attribute_mapped(
    accounts: Accounts, emulator: EmulatorHandle
) -> None:
    """A clear leaves remote_created_at (PUT cannot carry it), says so once, clears the rest."""
    rows = [
        {
            "account_id": f"c-{i}",
            "account_name": f"Co {i}",
            "industry": "Software",
            "employees": 5,
            "website": "https://co.test",
            "tier": "gold",
            "plan_name": "Pro",
            "mrr": 1200,
            "founded": "2020-01-02 03:04:05",
        }
        for i in range(3)
    ]
    accounts.write_rows(rows)
    accounts.configure(mapping=EVERY_STANDARD, on_removal="clear", max_removals="100%")
    assert accounts.run_json()["created"] == 3
    accounts.write_rows(rows[:2])  # c-2 leaves the model
    mark = len(emulator.emulator.requests())

    cleared = accounts.run_json()

    assert (cleared["status"], cleared["removed"], cleared["_exit"]) == ("success", 1, 0)
    [warning] = cleared["warnings"]
    assert "remote_created_at" in warning
    [(method, _, body)] = writes(emulator, mark)
    assert method == "PUT"
    assert "remote_created_at" not in body
    gone = emulator.emulator.company_by_company_id("c-2")
    assert gone is not None
    assert gone["remote_created_at"] == 1577934245
    assert [k for k in ("name", "industry", "size", "website") if k in gone] == []
    assert (gone["plan"], gone["monthly_spend"], gone["custom_attributes"]) == ({}, 0, {})
    mark = len(emulator.emulator.requests())
    again = accounts.run_json()
    assert (again["removed"], again["warnings"], writes(emulator, mark)) == (0, [], [])
    if accounts.state is None:
        verified = accounts.run_json("verify")
        assert (verified["_exit"], verified["drifted"]) == (0, [])
