"""The `source:` of a BigQuery project: the project, a dataset, credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from hoist.sources.shared_config import FROZEN, DbtProject, dbt_field

__all__ = ["BigQuerySourceConfig"]


class BigQuerySourceConfig(BaseModel):
    """A BigQuery project, read with ADBC's BigQuery driver (extra ``bigquery``).

    Credentials are Google's Application Default Credentials, or the service-account key file
    `credentials_file` names (write it as ``${GOOGLE_APPLICATION_CREDENTIALS}``).
    """

    model_config = FROZEN

    type: Literal["bigquery"]
    project: str
    dataset: str | None = None
    credentials_file: Path | None = None
    dbt: DbtProject | None = dbt_field()
