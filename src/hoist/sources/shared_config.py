"""The `source:` section: one config model per warehouse type, told apart by `type`.

A connection URL is a `SecretUrl` from the moment it is validated: it prints with its password
masked, in messages, reprs and dumps. The password itself must come from the environment
(``${PGPASSWORD}``); the loader refuses a password written into the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlglot.dialects.dialect import Dialect

from hoist.secret import SecretUrl
from hoist.suggest import did_you_mean

__all__ = [
    "SOURCE_MODELS",
    "SQLALCHEMY_DIALECTS",
    "BigQuerySourceConfig",
    "DatabricksSourceConfig",
    "DbtProject",
    "DuckDBSourceConfig",
    "PostgresSourceConfig",
    "RedshiftSourceConfig",
    "SnowflakeSourceConfig",
    "SqlAlchemySourceConfig",
    "Url",
    "written_password",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}")
_CREDENTIAL_PARAMS = ("password", "passwd", "pwd", "token", "secret")

#: SQLAlchemy backend name -> sqlglot dialect, for `type: sqlalchemy` without `dialect:`.
SQLALCHEMY_DIALECTS: Final[dict[str, str]] = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "mssql": "tsql",
    "oracle": "oracle",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "trino": "trino",
    "presto": "presto",
    "clickhouse": "clickhouse",
    "duckdb": "duckdb",
    "teradata": "teradata",
    "exasol": "exasol",
    "hive": "hive",
    "doris": "doris",
    "starrocks": "starrocks",
}


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("hoist", message, {"issues": [("", message)]})


def _to_url(value: Any) -> SecretUrl:
    # Never echo the value: it may hold the password.
    if isinstance(value, SecretUrl):
        return value
    if not isinstance(value, str) or not value.strip():
        raise _problem("must be a connection URL such as postgresql://user:${PGPASSWORD}@host/db")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise _problem(
            "is not a valid URL; percent-encode special characters in the user or password "
            "(@ as %40, : as %3A, / as %2F)"
        ) from None
    if not parts.scheme:
        raise _problem("has no scheme; write it as scheme://user:${PASSWORD}@host/database")
    return SecretUrl(value)


#: A connection URL: validated without echoing it, dumped and printed with the password masked.
Url = Annotated[
    SecretUrl,
    PlainValidator(_to_url),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "format": "uri", "writeOnly": True}),
]


def written_password(url: str) -> bool:
    """Whether `url`, as written in the file, holds a password that is not a ``${VAR}``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return False  # the validator reports a malformed URL
    values = [password] if password else []
    for pair in parts.query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and any(word in name.lower() for word in _CREDENTIAL_PARAMS):
            values.append(value)
    return any(not _VARIABLE.fullmatch(value) for value in values)


def _scheme(url: SecretUrl) -> str:
    return urlsplit(url.reveal()).scheme.lower()


def _require_scheme(url: SecretUrl, allowed: tuple[str, ...], example: str) -> SecretUrl:
    if _scheme(url) not in allowed:
        raise _problem(f"must start with {' or '.join(s + '://' for s in allowed)}, e.g. {example}")
    return url


class DbtProject(BaseModel):
    """The dbt project that builds a source's models: ``dbt: {project_dir: PATH}``.

    Relative paths are read from the folder of the file that holds them (hoist.yml or the
    activation file); hoist reads only the manifest (JSON) and never runs dbt.
    """

    model_config = _FROZEN

    project_dir: Path = Field(description="the dbt project's folder (holding dbt_project.yml)")
    manifest: Path | None = Field(
        default=None, description="dbt's manifest.json (default: PROJECT_DIR/target/manifest.json)"
    )

    @property
    def manifest_path(self) -> Path:
        """The manifest hoist reads: `manifest`, else ``target/manifest.json`` of the project."""
        return self.manifest or self.project_dir / "target" / "manifest.json"


def _dbt() -> Any:
    return Field(default=None, description="the dbt project building the models (optional)")


class DuckDBSourceConfig(BaseModel):
    """A DuckDB database file; relative paths are resolved against the activation's folder."""

    model_config = _FROZEN

    type: Literal["duckdb"] = "duckdb"
    path: Path
    dbt: DbtProject | None = _dbt()
    #: Folders a model may read files from (DuckDB's allowed_directories); none by default.
    allowed_paths: tuple[Path, ...] = ()


class PostgresSourceConfig(BaseModel):
    """A PostgreSQL database, read with ADBC's libpq-based driver (extra ``postgres``)."""

    model_config = _FROZEN

    type: Literal["postgres"]
    url: Url
    dbt: DbtProject | None = _dbt()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL is a libpq one.
        example = "postgresql://user:${PGPASSWORD}@host:5432/db"
        return _require_scheme(url, ("postgresql", "postgres"), example)


class RedshiftSourceConfig(BaseModel):
    """An Amazon Redshift cluster, read with the redshift_connector SQLAlchemy dialect."""

    model_config = _FROZEN

    type: Literal["redshift"]
    url: Url
    dbt: DbtProject | None = _dbt()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Redshift.
        example = (
            "redshift://user:${REDSHIFT_PASSWORD}@cluster.region.redshift.amazonaws.com:5439/db"
        )
        return _require_scheme(url, ("redshift", "redshift+redshift_connector"), example)


class SnowflakeSourceConfig(BaseModel):
    """A Snowflake account, read with ADBC's Snowflake driver (extra ``snowflake``)."""

    model_config = _FROZEN

    type: Literal["snowflake"]
    url: Url
    dbt: DbtProject | None = _dbt()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Snowflake.
        example = "snowflake://user:${SNOWFLAKE_PASSWORD}@account/database/schema?warehouse=WH"
        return _require_scheme(url, ("snowflake",), example)


class BigQuerySourceConfig(BaseModel):
    """A BigQuery project, read with ADBC's BigQuery driver (extra ``bigquery``).

    Credentials are Google's Application Default Credentials, or the service-account key file
    `credentials_file` names (write it as ``${GOOGLE_APPLICATION_CREDENTIALS}``).
    """

    model_config = _FROZEN

    type: Literal["bigquery"]
    project: str
    dataset: str | None = None
    credentials_file: Path | None = None
    dbt: DbtProject | None = _dbt()


class DatabricksSourceConfig(BaseModel):
    """A Databricks SQL warehouse, read with the databricks SQLAlchemy dialect."""

    model_config = _FROZEN

    type: Literal["databricks"]
    url: Url
    dbt: DbtProject | None = _dbt()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Databricks.
        example = (
            "databricks://token:${DATABRICKS_TOKEN}@host?http_path=/sql/1.0/warehouses/abc"
            "&catalog=main&schema=analytics"
        )
        return _require_scheme(url, ("databricks",), example)


class SqlAlchemySourceConfig(BaseModel):
    """Any database SQLAlchemy reaches; `dialect` is the sqlglot dialect of its SQL."""

    model_config = _FROZEN

    type: Literal["sqlalchemy"]
    url: Url
    #: Inferred from the URL's backend (mysql+pymysql -> mysql) when not given.
    dialect: str | None = None
    dbt: DbtProject | None = _dbt()

    @model_validator(mode="after")
    def _known_dialect(self) -> SqlAlchemySourceConfig:
        if self.dialect is None and self.backend not in SQLALCHEMY_DIALECTS:
            raise _problem(
                f"cannot tell the SQL dialect of a {self.backend!r} URL; add dialect: "
                "(a sqlglot dialect name such as mysql, tsql, oracle)"
            )
        if self.dialect is not None and self.dialect not in Dialect.classes:
            hint = did_you_mean(self.dialect, Dialect.classes)
            message = f"unknown SQL dialect {self.dialect!r};{hint} use a sqlglot dialect name"
            raise PydanticCustomError("hoist", message, {"issues": [("dialect", message)]})
        return self

    @property
    def backend(self) -> str:
        """The URL's backend, without the driver: ``mysql`` for ``mysql+pymysql://``."""
        return _scheme(self.url).partition("+")[0]

    @property
    def sql_dialect(self) -> str:
        """The sqlglot dialect the model and hoist's own SQL are written in."""
        return self.dialect or SQLALCHEMY_DIALECTS[self.backend]


#: Each source type's config model, by its `type`.
SOURCE_MODELS: Final[dict[str, type[BaseModel]]] = {
    "duckdb": DuckDBSourceConfig,
    "postgres": PostgresSourceConfig,
    "snowflake": SnowflakeSourceConfig,
    "bigquery": BigQuerySourceConfig,
    "redshift": RedshiftSourceConfig,
    "databricks": DatabricksSourceConfig,
    "sqlalchemy": SqlAlchemySourceConfig,
}
