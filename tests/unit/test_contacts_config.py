"""The `contacts:` key of an activation: what loads, and what each rule rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hoist.config import load_activation
from hoist.errors import ConfigError

ACTIVATION = {
    "name": "a",
    "source": {"path": "warehouse.duckdb"},
    "model": {"table": "companies"},
    "destination": {"access_token": "t"},
    "sync": {"company_id": "id"},
}
CONTACTS: dict[str, Any] = {
    "model": {"sql": "select account_id, email from analytics.users"},
    "company_id": "account_id",
    "match": "email",
    "column": "email",
}


def write(tmp_path: Path, contacts: Any) -> Path:
    """An activation file with `contacts` as its contacts section."""
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump({**ACTIVATION, "contacts": contacts}))
    return file


def test_the_documented_contacts_section_loads_with_keep_by_default(tmp_path: Path) -> None:
    """The issue's example loads; pairs that leave the model are kept unless told otherwise."""
    config = load_activation(write(tmp_path, CONTACTS), environ={})
    assert config.contacts is not None
    assert (config.contacts.match, config.contacts.column) == ("email", "email")
    assert config.contacts.on_removal == "keep"
    assert config.contacts.model.sql == CONTACTS["model"]["sql"]


def test_an_activation_without_contacts_has_none(tmp_path: Path) -> None:
    """Contacts are optional."""
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump(ACTIVATION))
    assert load_activation(file, environ={}).contacts is None


@pytest.mark.parametrize(
    ("change", "key", "fix"),
    [
        ({"match": "phone"}, "contacts.match", "'email' or 'external_id'"),
        ({"on_removal": "delete"}, "contacts.on_removal", "'keep' or 'detach'"),
        ({"column": " "}, "contacts.column", "is empty"),
        ({"model": {"table": "t", "sql": "select 1"}}, "contacts.model", "not both"),
        ({"colum": "email"}, "contacts.colum", "did you mean 'column'?"),
        ({"model": {"tabel": "t"}}, "contacts.model.tabel", "did you mean 'table'?"),
    ],
)
def test_each_contacts_rule_names_the_key_and_the_fix(
    tmp_path: Path, change: dict[str, Any], key: str, fix: str
) -> None:
    """Each bad contacts key is reported with its dotted key and what to write instead."""
    with pytest.raises(ConfigError) as caught:
        load_activation(write(tmp_path, {**CONTACTS, **change}), environ={})
    assert key in str(caught.value)
    assert fix in str(caught.value)


@pytest.mark.parametrize("missing", ["model", "company_id", "match", "column"])
def test_a_missing_contacts_key_says_what_to_add(tmp_path: Path, missing: str) -> None:
    """Leaving out a required contacts key names it and says what it is for."""
    contacts = {k: v for k, v in CONTACTS.items() if k != missing}
    with pytest.raises(ConfigError, match=rf"contacts\.{missing}.*is required; \w+"):
        load_activation(write(tmp_path, contacts), environ={})
