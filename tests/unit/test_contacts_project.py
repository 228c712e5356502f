"""`contacts:` in a project's activation definitions: resolved, validated, segments allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import yaml

from hoist.project import Problem, load_project
from hoist.project.validation import validate_project

ENV = {"TOKEN": "tok-contacts-project"}
SYNC = {"company_id": "account_id", "mapping": {"name": "account_name"}}
CONTACTS: dict[str, Any] = {
    "model": {"sql": "select account_id, email from analytics.users"},
    "company_id": "account_id",
    "match": "email",
    "column": "email",
}


def write(root: Path, data: Any, name: str) -> None:
    """Write `data` as YAML at `root/name`."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def project(root: Path, contacts: Any, **sources: Any) -> None:
    """A project whose activation `people` (in activations/people.yml) has `contacts`."""
    write(
        root,
        {
            "destinations": {"intercom": {"access_token": "${TOKEN}"}},
            "sources": {"warehouse": {"path": "w.duckdb"}, **sources},
            "segments": {
                "active-users": {
                    "source": "warehouse",
                    "from": "analytics.users",
                    "where": {"column": "active", "op": "is_true"},
                }
            },
        },
        "hoist.yml",
    )
    activation = {
        "source": "warehouse",
        "destination": "intercom",
        "model": {"table": "analytics.companies"},
        "sync": SYNC,
        "contacts": contacts,
    }
    write(root, activation, "activations/people.yml")


def problems(root: Path) -> dict[str, str]:
    """The project's problems by key."""
    found: list[Problem] = load_project(root, environ=ENV).problems()
    return {p.key: p.message for p in found}


def test_contacts_in_an_activation_file_of_a_project_resolve(tmp_path: Path) -> None:
    """activations/NAME.yml takes the same contacts section as a single activation file."""
    project(tmp_path, {**CONTACTS, "on_removal": "detach"})
    config = load_project(tmp_path, environ=ENV).activations["people"]
    assert config.contacts is not None
    assert config.contacts.model.sql == CONTACTS["model"]["sql"]
    assert (config.contacts.match, config.contacts.on_removal) == ("email", "detach")


def test_a_contacts_segment_is_resolved_to_its_definition(tmp_path: Path) -> None:
    """`contacts.model: {segment: NAME}` carries the segment of the activation's source."""
    project(tmp_path, {**CONTACTS, "model": {"segment": "active-users"}})
    config = load_project(tmp_path, environ=ENV).activations["people"]
    assert config.contacts is not None
    segment = config.contacts.model.segment
    assert segment is not None
    assert (segment.name, segment.from_, segment.source) == (
        "active-users",
        "analytics.users",
        config.source,
    )


def test_an_unknown_contacts_segment_is_a_problem_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt segment name under contacts.model names the key and the closest segment."""
    project(tmp_path, {**CONTACTS, "model": {"segment": "active-user"}})
    found = problems(tmp_path)
    message = found["activations.people.contacts.model.segment"]
    assert "no segment named 'active-user'" in message
    assert "active-users" in message


def test_a_contacts_segment_of_another_source_is_a_problem(tmp_path: Path) -> None:
    """The contacts model is read from the activation's source: a segment elsewhere is refused."""
    project(tmp_path, {**CONTACTS, "model": {"segment": "active-users"}}, other={"path": "o.db"})
    data = yaml.safe_load((tmp_path / "activations" / "people.yml").read_text())
    data["source"] = "other"
    write(tmp_path, data, "activations/people.yml")
    message = problems(tmp_path)["activations.people.contacts.model.segment"]
    assert "reads another source than the activation" in message


def test_a_bad_contacts_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    """A contacts mistake in activations/NAME.yml is reported under that activation's key."""
    project(tmp_path, {**CONTACTS, "match": "phone"})
    (problem,) = load_project(tmp_path, environ=ENV).problems()
    assert problem.file == tmp_path / "activations" / "people.yml"
    assert problem.key == "activations.people.contacts.match"
    assert "'email' or 'external_id'" in problem.message


def test_validate_checks_the_contacts_columns_against_the_warehouse(tmp_path: Path) -> None:
    """`hoist validate` reports a contacts column the contacts model does not have."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA analytics")
    con.execute("CREATE TABLE analytics.companies (account_id VARCHAR, account_name VARCHAR)")
    con.execute("CREATE TABLE analytics.users (account_id VARCHAR, mail VARCHAR, active BOOL)")
    con.close()
    project(tmp_path, CONTACTS)
    found = {p.key: p.message for p in validate_project(load_project(tmp_path, environ=ENV))}
    assert list(found) == ["activations.people.contacts.model"]  # the query names `email`
    project(tmp_path, {**CONTACTS, "model": {"table": "analytics.users"}})
    found = {p.key: p.message for p in validate_project(load_project(tmp_path, environ=ENV))}
    assert list(found) == ["activations.people.contacts.column"]
    assert (
        "column 'email' is not in the contacts model" in found["activations.people.contacts.column"]
    )
