"""The `source:` of any database SQLAlchemy reaches: its URL and the SQL dialect it speaks."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError
from sqlglot.dialects.dialect import Dialect

from hoist.sources.shared_config import FROZEN, DbtProject, Url, dbt_field, problem, url_scheme
from hoist.suggest import did_you_mean

__all__ = ["SQLALCHEMY_DIALECTS", "SqlAlchemySourceConfig"]

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


class SqlAlchemySourceConfig(BaseModel):
    """Any database SQLAlchemy reaches; `dialect` is the sqlglot dialect of its SQL."""

    model_config = FROZEN

    type: Literal["sqlalchemy"]
    url: Url
    #: Inferred from the URL's backend (mysql+pymysql -> mysql) when not given.
    dialect: str | None = None
    dbt: DbtProject | None = dbt_field()

    @model_validator(mode="after")
    def _known_dialect(self) -> SqlAlchemySourceConfig:
        if self.dialect is None and self.backend not in SQLALCHEMY_DIALECTS:
            raise problem(
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
        return url_scheme(self.url).partition("+")[0]

    @property
    def sql_dialect(self) -> str:
        """The sqlglot dialect the model and hoist's own SQL are written in."""
        return self.dialect or SQLALCHEMY_DIALECTS[self.backend]
