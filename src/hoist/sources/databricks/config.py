"""The `source:` of a Databricks SQL warehouse: its URL, the token from ``${VAR}``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator

from hoist.secret import SecretUrl
from hoist.sources.shared_config import FROZEN, DbtProject, Url, dbt_field, require_scheme

__all__ = ["DatabricksSourceConfig"]


class DatabricksSourceConfig(BaseModel):
    """A Databricks SQL warehouse, read with the databricks SQLAlchemy dialect."""

    model_config = FROZEN

    type: Literal["databricks"]
    url: Url
    dbt: DbtProject | None = dbt_field()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Databricks.
        example = (
            "databricks://token:${DATABRICKS_TOKEN}@host?http_path=/sql/1.0/warehouses/abc"
            "&catalog=main&schema=analytics"
        )
        return require_scheme(url, ("databricks",), example)
