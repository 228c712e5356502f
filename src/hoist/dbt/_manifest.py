"""dbt's manifest.json read into the models hoist can name: where dbt built each one.

The manifest is plain JSON that ``dbt parse`` and ``dbt build`` write; reading it needs no dbt.
Only the keys hoist uses are read, so manifests of every dbt version from 1.5 on serve. A
manifest is read once per change of its file (size and modification time), so a project whose
activations name many models reads it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

__all__ = ["ADAPTER_DIALECTS", "DbtModel", "Manifest", "ManifestError", "read_manifest"]

#: dbt adapter type -> the sqlglot dialect its relation names are written in.
ADAPTER_DIALECTS: Final[dict[str, str]] = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "spark": "spark",
    "databricks": "databricks",
    "trino": "trino",
    "athena": "athena",
    "sqlserver": "tsql",
    "fabric": "tsql",
    "clickhouse": "clickhouse",
    "mysql": "mysql",
}
# Adapters whose relations dbt leaves unquoted unless told otherwise (so they fold case).
_UNQUOTED: Final = frozenset({"snowflake"})


class ManifestError(Exception):
    """The manifest is missing or is not one dbt wrote; the message says why."""


@dataclass(frozen=True)
class DbtModel:
    """One dbt model as the manifest describes it."""

    name: str
    package: str
    materialized: str
    relation: exp.Table | None
    """Where dbt built it (None for an ephemeral model, which dbt never builds)."""
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    """Column name -> dbt's description of it (documented columns only)."""
    file: str = ""
    """The model's SQL file, relative to its package's folder."""

    @property
    def full_name(self) -> str:
        """``package.NAME``: the name that means this model in every project."""
        return f"{self.package}.{self.name}"


@dataclass(frozen=True)
class Manifest:
    """The models of a dbt project, as its manifest lists them."""

    path: Path
    project: str
    """The root project's name (its models win over packages' models of the same name)."""
    adapter: str
    models: tuple[DbtModel, ...]
    mtime: float


def read_manifest(path: Path) -> Manifest:
    """The manifest at `path`; `ManifestError` when it is missing or not a dbt manifest."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ManifestError("does not exist") from None
    except OSError as exc:
        raise ManifestError(f"cannot be read ({exc.strerror or exc})") from None
    return _cached(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _cached(path: Path, mtime_ns: int, size: int) -> Manifest:
    # The key holds the size and modification time: a rewritten manifest is read again.
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"cannot be read as JSON ({_reason(exc)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict):
        raise ManifestError("is not a dbt manifest (it has no nodes)")
    metadata = _mapping(data.get("metadata"))
    adapter = str(metadata.get("adapter_type") or "")
    models = tuple(
        _model(node, adapter)
        for node in data["nodes"].values()
        if isinstance(node, dict) and node.get("resource_type") == "model"
    )
    project = str(metadata.get("project_name") or _root_package(models))
    return Manifest(path, project, adapter, models, mtime_ns / 1e9)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _root_package(models: tuple[DbtModel, ...]) -> str:
    # Manifests before dbt 1.6 do not name the project: with a single package, it is that one.
    packages = {model.package for model in models}
    return next(iter(packages)) if len(packages) == 1 else ""


def _model(node: dict[str, Any], adapter: str) -> DbtModel:
    config = _mapping(node.get("config"))
    materialized = str(config.get("materialized") or "view")
    columns = _mapping(node.get("columns"))
    return DbtModel(
        name=str(node.get("name", "")),
        package=str(node.get("package_name", "")),
        materialized=materialized,
        relation=None if materialized == "ephemeral" else _relation(node, adapter),
        description=str(node.get("description") or ""),
        columns={
            str(name): str(column.get("description") or "")
            for name, column in columns.items()
            if isinstance(column, dict)
        },
        file=str(node.get("original_file_path") or ""),
    )


def _relation(node: dict[str, Any], adapter: str) -> exp.Table | None:
    """The relation dbt built: its own rendering (`relation_name`), quoted as dbt quoted it."""
    dialect = ADAPTER_DIALECTS.get(adapter, adapter or None)
    rendered = node.get("relation_name")
    if isinstance(rendered, str) and rendered.strip():
        try:
            table = sqlglot.parse_one(rendered, into=exp.Table, read=dialect)
        except (SqlglotError, ValueError):
            table = None  # an adapter sqlglot reads differently: fall back to the parts
        if isinstance(table, exp.Table) and _names_only(table):
            return table
    return _from_parts(node, adapter)


def _names_only(table: exp.Table) -> bool:
    """Whether `table` is nothing but up to three names (no function, alias or comment)."""
    parts = {key: value for key, value in table.args.items() if value is not None}
    return (
        set(parts) <= {"this", "db", "catalog"}
        and not table.comments
        and all(isinstance(value, exp.Identifier) for value in parts.values())
    )


def _from_parts(node: dict[str, Any], adapter: str) -> exp.Table | None:
    """The relation from its parts (manifests without `relation_name`)."""
    identifier = node.get("alias") or node.get("name")
    if not isinstance(identifier, str) or not identifier:
        return None
    quoted = adapter not in _UNQUOTED

    def part(value: Any) -> exp.Identifier | None:
        if not isinstance(value, str) or not value:
            return None
        return exp.to_identifier(value, quoted=quoted)

    return exp.Table(
        this=part(identifier), db=part(node.get("schema")), catalog=part(node.get("database"))
    )
