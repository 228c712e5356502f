"""`hoist validate`: every definition checked, every problem listed at once.

Beyond what the files alone tell (`Project.problems`) and the dbt models they name (read from
dbt's manifests, `hoist.project._dbt`), each segment is compiled against its
table's real columns and each activation's model is read (no rows) to check that the columns
the sync names exist. A warehouse that cannot be read is itself a problem, at the key naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pyarrow as pa
import sqlglot
from sqlglot import exp

from hoist.config import ActivationConfig, ModelConfig
from hoist.errors import ConfigError, SourceError
from hoist.project._dbt import dbt_problems
from hoist.project._problems import Problem, ProjectError
from hoist.project._project import Project
from hoist.segments import render, segment_problems, table_columns
from hoist.sources import open_source
from hoist.sql import model_query

__all__ = ["validate_project"]


def validate_project(project: Project, *, warehouse: bool = True) -> list[Problem]:
    """Every problem of `project`; with `warehouse`, also those its warehouses reveal."""
    problems = project.problems()
    if not problems:
        problems += dbt_problems(project)
    if warehouse and not problems:
        problems += [*_segment_problems(project), *_activation_problems(project)]
    return list(dict.fromkeys(problems))


def _segment_problems(project: Project) -> Iterator[Problem]:
    for name in project.segments:
        segment = project.segments[name]
        try:
            with open_source(segment.source) as source:
                columns = table_columns(segment, source)
                problems = segment_problems(segment, columns, source.dialect)
        except (SourceError, ConfigError) as exc:
            yield Problem(segment.file, f"{segment.key}.from", str(exc))
            continue
        yield from (Problem(segment.file, key, message) for key, message in problems)


def _activation_problems(project: Project) -> Iterator[Problem]:
    for name in project.activations:
        config = project.activations[name]
        key = f"activations.{name}"
        try:
            columns = _model_columns(config, config.model)
        except ProjectError as exc:
            yield from exc.problems
            continue
        except (SourceError, ConfigError) as exc:
            yield Problem(config.file, f"{key}.model", str(exc))
            continue
        yield from _sync_problems(config, key, columns)
        yield from _contacts_problems(config, key)


def _contacts_problems(config: ActivationConfig, key: str) -> Iterator[Problem]:
    """The columns `contacts:` names must be columns of the contacts model."""
    contacts = config.contacts
    if contacts is None:
        return
    try:
        columns = _model_columns(config, contacts.model)
    except (SourceError, ConfigError) as exc:
        yield Problem(config.file, f"{key}.contacts.model", str(exc))
        return
    for where, column in (("company_id", contacts.company_id), ("column", contacts.column)):
        if column not in columns:
            message = (
                f"column {column!r} is not in the contacts model; it has: {', '.join(columns)}"
            )
            yield Problem(config.file, f"{key}.contacts.{where}", message)


def _model_columns(config: ActivationConfig, model: ModelConfig) -> list[str]:
    """The column names of `model` (read from the activation's source), without its rows."""
    with open_source(config.source) as source:
        if model.segment is not None:  # compiled (and reported) with the segments
            return list(table_columns(model.segment, source).names)
        query = model_query(model, source.dialect, file=str(config.file), dbt=config.source.dbt)
        parsed = sqlglot.parse_one(query, read=source.dialect)
        assert isinstance(parsed, exp.Query), "model_query accepts queries only"
        probe = exp.select(exp.Star()).from_(parsed.subquery("model")).limit(0)
        reader = source.read(render(probe, source.dialect))
        schema: pa.Schema = reader.schema
        with suppress(SourceError):
            reader.read_all()
        return list(schema.names)


def _sync_problems(config: ActivationConfig, key: str, columns: list[str]) -> Iterator[Problem]:
    sync = config.sync
    named = [("sync.company_id", sync.company_id)]
    named += [(f"sync.mapping.{attribute}", column) for attribute, column in sync.mapping.items()]
    named += [(f"sync.custom_attributes[{i}]", c) for i, c in enumerate(sync.custom_attributes)]
    for where, column in named:
        if column not in columns:
            message = f"column {column!r} is not in the model; it has: {', '.join(columns)}"
            yield Problem(config.file, f"{key}.{where}", message)
