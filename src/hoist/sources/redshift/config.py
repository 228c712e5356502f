"""The `source:` of an Amazon Redshift cluster: its URL, the password from ``${VAR}``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator

from hoist.secret import SecretUrl
from hoist.sources.shared_config import FROZEN, DbtProject, Url, dbt_field, require_scheme

__all__ = ["RedshiftSourceConfig"]


class RedshiftSourceConfig(BaseModel):
    """An Amazon Redshift cluster, read with the redshift_connector SQLAlchemy dialect."""

    model_config = FROZEN

    type: Literal["redshift"]
    url: Url
    dbt: DbtProject | None = dbt_field()

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: SecretUrl) -> SecretUrl:
        # Check the URL names Redshift.
        example = (
            "redshift://user:${REDSHIFT_PASSWORD}@cluster.region.redshift.amazonaws.com:5439/db"
        )
        return require_scheme(url, ("redshift", "redshift+redshift_connector"), example)
