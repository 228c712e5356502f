"""The `source:` of a Snowflake account: its URL, the password from ``${VAR}``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator

from hoist.secret import SecretUrl
from hoist.sources.shared_config import FROZEN, DbtProject, Url, dbt_field, require_scheme

__all__ = ["SnowflakeSourceConfig"]


class SnowflakeSourceConfig(BaseModel):
    """A Snowflake account, read with ADBC's Snowflake driver (extra ``snowflake``)."""

    model_config = FROZEN

    type: Literal["snowflake"]
    url: Url
    dbt: DbtProject | None = dbt_field()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Snowflake.
        example = "snowflake://user:${SNOWFLAKE_PASSWORD}@account/database/schema?warehouse=WH"
        return require_scheme(url, ("snowflake",), example)
