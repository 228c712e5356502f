"""hoist's activations in dbt's lineage: `hoist dbt exposures` writes YAML that real dbt
parses into exposures downstream of the models, owned by the project's owner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.harness.dbt_project import COMPANIES, dbt, hoist, write_project

pytestmark = pytest.mark.dbt

SOURCE = {"path": "warehouse.duckdb", "dbt": {"project_dir": "dbt"}}
OWNER = {"name": "Data team", "email": "data@example.com"}


def test_exposures_parse_in_dbt_downstream_of_their_models(dbt_duckdb: Path) -> None:
    """Each activation reading a dbt model (directly, through a segment, in its contacts) is one
    exposure dbt parses, depending on those models; other activations are left out; no token
    is needed."""
    contacts = {"model": {"dbt": "contacts"}, "company_id": "account_id", "match": "email"}
    by_segment = {k: v for k, v in COMPANIES.items() if k != "source"}
    activations = {
        "companies-to-intercom": {**COMPANIES, "contacts": {**contacts, "column": "email"}},
        "paying.eu": {**by_segment, "model": {"segment": "paying"}},
        "by-table": {**COMPANIES, "model": {"table": "main.stg_companies"}},
    }
    segment = {"source": "warehouse", "from": {"dbt": "companies"}}
    segments = {"paying": {**segment, "where": {"column": "mrr", "op": "gt", "value": 0}}}
    write_project(dbt_duckdb, SOURCE, activations, owner=OWNER, segments=segments)

    printed = hoist("dbt", "exposures", cwd=dbt_duckdb, env={"DBT_TEST_TOKEN": None})
    assert printed.returncode == 0, printed.stderr
    (dbt_duckdb / "dbt" / "models" / "hoist_exposures.yml").write_text(printed.stdout)
    parsed = dbt(dbt_duckdb / "dbt", "parse")
    assert "deprecat" not in parsed.stdout.lower()

    manifest = json.loads((dbt_duckdb / "dbt" / "target" / "manifest.json").read_text())
    found = {
        e["label"]: (e["type"], e["depends_on"]["nodes"], e["owner"])
        for e in manifest["exposures"].values()
    }
    assert found == {
        "companies-to-intercom": (
            "application",
            ["model.hoist_fixture.companies", "model.hoist_fixture.contacts"],
            OWNER,
        ),
        "paying.eu": ("application", ["model.hoist_fixture.companies"], OWNER),
    }


def test_exposures_need_the_projects_owner(tmp_path: Path) -> None:
    """Without `owner:` in hoist.yml, the command exits 2 and says what to add."""
    write_project(tmp_path, SOURCE, {"companies": COMPANIES})
    refused = hoist("dbt", "exposures", cwd=tmp_path)
    assert refused.returncode == 2
    assert "hoist.yml: owner: dbt exposures need an owner; add owner: {name:" in refused.stderr
    assert yaml.safe_load(refused.stdout) is None
