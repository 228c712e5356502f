"""dbt models as hoist models, end to end: dbt-duckdb builds the fixture project, the real
`hoist` command reads the relations dbt built and delivers them to the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hoist.emulator.testing import EmulatorHandle
from tests.harness.dbt_project import COMPANIES, dbt, hoist, write_project

pytestmark = pytest.mark.dbt

SOURCE = {"path": "warehouse.duckdb", "dbt": {"project_dir": "dbt"}}


def _companies(emulator: EmulatorHandle) -> dict[str, tuple[str, str]]:
    return {c["company_id"]: (c["name"], c["plan"]["name"]) for c in emulator.emulator.companies()}


def test_run_delivers_the_mart_and_a_rebuild_sends_only_the_change(
    dbt_duckdb: Path, emulator: EmulatorHandle
) -> None:
    """A run delivers dbt's mart (custom schema, alias) and attaches the contacts of a dbt
    contacts model; after a change and `dbt build`, the next run sends that one company only."""
    for name in ("acme", "globex", "initech", "umbrella"):
        emulator.emulator.seed_contact(role="user", email=f"{name}@example.com")
    contacts = {"model": {"dbt": "contacts"}, "company_id": "account_id", "match": "email"}
    activation = {**COMPANIES, "contacts": {**contacts, "column": "email"}}
    write_project(dbt_duckdb, SOURCE, {"companies": activation}, base_url=emulator.base_url)

    first = hoist("run", "companies", "--json", cwd=dbt_duckdb)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["contacts_attached"] == 4
    assert _companies(emulator) == {
        "acct-1": ("Acme", "PRO"),
        "acct-2": ("Globex", "FREE"),
        "acct-3": ("Initech", "ENTERPRISE"),
        "acct-4": ("Umbrella", "PRO"),
    }

    seeds = dbt_duckdb / "dbt" / "seeds" / "raw_companies.csv"
    seeds.write_text(seeds.read_text().replace("acct-2,Globex,free,0", "acct-2,Globex,pro,80"))
    dbt(dbt_duckdb / "dbt", "build")
    before = emulator.emulator.request_count("POST", "/companies")

    second = hoist("run", "companies", "--json", cwd=dbt_duckdb)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 3)
    assert emulator.emulator.request_count("POST", "/companies") - before == 1
    assert _companies(emulator)["acct-2"] == ("Globex", "PRO")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("int_paying", "dbt model 'int_paying' is ephemeral"),
        ("compnies", "no dbt model named 'compnies' in"),
    ],
)
def test_run_refuses_an_ephemeral_or_unknown_model(
    dbt_duckdb: Path, emulator: EmulatorHandle, name: str, message: str
) -> None:
    """`hoist run` of an ephemeral or unknown dbt model exits 2 with the reason, sending nothing."""
    activation = {**COMPANIES, "model": {"dbt": name}}
    write_project(dbt_duckdb, SOURCE, {"companies": activation}, base_url=emulator.base_url)
    refused = hoist("run", "companies", cwd=dbt_duckdb)
    assert refused.returncode == 2
    assert f"hoist.yml: model.dbt: {message}" in refused.stderr
    assert emulator.emulator.requests() == []
