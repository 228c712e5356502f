"""Source configs: every warehouse type validates its keys, and passwords never show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hoist.config import (
    BigQuerySourceConfig,
    PostgresSourceConfig,
    SqlAlchemySourceConfig,
    load_activation,
)
from hoist.errors import ConfigError
from hoist.secret import SecretUrl, mask_url

PASSWORD = "pw-RECOGNISABLE-9c1e"
ENV = {"INTERCOM_ACCESS_TOKEN": "tok", "PGPASSWORD": PASSWORD, "WH_PASSWORD": PASSWORD}

#: One valid source section per type.
SOURCES: dict[str, dict[str, Any]] = {
    "postgres": {"type": "postgres", "url": "postgresql://app:${PGPASSWORD}@db.internal:5432/crm"},
    "redshift": {
        "type": "redshift",
        "url": "redshift://app:${WH_PASSWORD}@c.eu-west-1.redshift.amazonaws.com:5439/dev",
    },
    "snowflake": {
        "type": "snowflake",
        "url": "snowflake://app:${WH_PASSWORD}@acme-xy123/ANALYTICS/PUBLIC?warehouse=WH",
    },
    "bigquery": {"type": "bigquery", "project": "acme-prod", "dataset": "analytics"},
    "databricks": {
        "type": "databricks",
        "url": "databricks://token:${WH_PASSWORD}@dbc-1.cloud.databricks.com"
        "?http_path=/sql/1.0/warehouses/abc&catalog=main&schema=analytics",
    },
    "sqlalchemy": {"type": "sqlalchemy", "url": "mysql+pymysql://app:${WH_PASSWORD}@db/crm"},
}


def document(source: dict[str, Any]) -> dict[str, Any]:
    """An activation file with `source`."""
    return {
        "name": "wh",
        "source": source,
        "model": {"table": "analytics.companies"},
        "destination": {"access_token": "${INTERCOM_ACCESS_TOKEN}"},
        "sync": {"company_id": "id"},
    }


def load(tmp_path: Path, source: dict[str, Any]) -> Any:
    """Load an activation with `source` from a file in `tmp_path`."""
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump(document(source)))
    return load_activation(file, environ=ENV)


def error(tmp_path: Path, source: dict[str, Any]) -> str:
    """The ConfigError message loading an activation with `source` gives."""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, source)
    return str(caught.value)


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_each_source_type_loads(tmp_path: Path, kind: str) -> None:
    """A valid section of each warehouse type loads as that type's config."""
    config = load(tmp_path, SOURCES[kind])

    assert config.source.type == kind


@pytest.mark.parametrize("kind", sorted(set(SOURCES) - {"bigquery"}))
def test_the_password_never_shows_in_repr_str_dump_or_json(tmp_path: Path, kind: str) -> None:
    """A loaded URL prints masked everywhere: repr, str, model_dump, JSON dump."""
    source = load(tmp_path, SOURCES[kind]).source

    shown = [repr(source), str(source), repr(source.url), f"{source.url}"]
    shown += [str(source.model_dump()), source.model_dump_json(), json.dumps(source.model_dump())]
    for text in shown:
        assert PASSWORD not in text
        assert "***" in text
    assert PASSWORD in source.url.reveal()


def test_the_masked_url_still_names_the_server(tmp_path: Path) -> None:
    """Masking keeps the user, host, port and database, so a message says where it went."""
    source = load(tmp_path, SOURCES["postgres"]).source

    assert str(source.url) == "postgresql://app:***@db.internal:5432/crm"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
        (
            "snowflake://u@acct/db?password=pw&warehouse=W",
            "snowflake://u@acct/db?password=***&warehouse=W",
        ),
        ("databricks://token:dapi42@h?http_path=/p", "databricks://token:***@h?http_path=/p"),
        ("mssql://u:p@h/db?access_token=t", "mssql://u:***@h/db?access_token=***"),
    ],
)
def test_mask_url_hides_passwords_and_credential_parameters(url: str, masked: str) -> None:
    """Passwords in the user part and credential-like query parameters become ***."""
    assert mask_url(url) == masked


def test_redact_masks_every_spelling_of_the_password() -> None:
    """A driver message repeating the password, raw or percent-decoded, is masked."""
    url = SecretUrl("postgresql://u:p%40ss'w@h/db")

    text = url.redact("auth failed for p@ss'w (p%40ss'w) at postgresql://u:p%40ss'w@h/db")

    assert "p@ss" not in text
    assert "p%40ss" not in text
    assert "postgresql://u:***@h/db" in text


@pytest.mark.parametrize("kind", ["postgres", "redshift", "snowflake", "databricks", "sqlalchemy"])
def test_a_password_written_into_the_file_is_refused(tmp_path: Path, kind: str) -> None:
    """Credentials come only from ${VAR}: a literal password in the URL is a config error."""
    source = dict(SOURCES[kind])
    source["url"] = (
        source["url"].replace("${PGPASSWORD}", "hunter2").replace("${WH_PASSWORD}", "hunter2")
    )

    message = error(tmp_path, source)

    assert "source.url" in message
    assert "${" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("source", "key", "expected"),
    [
        ({"type": "postgres"}, "source.url", "required"),
        ({"type": "postgres", "url": "mysql://u@h/db"}, "source.url", "postgresql://"),
        ({"type": "postgres", "url": "postgresql://u@h:99999/db"}, "source.url", "not a valid"),
        ({"type": "postgres", "url": "postgresql://u@h:notaport/db"}, "source.url", "not a valid"),
        ({"type": "postgres", "url": "u@h/db"}, "source.url", "no scheme"),
        ({"type": "snowflake", "url": "postgresql://u@h/db"}, "source.url", "snowflake://"),
        ({"type": "bigquery"}, "source.project", "required"),
        ({"type": "sqlalchemy", "url": "foo://u@h/db"}, "source", "dialect"),
        (
            {"type": "sqlalchemy", "url": "foo://u@h/db", "dialect": "tsqll"},
            "source.dialect",
            "tsql",
        ),
        ({"type": "postgress", "url": "postgresql://u@h/db"}, "source.type", "postgres"),
        ({"type": "postgres", "url": "postgresql://u@h/db", "path": "x"}, "source.path", "url"),
    ],
)
def test_each_rule_names_the_key_and_the_fix(
    tmp_path: Path, source: dict[str, Any], key: str, expected: str
) -> None:
    """A wrong source section names the file, the dotted key and what to write instead."""
    message = error(tmp_path, source)

    assert str(tmp_path / "activation.yml") in message
    assert key in message
    assert expected in message


def test_sqlalchemy_infers_the_dialect_from_the_url() -> None:
    """mysql+pymysql:// means MySQL SQL; an explicit dialect wins."""
    url = "mysql+pymysql://u@h/db"

    assert SqlAlchemySourceConfig(type="sqlalchemy", url=SecretUrl(url)).sql_dialect == "mysql"
    explicit = SqlAlchemySourceConfig(type="sqlalchemy", url=SecretUrl(url), dialect="singlestore")
    assert explicit.sql_dialect == "singlestore"


def test_a_postgres_url_without_password_is_accepted() -> None:
    """libpq can take the password from PGPASSWORD or .pgpass, so the URL may leave it out."""
    config = PostgresSourceConfig(type="postgres", url=SecretUrl("postgresql://app@db/crm"))

    assert str(config.url) == "postgresql://app@db/crm"


def test_bigquery_takes_its_key_file_from_the_environment(tmp_path: Path) -> None:
    """credentials_file can be ${GOOGLE_APPLICATION_CREDENTIALS}; it is a path, not a secret."""
    file = tmp_path / "activation.yml"
    source = {**SOURCES["bigquery"], "credentials_file": "${GOOGLE_APPLICATION_CREDENTIALS}"}
    file.write_text(yaml.safe_dump(document(source)))

    env = {**ENV, "GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json"}
    config = load_activation(file, environ=env).source

    assert isinstance(config, BigQuerySourceConfig)
    assert config.credentials_file == Path("/keys/sa.json")
