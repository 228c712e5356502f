"""A project: definitions by name in hoist.yml or one per file, resolved into activations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from hoist.config import DuckDBSourceConfig, load_activation
from hoist.errors import ConfigError
from hoist.project import Problem, ProjectError, find_project, load_project
from hoist.project.example import example_files

TOKEN = "tok-PROJECT-SECRET-91c3"
ENV = {"PROD_TOKEN": TOKEN, "STAGING_TOKEN": "tok-staging"}
SYNC = {"company_id": "account_id", "mapping": {"name": "account_name"}}


def project_data() -> dict[str, Any]:
    """A project with two destinations, one source, one segment and two activations."""
    return {
        "destinations": {
            "intercom-prod": {"access_token": "${PROD_TOKEN}", "region": "eu"},
            "intercom-staging": {
                "access_token": "${STAGING_TOKEN}",
                "base_url": "http://127.0.0.1:9",
            },
        },
        "sources": {"warehouse": {"type": "duckdb", "path": "data/warehouse.duckdb"}},
        "segments": {
            "paying-eu": {
                "source": "warehouse",
                "from": "analytics.companies",
                "where": {"all": [{"column": "plan_name", "op": "in", "value": ["pro"]}]},
            }
        },
        "activations": {
            "everyone": {
                "source": "warehouse",
                "destination": "intercom-prod",
                "model": {"table": "analytics.companies"},
                "sync": SYNC,
            },
            "paying": {
                "destination": "intercom-staging",
                "model": {"segment": "paying-eu"},
                "sync": SYNC,
            },
        },
    }


def write(root: Path, data: Any, name: str = "hoist.yml") -> Path:
    """Write `data` as YAML at `root/name`."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problems_of(root: Path, environ: dict[str, str] = ENV) -> list[Problem]:
    """Every problem of the project in `root`."""
    return load_project(root, environ=environ).problems()


def test_an_activation_refers_to_its_source_and_destination_by_name(tmp_path: Path) -> None:
    """Names resolve into a complete activation; paths are relative to the project folder."""
    write(tmp_path, project_data())
    project = load_project(tmp_path, environ=ENV)
    config = project.activations["everyone"]
    assert config.name == "everyone"
    assert config.file == tmp_path / "hoist.yml"
    assert config.destination.region == "eu"
    assert config.destination.access_token.reveal() == TOKEN
    assert isinstance(config.source, DuckDBSourceConfig)
    assert config.source.path == tmp_path / "data" / "warehouse.duckdb"
    assert config.state.path == tmp_path / ".hoist" / "everyone.duckdb"
    assert config.model.table == "analytics.companies"
    assert sorted(project.activations) == ["everyone", "paying"]
    assert project.problems() == []


def test_a_segment_activation_reads_the_segment_and_its_source(tmp_path: Path) -> None:
    """`model: {segment: NAME}` carries the segment's definition and source."""
    write(tmp_path, project_data())
    config = load_project(tmp_path, environ=ENV).activations["paying"]
    assert config.model.segment is not None
    assert config.model.segment.name == "paying-eu"
    assert config.model.segment.from_ == "analytics.companies"
    assert config.source == load_project(tmp_path, environ=ENV).sources["warehouse"]


def test_definitions_may_live_one_per_file(tmp_path: Path) -> None:
    """activations/NAME.yml and segments/NAME.yml hold the same keys as hoist.yml's entries."""
    data = project_data()
    segment, activation = data["segments"].pop("paying-eu"), data["activations"].pop("paying")
    write(tmp_path, data)
    write(tmp_path, segment, "segments/paying-eu.yml")
    write(tmp_path, activation, "activations/paying.yml")
    project = load_project(tmp_path, environ=ENV)
    config = project.activations["paying"]
    assert config.file == tmp_path / "activations" / "paying.yml"
    assert (
        config.state.path == tmp_path / ".hoist" / "paying.duckdb"
    )  # the project's, not the folder's
    assert project.segments["paying-eu"].file == tmp_path / "segments" / "paying-eu.yml"


def test_the_project_is_found_from_the_current_folder_upwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a subfolder, the nearest hoist.yml above is the project."""
    write(tmp_path, project_data())
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_project() == tmp_path
    assert load_project(environ=ENV).root == tmp_path


def test_outside_a_project_the_error_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hoist.yml anywhere up: a config error pointing at --project and hoist init."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"--project DIR.*hoist init"):
        load_project()


def test_every_problem_is_listed_at_once_with_file_and_key(tmp_path: Path) -> None:
    """Bad references (with did-you-mean), unknown keys and shape errors come together."""
    data = project_data()
    data["activations"]["everyone"]["destination"] = "intercom-prd"
    data["activations"]["everyone"]["sync"] = {**SYNC, "insrt": True}
    data["segments"]["paying-eu"]["where"]["all"].append({"column": "mrr", "op": "in", "value": []})
    write(tmp_path, data)
    found = {(p.key, p.message.split(";")[0]) for p in problems_of(tmp_path)}
    assert ("activations.everyone.destination", "no destination named 'intercom-prd'") in found
    assert ("activations.everyone.sync.insrt", "unknown key") in found
    assert ("segments.paying-eu.where.all[1].value", "the in list is empty") in found
    assert all(p.file == tmp_path / "hoist.yml" for p in problems_of(tmp_path))


def test_a_problem_in_a_definition_file_names_that_file(tmp_path: Path) -> None:
    """A segment in segments/NAME.yml is reported at that file, under segments.NAME."""
    data = project_data()
    segment = data["segments"].pop("paying-eu")
    segment["where"] = {"any": [{"column": "x", "op": "between", "value": [1]}]}
    write(tmp_path, data)
    file = write(tmp_path, segment, "segments/paying-eu.yml")
    problem = problems_of(tmp_path)[0]
    assert (problem.file, problem.key) == (file, "segments.paying-eu.where.any[0].value")


def test_a_name_defined_twice_is_a_problem(tmp_path: Path) -> None:
    """The same segment in hoist.yml and in segments/ is refused, naming both files."""
    data = project_data()
    write(tmp_path, data)
    write(tmp_path, data["segments"]["paying-eu"], "segments/paying-eu.yml")
    with pytest.raises(ProjectError, match=r"segments\.paying-eu is also defined in .*hoist\.yml"):
        load_project(tmp_path, environ=ENV)


def test_files_that_do_not_parse_are_all_reported(tmp_path: Path) -> None:
    """Broken YAML in two files: both are named, with the line to fix."""
    write(tmp_path, project_data())
    (tmp_path / "activations").mkdir()
    (tmp_path / "activations" / "a.yml").write_text("model: [unclosed\n")
    (tmp_path / "segments").mkdir()
    (tmp_path / "segments" / "b.yml").write_text("from: x\n  where: :\n")
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path, environ=ENV)
    assert [p.file.name for p in caught.value.problems] == ["a.yml", "b.yml"]
    assert all("line" in p.message for p in caught.value.problems)


def test_running_one_activation_needs_only_its_own_token(tmp_path: Path) -> None:
    """An unset token of another destination does not stop this activation from loading."""
    write(tmp_path, project_data())
    project = load_project(tmp_path, environ={"PROD_TOKEN": TOKEN})
    assert project.activations["everyone"].destination.access_token.reveal() == TOKEN
    with pytest.raises(ProjectError, match="set STAGING_TOKEN in the environment"):
        project.activations["paying"]


def test_a_segment_activation_cannot_name_another_source(tmp_path: Path) -> None:
    """An activation of a segment reads the segment's source; naming another is a problem."""
    data = project_data()
    data["sources"]["other"] = {"path": "other.duckdb"}
    data["activations"]["paying"]["source"] = "other"
    write(tmp_path, data)
    (problem,) = problems_of(tmp_path)
    assert problem.key == "activations.paying.source"
    assert "differs from the source of segment 'paying-eu'" in problem.message


def test_an_unknown_activation_name_suggests_the_closest(tmp_path: Path) -> None:
    """`project.activation('payng')` says did you mean 'paying' and lists the known ones."""
    write(tmp_path, project_data())
    with pytest.raises(ConfigError, match=r"did you mean 'paying'.*everyone, paying"):
        load_project(tmp_path, environ=ENV).activation("payng")


def test_the_token_never_shows_in_a_problem(tmp_path: Path) -> None:
    """A token substituted into a wrong place is masked in the message."""
    data = project_data()
    data["destinations"]["intercom-prod"]["region"] = "${PROD_TOKEN}"
    write(tmp_path, data)
    text = "\n".join(str(p) for p in problems_of(tmp_path))
    assert "unknown region" in text
    assert TOKEN not in text


def test_a_single_activation_file_cannot_name_a_segment(tmp_path: Path) -> None:
    """Outside a project, model.segment says segments live in a project."""
    data = {
        "name": "solo",
        "source": {"path": "w.duckdb"},
        "model": {"segment": "paying-eu"},
        "destination": {"access_token": "x"},
        "sync": SYNC,
    }
    file = write(tmp_path, data, "solo.yml")
    with pytest.raises(ConfigError, match=r"model\.segment: .*only be used inside a project"):
        load_activation(file)


def test_examples_is_the_project_hoist_init_writes() -> None:
    """The shipped examples/ folder holds exactly the files `hoist init` writes."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    for name, text in example_files().items():
        assert (examples / name).read_text(encoding="utf-8") == text, name


@pytest.mark.parametrize(
    ("document", "key", "expected"),
    [
        ([1, 2], "", "must be a mapping with the keys destinations, sources"),
        ({"activatons": {}}, "activatons", "did you mean 'activations'?"),
        ({"sources": [1]}, "sources", "must map names to sources"),
        ({"segments": {"bad name!": {}}}, "segments.bad name!", "is not a valid name"),
        ({"segments": {"s": [1]}}, "segments.s", "must be a mapping of keys"),
    ],
)
def test_the_shape_of_hoist_yml_is_checked(
    tmp_path: Path, document: Any, key: str, expected: str
) -> None:
    """Top-level keys, sections and names that cannot be read are refused with their key."""
    write(tmp_path, document)
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path, environ=ENV)
    (problem,) = caught.value.problems
    assert problem.key == key
    assert expected in problem.message


def test_validate_reads_the_warehouse(tmp_path: Path) -> None:
    """A segment over a missing table and a model that fails are problems at their keys."""
    from hoist.project.validation import validate_project

    duckdb.connect(str(tmp_path / "w.duckdb")).close()
    data = project_data()
    data["sources"]["warehouse"]["path"] = "w.duckdb"
    data["activations"]["everyone"]["model"] = {"sql": "select * from nowhere"}
    write(tmp_path, data)
    found = {p.key: p.message for p in validate_project(load_project(tmp_path, environ=ENV))}
    assert "cannot read the table 'analytics.companies'" in found["segments.paying-eu.from"]
    assert "nowhere" in found["activations.everyone.model"]


def test_a_project_activation_keeps_its_state_in_the_warehouse(tmp_path: Path) -> None:
    """`state: {in_warehouse: true, schema: ...}` in a project reaches the activation."""
    data = project_data()
    data["activations"]["everyone"]["state"] = {"in_warehouse": True, "schema": "sync_state"}
    write(tmp_path, data)
    project = load_project(tmp_path, environ=ENV)
    state = project.activations["everyone"].state
    assert (state.in_warehouse, state.schema_name) == (True, "sync_state")
    assert project.activations["paying"].state.in_warehouse is False
