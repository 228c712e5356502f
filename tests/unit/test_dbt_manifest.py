"""dbt models named in hoist's files: the relation read from dbt's manifest, quoted for each
dialect, and every refusal a user can meet, with its message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hoist.cli import main
from hoist.config import ModelConfig, parse_activation
from hoist.errors import ConfigError
from hoist.sources.shared_config import DbtProject
from hoist.sql.model import model_query
from hoist.ui.dbt_models import dbt_choices


def node(name: str, relation: str | None, **fields: Any) -> dict[str, Any]:
    """A model node as dbt writes it into manifest.json (the keys hoist reads)."""
    return {
        "resource_type": "model",
        "name": name,
        "package_name": fields.pop("package", "shop"),
        "relation_name": relation,
        "database": fields.pop("database", "dev"),
        "schema": fields.pop("schema", "marts"),
        "alias": fields.pop("alias", name),
        "config": {"materialized": fields.pop("materialized", "table")},
        "original_file_path": f"models/{name}.sql",
        "description": fields.pop("description", ""),
        "columns": fields.pop("columns", {}),
        **fields,
    }


def write_manifest(
    folder: Path, adapter: str, *nodes: dict[str, Any], project: str | None = "shop"
) -> DbtProject:
    """A dbt project folder whose target/manifest.json lists `nodes` (`project`: the root
    project's name, which manifests before dbt 1.6 leave out)."""
    target = folder / "target"
    target.mkdir(parents=True, exist_ok=True)
    metadata = {"adapter_type": adapter} | ({"project_name": project} if project else {})
    document = {
        "metadata": metadata,
        "nodes": {f"model.{n['package_name']}.{n['name']}": n for n in nodes},
    }
    (target / "manifest.json").write_text(json.dumps(document))
    return DbtProject(project_dir=folder)


def query(project: DbtProject, name: str, dialect: str) -> str:
    """The SQL hoist sends to read dbt model `name`."""
    return model_query(ModelConfig(dbt=name), dialect, file="a.yml", dbt=project)


RELATIONS = [
    ("duckdb", '"dev"."main_marts"."intercom_companies"', "duckdb", None),
    ("postgres", '"analytics"."marts"."Companies"', "postgres", None),
    ("redshift", '"dev"."marts"."companies"', "redshift", None),
    # Unquoted in Snowflake folds to upper case: quoting upper case names means the same.
    ("snowflake", "ANALYTICS.MARTS.COMPANIES", "snowflake", '"ANALYTICS"."MARTS"."COMPANIES"'),
    ("snowflake", "analytics.marts.companies", "snowflake", None),
    ("snowflake", '"ANALYTICS"."MARTS"."Intercom"', "snowflake", None),
    ("bigquery", "`my-project`.`marts`.`intercom_companies`", "bigquery", None),
    ("spark", "`marts`.`intercom_companies`", "spark", None),
    ("databricks", "`main`.`marts`.`intercom_companies`", "databricks", None),
    # dbt-duckdb's relation read by a Spark source: re-quoted for Spark, same names.
    ("duckdb", '"dev"."marts"."companies"', "spark", "`dev`.`marts`.`companies`"),
]


@pytest.mark.parametrize(("adapter", "relation", "dialect", "expected"), RELATIONS)
def test_the_relation_dbt_built_is_read_quoted_for_the_dialect(
    tmp_path: Path, adapter: str, relation: str, dialect: str, expected: str | None
) -> None:
    """hoist selects from the relation dbt built (database, schema, alias), quoted as dbt
    quoted it and rendered for the source's dialect."""
    project = write_manifest(tmp_path, adapter, node("companies", relation))
    assert query(project, "companies", dialect) == f"SELECT * FROM {expected or relation}"


def test_without_relation_name_the_parts_are_quoted(tmp_path: Path) -> None:
    """An older manifest without relation_name: database, schema and alias, each quoted, even
    one holding a quote (never pasted into SQL)."""
    model = node("companies", None, alias='odd"name', schema="marts")
    project = write_manifest(tmp_path, "postgres", model)
    assert query(project, "companies", "postgres") == 'SELECT * FROM "dev"."marts"."odd""name"'


def test_package_name_picks_the_model_of_that_package(tmp_path: Path) -> None:
    """``package.NAME`` names a package's model; ``NAME`` means the root project's one."""
    root = node("companies", '"dev"."marts"."companies"')
    other = node("companies", '"dev"."crm"."companies"', package="crm")
    project = write_manifest(tmp_path, "postgres", root, other)
    assert query(project, "companies", "postgres").endswith('"marts"."companies"')
    assert query(project, "crm.companies", "postgres").endswith('"crm"."companies"')


def test_a_name_two_packages_define_must_say_which(tmp_path: Path) -> None:
    """A name only packages define, twice, is refused: write package.NAME."""
    one = node("accounts", '"dev"."a"."accounts"', package="a")
    two = node("accounts", '"dev"."b"."accounts"', package="b")
    project = write_manifest(tmp_path, "postgres", one, two)
    with pytest.raises(ConfigError, match=r"several packages \(a.accounts, b.accounts\)"):
        query(project, "accounts", "postgres")


REFUSALS = [
    ("compnies", r"model\.dbt: no dbt model named 'compnies'.* did you mean 'companies'\?"),
    ("paying", r"'paying' is ephemeral: dbt builds no table or view.*materialized='view'"),
]


@pytest.mark.parametrize(("name", "message"), REFUSALS)
def test_unknown_and_ephemeral_models_are_refused(tmp_path: Path, name: str, message: str) -> None:
    """An unknown model (with a did-you-mean) and an ephemeral one stop before any work."""
    models = [node("companies", '"dev"."marts"."companies"'), node("paying", None)]
    models[1]["config"]["materialized"] = "ephemeral"
    project = write_manifest(tmp_path, "postgres", *models)
    with pytest.raises(ConfigError, match=message):
        query(project, name, "postgres")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "does not exist"),
        ("{not json", "cannot be read as JSON"),
        ('{"metadata": {}}', "is not a dbt manifest"),
    ],
)
def test_a_missing_or_unreadable_manifest_says_to_run_dbt(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    """Without a readable manifest, the message names it and says to run dbt parse."""
    if content is not None:
        (tmp_path / "target").mkdir()
        (tmp_path / "target" / "manifest.json").write_text(content)
    with pytest.raises(ConfigError) as caught:
        query(DbtProject(project_dir=tmp_path), "companies", "duckdb")
    message = str(caught.value)
    assert f"{tmp_path / 'target' / 'manifest.json'} {reason}" in message
    assert "run `dbt parse` (or `dbt build`)" in message


def test_a_source_without_a_dbt_project_is_named(tmp_path: Path) -> None:
    """model.dbt on a source without dbt: says to add dbt: {project_dir: PATH} to the source."""
    with pytest.raises(ConfigError, match=r"add dbt: \{project_dir: PATH\} to the source"):
        model_query(ModelConfig(dbt="companies"), "duckdb", file="a.yml", dbt=None)


def test_a_rewritten_manifest_is_read_again(tmp_path: Path) -> None:
    """After `dbt build` moves a model (a new alias), the next read follows it."""
    project = write_manifest(tmp_path, "duckdb", node("companies", '"dev"."marts"."old"'))
    assert query(project, "companies", "duckdb").endswith('"old"')
    write_manifest(tmp_path, "duckdb", node("companies", '"dev"."marts"."renamed_too"'))
    assert query(project, "companies", "duckdb").endswith('"renamed_too"')


def test_dbt_paths_are_read_from_the_activation_files_folder(tmp_path: Path) -> None:
    """project_dir and manifest are relative to the activation file; the manifest defaults to
    PROJECT_DIR/target/manifest.json."""
    base = {
        "name": "a",
        "model": {"dbt": "companies"},
        "destination": {"access_token": "t"},
        "sync": {"company_id": "id"},
    }
    folder = tmp_path / "hoist"
    source = {"path": "w.duckdb", "dbt": {"project_dir": "../dbt"}}
    config = parse_activation({**base, "source": source}, file=folder / "a.yml")
    assert config.source.dbt is not None
    assert config.source.dbt.manifest_path == tmp_path / "dbt" / "target" / "manifest.json"
    source = {**source, "dbt": {"project_dir": "../dbt", "manifest": "m/manifest.json"}}
    config = parse_activation({**base, "source": source}, file=folder / "a.yml")
    assert config.source.dbt is not None
    assert config.source.dbt.manifest_path == folder / "m" / "manifest.json"


def test_a_mistyped_dbt_key_is_named_with_the_allowed_ones(tmp_path: Path) -> None:
    """A typo under source.dbt names the key, a did-you-mean and the keys allowed there."""
    data = {
        "name": "a",
        "source": {"path": "w.duckdb", "dbt": {"project_dir": "dbt", "manifets": "m.json"}},
        "model": {"dbt": "companies"},
        "destination": {"access_token": "t"},
        "sync": {"company_id": "id"},
    }
    with pytest.raises(ConfigError, match=r"source\.dbt\.manifets: unknown key; did you mean"):
        parse_activation(data, file=tmp_path / "a.yml")


def test_validate_refuses_an_unknown_model_and_warns_of_a_stale_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`hoist validate --offline` exits 2 for an unknown dbt model; for a model whose SQL file
    is newer than the manifest it warns and exits 0."""
    project = write_manifest(tmp_path / "dbt", "duckdb", node("companies", '"w"."m"."c"'))
    sql = project.project_dir / "models" / "companies.sql"
    sql.parent.mkdir()
    sql.write_text("select 1 as id")
    activation = {
        "source": "warehouse",
        "destination": "intercom",
        "model": {"dbt": "companis"},
        "sync": {"company_id": "id"},
    }
    document: dict[str, Any] = {
        "destinations": {"intercom": {"access_token": "${INTERCOM_DBT_TEST_TOKEN}"}},
        "sources": {"warehouse": {"path": "w.duckdb", "dbt": {"project_dir": "dbt"}}},
        "segments": {"s": {"source": "warehouse", "from": {"dbt": "paying"}}},
        "activations": {"a": activation},
    }
    (tmp_path / "hoist.yml").write_text(yaml.safe_dump(document))
    monkeypatch.setenv("INTERCOM_DBT_TEST_TOKEN", "t")
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(main, ["validate", "--offline"])
    assert refused.exit_code == 2
    assert "activations.a.model.dbt: no dbt model named 'companis'" in refused.output
    assert "did you mean 'companies'?" in refused.output
    assert "segments.s.from.dbt: no dbt model named 'paying'" in refused.output

    activation["model"] = {"dbt": "companies"}
    document["segments"]["s"]["from"] = {"dbt": "companies"}
    (tmp_path / "hoist.yml").write_text(yaml.safe_dump(document))
    stale = CliRunner().invoke(main, ["validate", "--offline", "--json"])
    assert stale.exit_code == 0, stale.output
    warnings = json.loads(stale.output)["warnings"]
    assert [w["key"] for w in warnings] == ["segments.s.from.dbt", "activations.a.model.dbt"]
    assert all(
        "companies.sql changed after the manifest was written" in w["message"] for w in warnings
    )


def exposures_project(root: Path, owner: dict[str, str] | None) -> None:
    """A project with three activations: a dbt model, a package's dbt model, a table."""
    sync = {"company_id": "id"}
    base = {"source": "warehouse", "destination": "intercom", "sync": sync}
    document: dict[str, Any] = {
        "destinations": {"intercom": {"access_token": "${UNSET_FOR_EXPOSURES}"}},
        "sources": {"warehouse": {"path": "w.duckdb", "dbt": {"project_dir": "dbt"}}},
        "activations": {
            "eu-companies": {**base, "model": {"dbt": "companies"}},
            "eu_companies": {**base, "model": {"dbt": "crm.accounts"}, "sync": {**sync}},
            "by-table": {**base, "model": {"table": "main.t"}},
        },
    }
    document["activations"]["eu_companies"]["sync"]["insert"] = False
    if owner is not None:
        document["owner"] = owner
    (root / "hoist.yml").write_text(yaml.safe_dump(document))


def test_exposures_name_each_activation_reading_a_dbt_model(tmp_path: Path) -> None:
    """One exposure per dbt-reading activation: names made dbt-safe and unique, a package's
    model as ref('package', 'NAME'), the owner, and no token needed."""
    exposures_project(tmp_path, {"email": "data@example.com"})
    result = CliRunner().invoke(main, ["dbt", "exposures", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.output)
    assert document["version"] == 2
    found = {e["name"]: (e["label"], e["depends_on"], e["owner"]) for e in document["exposures"]}
    owner = {"email": "data@example.com"}
    assert found == {
        "eu_companies": ("eu-companies", ["ref('companies')"], owner),
        "eu_companies_2": ("eu_companies", ["ref('crm', 'accounts')"], owner),
    }
    assert "updates (never creates)" in document["exposures"][1]["description"]


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        (None, "hoist.yml: owner: dbt exposures need an owner"),
        ({"team": "data"}, "owner.team: unknown key"),
        ({}, "owner: give a name or an email"),
    ],
)
def test_exposures_refuse_a_missing_or_wrong_owner(
    tmp_path: Path, owner: dict[str, str] | None, message: str
) -> None:
    """Without a usable `owner:` the command exits 2, naming the key and the fix."""
    exposures_project(tmp_path, owner)
    result = CliRunner().invoke(main, ["dbt", "exposures", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output


def test_the_ui_picker_offers_built_models_and_explains_a_missing_manifest(
    tmp_path: Path,
) -> None:
    """The picker lists built models (a package's as package.NAME, no ephemeral one) with their
    descriptions and the chosen model's documented columns; without a manifest it says why."""
    missing = dbt_choices(DbtProject(project_dir=tmp_path / "none"), "")
    assert missing.models == []
    assert missing.problem is not None
    assert "manifest.json does not exist; run `dbt parse`" in missing.problem

    columns = {"id": {"description": "The account"}, "plan": {"description": ""}}
    companies = node("companies", '"w"."m"."c"', description="Paying accounts", columns=columns)
    accounts = node("accounts", '"w"."crm"."a"', package="crm")
    hidden = node("paying", None, materialized="ephemeral")
    project = write_manifest(tmp_path, "duckdb", companies, accounts, hidden)
    choices = dbt_choices(project, "companies")
    assert [(m.name, m.description) for m in choices.models] == [
        ("companies", "Paying accounts"),
        ("crm.accounts", ""),
    ]
    assert choices.columns == {"id": "The account"}


def test_an_old_manifest_without_the_project_name_still_resolves(tmp_path: Path) -> None:
    """A manifest that does not name its project (dbt before 1.6) resolves NAME all the same,
    and a relation sqlglot cannot read falls back to the parts."""
    model = node("companies", "not a relation (", schema="marts", alias="companies")
    project = write_manifest(tmp_path, "postgres", model, project=None)
    assert query(project, "companies", "postgres") == 'SELECT * FROM "dev"."marts"."companies"'


def test_validate_a_single_activation_file_checks_its_dbt_model(tmp_path: Path) -> None:
    """`hoist validate FILE` names an unknown dbt model of a single activation file (exit 2)."""
    write_manifest(tmp_path / "dbt", "duckdb", node("companies", '"w"."m"."c"'))
    document = {
        "name": "one",
        "source": {"path": "w.duckdb", "dbt": {"project_dir": "dbt"}},
        "model": {"dbt": "companys"},
        "destination": {"access_token": "t"},
        "sync": {"company_id": "id"},
    }
    file = tmp_path / "one.yml"
    file.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(main, ["validate", str(file)])
    assert result.exit_code == 2
    assert f"{file}: model.dbt: no dbt model named 'companys'" in result.output
