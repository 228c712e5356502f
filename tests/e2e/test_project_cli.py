"""Projects through the real `hoist` CLI: run by name, --all, validate, init, preview, schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest
import yaml

from hoist.config import SOURCE_TYPES
from hoist.project.json_schemas import SCHEMA_FILES
from tests.harness.activation import company_rows
from tests.harness.project import (
    DUCKDB_SOURCE,
    SEGMENT,
    SQL,
    build_warehouse,
    hoist,
    postgres_warehouse,
    write_project,
)

REPO = Path(__file__).resolve().parents[2]


def companies(emulator: Any) -> dict[str, Any]:
    """What an emulator holds: company_id -> the values hoist sets."""
    return {
        c["company_id"]: (c["name"], c["plan"]["name"], c["monthly_spend"], c["custom_attributes"])
        for c in emulator.emulator.companies()
    }


def send_both(
    root: Path,
    emulator_factory: Callable[..., Any],
    source: dict[str, str] = DUCKDB_SOURCE,
    env: dict[str, str | None] | None = None,
) -> None:
    """Run `by-sql` and `by-segment` of a project over the warehouse `source`, each to its own
    emulator, and check both emulators end up holding the same companies."""
    by_sql, by_segment = emulator_factory(), emulator_factory()
    destinations = {"sql-workspace": by_sql.base_url, "segment-workspace": by_segment.base_url}
    write_project(root, destinations, source)
    for name in ("by-sql", "by-segment"):
        done = hoist("run", name, "--json", cwd=root, env=env)
        assert done.returncode == 0, done.stderr
    sent = companies(by_sql)
    assert 5 < len(sent) < 90  # the filter keeps some companies, not all
    assert companies(by_segment) == sent


def test_sql_and_segment_send_the_same_companies(
    tmp_path: Path, emulator_factory: Callable[..., Any]
) -> None:
    """On DuckDB, the SQL model and the equivalent segment leave the same companies in Intercom."""
    build_warehouse(tmp_path / "warehouse.duckdb", company_rows(90))
    send_both(tmp_path, emulator_factory)


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgres" not in SOURCE_TYPES, reason="the postgres source (issue 10) is not merged yet"
)
def test_sql_and_segment_send_the_same_companies_on_postgres(
    tmp_path: Path, emulator_factory: Callable[..., Any], postgres_database: str
) -> None:
    """On Postgres, the SQL model and the equivalent segment leave the same companies."""
    postgres_warehouse(postgres_database, company_rows(90))
    source = {"type": "postgres", "url": "${PROJECT_PG_URL}"}  # the password stays in the env
    send_both(tmp_path, emulator_factory, source, env={"PROJECT_PG_URL": postgres_database})


def test_run_by_name_from_a_subfolder_and_with_project(
    project: Path, tmp_path_factory: Any
) -> None:
    """`hoist run NAME` finds the project upwards; `--project DIR` works from anywhere."""
    sub = project / "activations"
    first = json.loads(hoist("run", "by-segment", "--json", cwd=sub).stdout)
    assert (first["activation"], first["status"], first["created"] > 0) == (
        "by-segment",
        "success",
        True,
    )
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    again = json.loads(
        hoist("plan", "by-segment", "--project", str(project), "--json", cwd=elsewhere).stdout
    )
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, first["created"])
    # The history needs no token: it is read from state only.
    history = hoist(
        "--project",
        str(project),
        "runs",
        "by-segment",
        "--json",
        cwd=elsewhere,
        env={"INTERCOM_ACCESS_TOKEN": None},
    )
    assert [run["run_id"] for run in json.loads(history.stdout)] == [first["run_id"]]


def test_run_all_runs_every_activation(project: Path) -> None:
    """`hoist run --all` runs each activation and reports each; exit 0 when all succeed."""
    done = hoist("run", "--all", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)["runs"]
    assert sorted(r["activation"] for r in reports) == ["by-segment", "by-sql"]
    assert all(r["status"] == "success" for r in reports)


def test_an_unknown_name_exits_2_with_a_suggestion(project: Path) -> None:
    """A misspelt activation name is a config error that suggests the closest one."""
    done = hoist("run", "by-segmnt", cwd=project)
    assert done.returncode == 2
    assert "did you mean 'by-segment'?" in done.stderr


def test_validate_lists_every_problem_with_file_key_and_fix(project: Path) -> None:
    """Problems in hoist.yml and in a definition file are all listed; exit status 2."""
    segment = {
        **SEGMENT,
        "where": {
            "all": [
                {"column": "plan", "op": "eq", "value": "Pro"},
                {"column": "mrr", "op": "gt", "value": "100"},
            ]
        },
    }
    (project / "segments").mkdir()
    data = yaml.safe_load((project / "hoist.yml").read_text())
    del data["segments"]["paying"]
    data["activations"]["by-sql"]["destination"] = "intercm"
    (project / "hoist.yml").write_text(yaml.safe_dump(data))
    (project / "segments" / "paying.yml").write_text(yaml.safe_dump(segment))
    offline = hoist("validate", cwd=project)
    assert offline.returncode == 2
    assert (
        "hoist.yml: activations.by-sql.destination: no destination named 'intercm'; "
        "did you mean 'intercom'?" in offline.stdout
    )
    data["activations"]["by-sql"]["destination"] = "intercom"
    (project / "hoist.yml").write_text(yaml.safe_dump(data))
    done = hoist("validate", "--json", cwd=project)
    assert done.returncode == 2
    found = {(Path(p["file"]).name, p["key"]) for p in json.loads(done.stdout)["problems"]}
    assert found == {
        ("paying.yml", "segments.paying.where.all[0].column"),
        ("paying.yml", "segments.paying.where.all[1].value"),
    }


def test_validate_passes_a_sound_project(project: Path) -> None:
    """A project with no problem validates with exit status 0, its tables checked."""
    done = hoist("validate", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 activations" in done.stdout


def test_validate_checks_that_sync_columns_exist(project: Path) -> None:
    """A mapped column missing from the model is found by validate, before any run."""
    data = yaml.safe_load((project / "hoist.yml").read_text())
    data["activations"]["by-sql"]["sync"]["mapping"]["website"] = "web_site"
    (project / "hoist.yml").write_text(yaml.safe_dump(data))
    done = hoist("validate", cwd=project)
    assert done.returncode == 2
    assert (
        "activations.by-sql.sync.mapping.website: column 'web_site' is not in the model"
        in done.stdout
    )


def test_segment_preview_shows_the_count_and_the_first_rows(project: Path) -> None:
    """`hoist segment preview NAME --limit 2` gives the row count and two rows."""
    done = hoist("segment", "preview", "paying", "--limit", "2", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    with duckdb.connect(str(project / "warehouse.duckdb"), read_only=True) as con:
        assert shown["count"] == con.sql(f"select count(*) from ({SQL})").fetchall()[0][0]
    assert len(shown["rows"]) == 2
    text = hoist("segment", "preview", "paying", cwd=project).stdout
    assert f"segment paying: {shown['count']} rows" in text


def test_init_creates_a_project_that_runs_against_the_emulator(
    tmp_path: Path, emulator: Any
) -> None:
    """`hoist init DIR` writes a project that validates and runs (both activations) as is."""
    created = hoist("init", "demo", "--rows", "150", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    env = {"INTERCOM_BASE_URL": emulator.base_url}
    assert hoist("validate", cwd=tmp_path / "demo", env=env).returncode == 0
    done = hoist("run", "--all", "--json", cwd=tmp_path / "demo", env=env)
    assert done.returncode == 0, done.stderr
    reports = {r["activation"]: r for r in json.loads(done.stdout)["runs"]}
    assert reports["all-companies"]["created"] == 150
    assert 0 < reports["paying-customers"]["updated"] < 150
    assert len(emulator.emulator.companies()) == 150
    again = hoist("init", "demo", cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds a project" in again.stderr


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_the_shipped_schema_is_what_hoist_schema_prints(kind: str, tmp_path: Path) -> None:
    """schema/*.json in the repository equals `hoist schema KIND`, and is a valid JSON Schema."""
    printed = hoist("schema", kind, cwd=tmp_path).stdout
    assert (REPO / SCHEMA_FILES[kind]).read_text(encoding="utf-8") == printed
    jsonschema.Draft202012Validator.check_schema(json.loads(printed))


def test_the_example_project_matches_the_schema() -> None:
    """examples/hoist.yml and its activation file validate against the shipped schemas."""
    project = json.loads((REPO / SCHEMA_FILES["project"]).read_text())
    activation = json.loads((REPO / SCHEMA_FILES["activation"]).read_text())
    jsonschema.validate(yaml.safe_load((REPO / "examples" / "hoist.yml").read_text()), project)
    file = REPO / "examples" / "activations" / "paying-customers.yml"
    jsonschema.validate(yaml.safe_load(file.read_text()), activation)
