"""The `source:` of a PostgreSQL database: its URL, the password from ``${VAR}``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator

from hoist.secret import SecretUrl
from hoist.sources.shared_config import FROZEN, DbtProject, Url, dbt_field, require_scheme

__all__ = ["PostgresSourceConfig"]


class PostgresSourceConfig(BaseModel):
    """A PostgreSQL database, read with ADBC's libpq-based driver (extra ``postgres``)."""

    model_config = FROZEN

    type: Literal["postgres"]
    url: Url
    dbt: DbtProject | None = dbt_field()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL is a libpq one.
        example = "postgresql://user:${PGPASSWORD}@host:5432/db"
        return require_scheme(url, ("postgresql", "postgres"), example)
