"""The `source:` of Apache Spark: a session hoist starts (`master`) or a Spark Connect server."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer, PlainValidator, WithJsonSchema, model_validator

from hoist.secret import Secret
from hoist.sources.shared_config import FROZEN, DbtProject, problem

__all__ = ["ConnectURL", "SparkSourceConfig"]


def _to_remote(value: Any) -> Secret:
    # A Spark Connect URL may carry a token (sc://host:443/;token=...): never echo it.
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str) or not value.startswith("sc://") or len(value) <= 5:
        raise problem(
            "must be a Spark Connect URL such as sc://127.0.0.1:15002 (a token goes in "
            "${VAR}: sc://host:443/;token=${DATABRICKS_TOKEN})"
        )
    return Secret(value)


#: A Spark Connect URL: validated without echoing it, dumped as ``***``.
ConnectURL = Annotated[
    Secret,
    PlainValidator(_to_remote),
    PlainSerializer(lambda _: "***", return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^sc://", "writeOnly": True}),
]


class SparkSourceConfig(BaseModel):
    """Apache Spark: a session hoist starts itself (`master`) or a Spark Connect server (`remote`).

    `conf` holds Spark settings (``spark.driver.memory: 2g``) for the session hoist starts; with
    `remote` they are set on the Connect session (only runtime SQL settings take effect there).
    """

    model_config = FROZEN

    type: Literal["spark"]
    master: str | None = None
    remote: ConnectURL | None = None
    conf: dict[str, str | int | float | bool] = {}
    #: The dbt project building the models (optional).
    dbt: DbtProject | None = None

    @model_validator(mode="after")
    def _one_way_in(self) -> SparkSourceConfig:
        if self.master is not None and self.remote is not None:
            raise problem("set either source.master or source.remote, not both")
        if self.master is None and self.remote is None:
            raise problem(
                'set source.master (e.g. "local[2]": hoist starts Spark) or source.remote '
                '(e.g. "sc://host:15002": a Spark Connect server)'
            )
        if self.master is not None and not self.master.strip():
            raise problem('is empty; e.g. master: "local[2]"', "master")
        return self
