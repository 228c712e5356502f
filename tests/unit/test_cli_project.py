"""Project commands in-process (click's CliRunner): init, validate, preview, schema, run by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from hoist.cli import main
from hoist.emulator.testing import EmulatorHandle
from hoist.project.json_schemas import schema_text


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: EmulatorHandle) -> Path:
    """The example project with 40 companies, its destination the test emulator; cwd inside."""
    result = CliRunner().invoke(main, ["init", str(tmp_path / "demo"), "--rows", "40"])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "demo")
    monkeypatch.setenv("INTERCOM_ACCESS_TOKEN", "cli-project-token")
    monkeypatch.setenv("INTERCOM_BASE_URL", emulator.base_url)
    return tmp_path / "demo"


def hoist(*args: str) -> Result:
    """Invoke `hoist ARGS` in-process."""
    return CliRunner().invoke(main, list(args))


def test_init_lists_what_it_wrote_and_what_to_do_next(project: Path) -> None:
    """The files of the example project exist and the next steps are printed."""
    assert (project / "hoist.yml").is_file()
    assert (project / "activations" / "paying-customers.yml").is_file()
    assert (project / "warehouse.duckdb").is_file()
    again = hoist("init", str(project))
    assert again.exit_code == 2
    assert "already holds a project" in again.output


def test_validate_reports_ok_for_the_example(project: Path) -> None:
    """The example project validates, online and offline."""
    for args in (["validate"], ["validate", "--offline"]):
        result = hoist(*args)
        assert result.exit_code == 0, result.output
        assert "1 segments, 2 activations" in result.output


def test_validate_lists_problems_as_json(project: Path) -> None:
    """With --json, each problem is an object with file, key and message; exit status 2."""
    data = yaml.safe_load((project / "hoist.yml").read_text())
    data["segments"]["paying-customers"]["where"]["all"][0]["value"] = []
    data["activations"]["all-companies"]["source"] = "warehose"
    (project / "hoist.yml").write_text(yaml.safe_dump(data))
    result = hoist("validate", "--json")
    assert result.exit_code == 2
    problems = json.loads(result.output)["problems"]
    assert {p["key"] for p in problems} == {
        "segments.paying-customers.where.all[0].value",
        "activations.all-companies.source",
    }
    assert all(p["file"] == str(project / "hoist.yml") for p in problems)


def test_validate_a_single_activation_file(tmp_path: Path) -> None:
    """`hoist validate FILE` checks one activation file and names its problem."""
    file = tmp_path / "one.yml"
    file.write_text(yaml.safe_dump({"name": "one", "model": {"table": "t"}}))
    result = hoist("validate", str(file))
    assert result.exit_code == 2
    assert "sync: is required" in result.output


def test_outside_a_project_commands_say_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate and run outside any project exit 2 with the way out."""
    monkeypatch.chdir(tmp_path)
    for args in (["validate"], ["run", "anything"]):
        result = hoist(*args)
        assert result.exit_code == 2
        assert "hoist init" in result.output


def test_segment_preview_prints_count_query_and_rows(project: Path) -> None:
    """The preview shows the row count, the compiled query and at most --limit rows."""
    result = hoist("segment", "preview", "paying-customers", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("segment paying-customers: ")
    assert lines[1].startswith('SELECT * FROM "analytics"."companies" WHERE ')
    assert len([line for line in lines if line.startswith("acct-")]) == 2
    unknown = hoist("segment", "preview", "paying-customer")
    assert unknown.exit_code == 2
    assert "did you mean 'paying-customers'?" in unknown.output


@pytest.mark.parametrize("kind", ["project", "activation", "segment"])
def test_schema_prints_each_schema(kind: str) -> None:
    """`hoist schema KIND` prints the JSON Schema of that file kind."""
    result = hoist("schema", kind)
    assert result.exit_code == 0
    assert result.output == schema_text(kind)
    assert json.loads(result.output)["title"].startswith("hoist ")


def test_run_all_then_plan_and_runs_by_name(project: Path, emulator: EmulatorHandle) -> None:
    """--all runs both activations; plan and runs work by name, also with --project."""
    first = hoist("run", "--all")
    assert first.exit_code == 0, first.output
    assert "hoist run all-companies" in first.output
    assert "hoist run paying-customers" in first.output
    assert len(emulator.emulator.companies()) == 40
    plan = hoist("plan", "--all", "--json")
    assert [r["status"] for r in json.loads(plan.output)["runs"]] == ["success", "success"]
    history = hoist("--project", str(project), "runs", "paying-customers")
    assert history.exit_code == 0
    assert "success" in history.output


def test_run_all_stops_before_anything_when_one_activation_is_broken(
    project: Path, emulator: EmulatorHandle
) -> None:
    """A broken activation among several: every problem is listed and nothing is sent."""
    file = project / "activations" / "paying-customers.yml"
    file.write_text(file.read_text().replace("destination: intercom", "destination: intercon"))
    result = hoist("run", "--all")
    assert result.exit_code == 2
    assert "no destination named 'intercon'" in result.output
    assert emulator.emulator.companies() == []


def test_a_name_and_all_together_is_refused(project: Path) -> None:
    """`hoist run NAME --all` is ambiguous and refused."""
    result = hoist("run", "all-companies", "--all")
    assert result.exit_code == 2
    assert "not both" in result.output


def test_a_file_in_activations_runs_as_the_project_activation(project: Path) -> None:
    """`hoist plan activations/NAME.yml` means the project's activation NAME."""
    result = hoist("plan", "activations/paying-customers.yml", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["activation"] == "paying-customers"


def test_verify_and_runs_without_a_name_offer_no_all(project: Path) -> None:
    """`hoist verify` and `hoist runs` without a name list the activations and do not suggest
    --all, which they do not have; `hoist run` does."""
    for command in ("verify", "runs"):
        result = hoist(command)

        assert result.exit_code == 2
        assert "the project's: all-companies, paying-customers" in result.output
        assert "--all" not in result.output
    assert "name the activation to run, or --all" in hoist("run").output
