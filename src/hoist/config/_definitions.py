"""A project's definitions as written: ``hoist.yml`` and ``activations/NAME.yml``.

In a project, an activation names its source and destination (and, for a segment, the segment)
instead of repeating them; `hoist.project` validates each definition and resolves the names
into a complete `ActivationConfig`, the same one a single activation file gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from hoist.config._schedule import AlertConfig, ScheduleText, TimezoneName
from hoist.config._schema import (
    ContactKeys,
    DestinationConfig,
    SyncConfig,
    _check_source_type,
    _problem,
)
from hoist.config._segment import SegmentDefinition
from hoist.sources.registry import SourceConfig

__all__ = [
    "PROJECT_FILE",
    "ActivationDefinition",
    "ContactsDefinition",
    "ModelDefinition",
    "OwnerDefinition",
    "ProjectDefinition",
    "SourceDefinition",
    "StateDefinition",
]

#: The file that makes a folder a project (found by `hoist.project.discovery`).
PROJECT_FILE: Final = "hoist.yml"

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

#: A source as written under ``sources.NAME`` (DuckDB when `type` is left out).
SourceDefinition = Annotated[SourceConfig, BeforeValidator(_check_source_type)]


class ModelDefinition(BaseModel):
    """The rows to sync: exactly one of a query, a table, a dbt model or a segment's name."""

    model_config = _FROZEN

    sql: str | None = Field(default=None, description="a query in the source's SQL dialect")
    table: str | None = Field(default=None, description="a table or view: schema.table")
    dbt: str | None = Field(
        default=None,
        description="a model of the source's dbt project: NAME or package.NAME",
    )
    segment: str | None = Field(default=None, description="the name of a segment of the project")

    @model_validator(mode="after")
    def _exactly_one(self) -> ModelDefinition:
        kinds = ("sql", "table", "dbt", "segment")
        given = [key for key in kinds if getattr(self, key) is not None]
        if len(given) != 1:
            raise _problem(
                "set exactly one of model.sql (a query), model.table (schema.table), "
                "model.dbt (a model of the source's dbt project) or model.segment (the name "
                "of a segment)"
            )
        if not str(getattr(self, given[0])).strip():
            raise _problem("is empty", given[0])
        return self


class StateDefinition(BaseModel):
    """Where the activation keeps its state (default: ``.hoist/NAME.duckdb`` in the project)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    path: Path | None = Field(default=None, description="relative to the project folder")
    memory_limit: str = Field(
        default="512MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"
    )
    in_warehouse: bool = Field(
        default=False, description="keep state in the source warehouse and diff there"
    )
    schema_name: str = Field(
        default="hoist", alias="schema", min_length=1, description="the warehouse schema of it"
    )


class ContactsDefinition(ContactKeys):
    """Contacts to attach to the activation's companies: a model of (company, contact) pairs.

    The model is read from the activation's source; a segment here must read that source too.
    """

    model: ModelDefinition = Field(
        description="the pairs: a query, a table, or a segment of the activation's source"
    )


class ActivationDefinition(BaseModel):
    """An activation as written under ``activations.NAME`` (or in ``activations/NAME.yml``)."""

    model_config = _FROZEN

    source: str | None = Field(
        default=None,
        min_length=1,
        description="the name of a source (a segment's activation reads the segment's source)",
    )
    destination: str = Field(min_length=1, description="the name of a destination")
    model: ModelDefinition
    sync: SyncConfig
    state: StateDefinition = StateDefinition()
    schedule: ScheduleText | None = Field(
        default=None, description='when hoist serve runs it: "0 * * * *" (cron) or "every 15m"'
    )
    timezone: TimezoneName = Field(default="UTC", description="the cron schedule's time zone")
    alerts: tuple[AlertConfig, ...] = Field(
        default=(), description="webhooks told when a run fails, partly fails or recovers"
    )
    contacts: ContactsDefinition | None = Field(
        default=None, description="contacts to attach to the companies (optional)"
    )


class OwnerDefinition(BaseModel):
    """Who answers for the project's activations: dbt's exposures name them (``owner:``)."""

    model_config = _FROZEN

    name: str | None = Field(default=None, min_length=1, description="a person or a team")
    email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+$", description="where to reach them"
    )

    @model_validator(mode="after")
    def _someone(self) -> OwnerDefinition:
        if self.name is None and self.email is None:
            raise _problem("give a name or an email, e.g. owner: {name: Data team}")
        return self


def _names(section: str) -> Any:
    return Field(
        default={},
        description=f"{section} by name",
        json_schema_extra={"propertyNames": {"pattern": _NAME_PATTERN}},
    )


class ProjectDefinition(BaseModel):
    """``hoist.yml``: named destinations, sources, segments and activations."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="hoist project (hoist.yml)")

    owner: OwnerDefinition | None = Field(
        default=None, description="who answers for the activations (dbt exposures name them)"
    )
    destinations: dict[str, DestinationConfig] = _names("Intercom workspaces")
    sources: dict[str, SourceDefinition] = _names("warehouse connections")
    segments: dict[str, SegmentDefinition] = _names("companies filtered without SQL")
    activations: dict[str, ActivationDefinition] = _names(
        "model + destination + mapping; the unit that runs"
    )
