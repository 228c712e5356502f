"""The pydantic models of an activation file, and the rules each key follows.

Validators raise `_problem(...)`: a pydantic error whose context carries the sub-key and the
message, so the loader can name the exact dotted key (``sync.mapping.sizee``) even for rules that
look at several fields at once.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hoist.company_attributes import (
    CUSTOM_PREFIX,
    PUT_ATTRIBUTES,
    STANDARD_ATTRIBUTES,
    custom_name,
    is_custom,
)
from hoist.config._schedule import AlertConfig, ScheduleText, TimezoneName
from hoist.loopback import is_loopback
from hoist.secret import Secret
from hoist.sources.duckdb.config import DuckDBSourceConfig
from hoist.sources.registry import SOURCE_TYPES, SourceConfig
from hoist.suggest import did_you_mean
from hoist.workspaces import API_VERSION, GIVE_UP_AFTER_S, REGION_URLS

if TYPE_CHECKING:
    from hoist.config._segment import SegmentConfig


#: DuckDB's working memory for the diff unless `state.memory_limit` says otherwise.
DEFAULT_MEMORY_LIMIT: Final = "512MB"
_MEMORY = r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Intercom accepts alphanumerics, spaces, underscores and hyphens in attribute names.
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_ -]+")
# Names a custom attribute cannot take: they are Intercom's own company fields.
_RESERVED = frozenset(STANDARD_ATTRIBUTES) | {"id", "company_id", "created_at", "updated_at"}
_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _problem(message: str, key: str = "") -> PydanticCustomError:
    """A validation error for `key` (relative to the validated value) with `message`."""
    return PydanticCustomError("hoist", message, {"issues": [(key, message)]})


def _to_secret(value: Any) -> Secret:
    # The value is never echoed: it may be the token itself.
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise _problem("must be a string; write access_token: ${INTERCOM_ACCESS_TOKEN}")
    if not value.strip():
        raise _problem("is empty; set it to ${INTERCOM_ACCESS_TOKEN} and export the token")
    return Secret(value)


#: The access token: validated without echoing it, dumped as ``***``.
Token = Annotated[
    Secret,
    PlainValidator(_to_secret),
    PlainSerializer(lambda _: "***", return_type=str),
    WithJsonSchema({"type": "string", "writeOnly": True}),
]


def _check_column(value: str) -> str:
    if not value.strip():
        raise _problem("is empty; give the name of a column of the model")
    return value


Column = Annotated[str, AfterValidator(_check_column)]


def _check_source_type(value: Any) -> Any:
    if isinstance(value, Mapping) and "type" not in value:
        return {**value, "type": "duckdb"}  # the embedded warehouse is the default
    kind = value.get("type") if isinstance(value, Mapping) else None
    if isinstance(kind, str) and kind not in SOURCE_TYPES:
        known = ", ".join(SOURCE_TYPES)
        hint = did_you_mean(kind, SOURCE_TYPES)
        raise _problem(f"unknown source type {kind!r};{hint} known types: {known}", "type")
    return value


class ModelConfig(BaseModel):
    """The rows to sync: exactly one of a SQL query, a table name, a dbt model or a segment."""

    model_config = _FROZEN

    sql: str | None = None
    table: str | None = None
    #: A model of the source's dbt project (NAME or package.NAME): the relation dbt built.
    dbt: str | None = None
    #: A segment of the project (written as its name; the project loader puts its definition).
    segment: SegmentConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _segment_needs_a_project(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("segment"), str):
            raise _problem(
                f"segment {data['segment']!r} can only be used inside a project: define it "
                "under segments in hoist.yml (or segments/NAME.yml) and run the activation "
                "from the project, or use model.table / model.sql here",
                "segment",
            )
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> ModelConfig:
        kinds = ("sql", "table", "dbt", "segment")
        given = [key for key in kinds if getattr(self, key) is not None]
        if len(given) > 1:
            raise _problem(f"set either model.{' or model.'.join(given)}, not both")
        if not given:
            raise _problem(
                "set model.sql (a query) or model.table (a table such as schema.name), or "
                "model.dbt (a model of the source's dbt project), or model.segment (the name "
                "of a segment of the project)"
            )
        for key, value in (("sql", self.sql), ("table", self.table), ("dbt", self.dbt)):
            if value is not None and not value.strip():
                raise _problem("is empty", key)
        return self


def _check_region(value: Any) -> Any:
    if isinstance(value, str) and value not in REGION_URLS:
        hint = did_you_mean(value, REGION_URLS)
        raise _problem(f"unknown region {value!r};{hint} use one of us, eu, au")
    return value


def _check_url(value: str) -> str:
    # Never echo the value: it may hold a password.
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise _problem("is not a valid URL; write it as https://host[:port]") from None
    if parts.scheme not in ("http", "https") or not host:
        raise _problem("must be an http(s) URL such as https://api.intercom.io")
    if "@" in parts.netloc:
        raise _problem(
            "holds a user name or password; remove it: the token comes from access_token, "
            "and a URL is printed in logs and pages"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise _problem(
            "sends the token in clear text: use https:// (plain http:// is allowed only for a "
            "server on this machine, such as the emulator on http://127.0.0.1:8765)"
        )
    return value


_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*", re.IGNORECASE)
_DURATION_UNITS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0}


def _to_seconds(value: Any) -> float:
    """A duration: seconds as a number, or text such as "90s", "2m", "1h"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise _problem(f"{value!r} is not a duration; write e.g. 30s, 2m or 1h")
        seconds = float(match.group(1)) * _DURATION_UNITS[(match.group(2) or "s").lower()]
    if not 0 < seconds < math.inf:
        raise _problem("must be longer than 0 s; write e.g. 30s, 2m or 1h")
    return seconds


#: Seconds, written as a number or as "90s", "2m", "1h".
Duration = Annotated[
    float,
    BeforeValidator(_to_seconds),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[smhSMH]?\s*$"},
            ],
            "description": "seconds, or a duration such as 90s, 2m, 1h",
        }
    ),
]


class DestinationConfig(BaseModel):
    """An Intercom workspace: token, region (or an explicit base URL) and API version."""

    model_config = _FROZEN

    type: Literal["intercom"] = "intercom"
    access_token: Token
    region: Annotated[Literal["us", "eu", "au"], BeforeValidator(_check_region)] = "us"
    base_url: Annotated[str, AfterValidator(_check_url)] | None = None
    api_version: str = API_VERSION
    give_up_after: Duration = GIVE_UP_AFTER_S
    """Stop the run (failed) when no call to Intercom has succeeded for this long."""

    @property
    def url(self) -> str:
        """The API root: `base_url` without a trailing slash, else the region's URL."""
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        return REGION_URLS[self.region]


def _check_attribute(key: str) -> str:
    if key == "company_id":
        raise _problem(
            "company_id is the identifier and is set by sync.company_id (the column holding "
            "it); remove it from the mapping"
        )
    if is_custom(key):
        name = custom_name(key)
        if not _ATTRIBUTE_NAME.fullmatch(name):
            raise _problem(
                f"{name!r} is not a valid Intercom attribute name; "
                "use letters, digits, spaces, underscores and hyphens"
            )
        return key
    if key not in STANDARD_ATTRIBUTES:
        allowed = ", ".join([*STANDARD_ATTRIBUTES, f"{CUSTOM_PREFIX}<name>"])
        raise _problem(
            f"unknown Intercom attribute {key!r};{did_you_mean(key, STANDARD_ATTRIBUTES)} "
            f"allowed: {allowed} (for an existing custom attribute)"
        )
    return key


def _check_custom_column(value: str) -> str:
    if not _ATTRIBUTE_NAME.fullmatch(value):
        raise _problem(
            f"{value!r} cannot be an Intercom attribute name (letters, digits, spaces, "
            "underscores and hyphens only); rename the column in the model"
        )
    if value in _RESERVED:
        raise _problem(
            f"{value!r} is a standard Intercom attribute, not a custom one; "
            f"map it under sync.mapping instead"
        )
    return value


def _check_max_removals(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _problem("must be a number of companies (e.g. 50) or a percentage (e.g. '10%')")
    if isinstance(value, int):
        if value < 0:
            raise _problem("must be 0 or more companies")
        return value
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value)
    if match is None or float(match.group(1)) > 100:
        raise _problem(
            f"{value!r} is not a percentage from 0% to 100% or a number of companies; "
            "write e.g. '10%' or 50"
        )
    return str(value).strip()


#: How many companies may leave the model in one run: a count, or a share of those delivered.
MaxRemovals = Annotated[int | str, PlainValidator(_check_max_removals)]


class SyncConfig(BaseModel):
    """How model rows become Intercom companies: identifier, mapping, custom attributes."""

    model_config = _FROZEN

    insert: bool = True
    company_id: Column
    mapping: dict[Annotated[str, AfterValidator(_check_attribute)], Column] = {}
    custom_attributes: tuple[Annotated[Column, AfterValidator(_check_custom_column)], ...] = ()
    #: What happens in Intercom to a company hoist delivered once it leaves the model: `keep`
    #: leaves it, `clear` sets its mapped attributes to null once, `delete` archives it.
    on_removal: Literal["keep", "clear", "delete"] = "keep"
    #: Above this many removals in one run, the run stops before removing (or sending) anything.
    max_removals: MaxRemovals = "10%"
    #: A null in the model: `clear` makes Intercom's value null too (a value a person typed
    #: included); `keep` never overwrites a value in Intercom with a null.
    nulls: Literal["clear", "keep"] = "clear"

    def removal_limit(self, delivered: int) -> int:
        """The most companies one run may remove, out of `delivered` (percentages round up)."""
        if isinstance(self.max_removals, int):
            return self.max_removals
        share = float(self.max_removals.rstrip().rstrip("%"))
        return math.ceil(share * delivered / 100)

    def fields(self) -> tuple[tuple[str, str], ...]:
        """(Intercom attribute, column) pairs: the mapping, then each listed custom attribute."""
        listed = ((f"{CUSTOM_PREFIX}{column}", column) for column in self.custom_attributes)
        return (*self.mapping.items(), *listed)

    @model_validator(mode="after")
    def _consistent(self) -> SyncConfig:
        issues = [*self._duplicates(), *self._update_only()]
        if issues:
            raise PydanticCustomError("hoist", issues[0][1], {"issues": issues})
        return self

    def _duplicates(self) -> list[tuple[str, str]]:
        issues, seen = [], set()
        for column in self.custom_attributes:
            if column in seen:
                issues.append(("custom_attributes", f"{column!r} is listed twice; list it once"))
            seen.add(column)
            if f"{CUSTOM_PREFIX}{column}" in self.mapping:
                issues.append(
                    (
                        f"mapping.{CUSTOM_PREFIX}{column}",
                        f"{column!r} is also listed in sync.custom_attributes; keep one of them",
                    )
                )
        return issues

    def _update_only(self) -> list[tuple[str, str]]:
        if self.insert:
            return []
        return [
            (
                f"mapping.{attribute}",
                f"PUT /companies/{{id}} cannot set {attribute}; remove it or use insert: true",
            )
            for attribute in self.mapping
            if attribute in STANDARD_ATTRIBUTES and attribute not in PUT_ATTRIBUTES
        ]


class ContactKeys(BaseModel):
    """How the rows of a contacts model pair companies with contacts (see `ContactsConfig`)."""

    model_config = _FROZEN

    company_id: Column = Field(
        description="the column holding the company_id each contact belongs to (as sync.company_id)"
    )
    match: Literal["email", "external_id"] = Field(
        description="how a contact is found in Intercom: by email or by external_id"
    )
    column: Column = Field(description="the column holding each contact's email or external_id")
    on_removal: Literal["keep", "detach"] = Field(
        default="keep", description="pairs that leave the model: keep them attached, or detach"
    )


class ContactsConfig(ContactKeys):
    """Which contacts to attach to which companies (optional): a second model of pairs.

    Each row of `model` pairs a company (`company_id`, the same identifier as
    `sync.company_id`) with a contact found in Intercom by `match` on the value in `column`.
    Contacts are found, never created; pairs that leave the model are detached only with
    `on_removal: detach`.
    """

    model: ModelConfig


class StateConfig(BaseModel):
    """Where the activation keeps its state (absolute after loading)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    path: Path
    #: DuckDB's working-memory cap for the diff; beyond it DuckDB spills to disk beside the
    #: state file. Lower it to trade speed for memory, raise it for very large models.
    memory_limit: str = Field(default=DEFAULT_MEMORY_LIMIT, pattern=_MEMORY)
    #: Keep state in the source warehouse (in `schema`) and run the diff there, so only
    #: changed and rejected rows leave it. `path` then only names the local run lock.
    in_warehouse: bool = False
    #: The warehouse schema holding the state tables (``state.schema`` in the file).
    schema_name: str = Field(default="hoist", alias="schema", min_length=1)


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise _problem(
            f"{value!r} is not a valid activation name; start with a letter or digit and use "
            "only letters, digits, '_', '.' and '-' (e.g. companies-to-intercom)"
        )
    return value


class ActivationConfig(BaseModel):
    """One activation: a model read from a source, mapped onto an Intercom destination."""

    model_config = _FROZEN

    name: Annotated[str, AfterValidator(_check_name)]
    source: Annotated[SourceConfig, BeforeValidator(_check_source_type)]
    model: ModelConfig
    destination: DestinationConfig
    sync: SyncConfig
    state: StateConfig
    #: When `hoist serve` runs it: a 5-field cron expression (in `timezone`) or "every 15m".
    schedule: ScheduleText | None = None
    timezone: TimezoneName = "UTC"
    #: Webhooks told when a run fails, partly fails, or recovers.
    alerts: tuple[AlertConfig, ...] = ()
    file: Path
    contacts: ContactsConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _anchor_paths(cls, data: Any) -> Any:
        # Relative paths mean "beside the activation file", wherever hoist is started from.
        if not isinstance(data, Mapping) or not isinstance(data.get("file"), str | Path):
            return data
        file = Path(data["file"]).expanduser().absolute()
        folder = file.parent
        name = data.get("name") if isinstance(data.get("name"), str) else "activation"
        state = data.get("state") or {}
        if isinstance(state, Mapping) and "path" not in state:
            # The default: .hoist/<name>.duckdb beside the file.
            state = {**state, "path": Path(".hoist") / f"{name}.duckdb"}
        source = anchored(data.get("source"), folder)
        if isinstance(state, Mapping) and state.get("in_warehouse") is True:
            source = _spark_warehouse(source, folder)
        return {**data, "file": file, "source": source, "state": anchored(state, folder)}


def anchored(section: Any, folder: Path) -> Any:
    """`section` with its `path` made absolute against `folder`, if it has a usable one."""
    if isinstance(section, DuckDBSourceConfig):
        folders = tuple(_absolute(p, folder) for p in section.allowed_paths)
        update = {"path": _absolute(section.path, folder), "allowed_paths": folders}
        return section.model_copy(update=update)
    if isinstance(section, StateConfig):
        return section.model_copy(update={"path": _absolute(section.path, folder)})
    if not isinstance(section, Mapping):
        return section
    path = section.get("path")
    if isinstance(path, str | Path) and str(path).strip():
        section = {**section, "path": _absolute(Path(path), folder)}
    dbt = section.get("dbt")
    if isinstance(dbt, Mapping):
        section = {**section, "dbt": _anchored_keys(dbt, ("project_dir", "manifest"), folder)}
    allowed = section.get("allowed_paths")
    if isinstance(allowed, list | tuple):
        # Folders a model may read are, like the warehouse file, in the project folder.
        anchored = [_absolute(Path(p), folder) if isinstance(p, str | Path) else p for p in allowed]
        section = {**section, "allowed_paths": anchored}
    return section


def _anchored_keys(section: Mapping[str, Any], keys: tuple[str, ...], folder: Path) -> Any:
    """`section` with each of `keys` that holds a usable path made absolute against `folder`."""
    anchored = dict(section)
    for key in keys:
        path = section.get(key)
        if isinstance(path, str | Path) and str(path).strip():
            anchored[key] = _absolute(Path(path), folder)
    return anchored


def _spark_warehouse(section: Any, folder: Path) -> Any:
    """A Spark session hoist starts keeps native state under ``.hoist/spark-warehouse``
    beside the activation file, unless `conf` names another ``spark.sql.warehouse.dir``."""
    if not isinstance(section, Mapping) or section.get("type") != "spark":
        return section
    conf = section.get("conf") or {}
    if not section.get("master") or not isinstance(conf, Mapping):
        return section
    key = "spark.sql.warehouse.dir"
    given = str(conf.get(key, folder / ".hoist" / "spark-warehouse"))
    if ":" in given:  # a URL (file:, hdfs:, s3a:) stays as written
        return section
    return {**section, "conf": {**conf, key: str(_absolute(Path(given), folder))}}


def _absolute(path: Path, folder: Path) -> Path:
    return Path(os.path.normpath(folder / path.expanduser()))
