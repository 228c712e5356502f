"""`hoist validate`: every definition checked, every problem listed at once.

Beyond what the files alone tell (`Project.problems`) and the dbt models they name (read from
dbt's manifests, `hoist.project.dbt_references`), each segment is compiled against its
table's real columns and each activation's model is read (no rows) to check that the columns
the sync names exist. A warehouse that cannot be read is itself a problem, at the key naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pyarrow as pa
import sqlglot
from sqlglot import exp

from hoist.company_attributes import is_custom
from hoist.config import ActivationConfig, ModelConfig
from hoist.errors import ConfigError, SourceError
from hoist.mapping import column_category, missing_column_message, standard_mismatch
from hoist.project._problems import Problem, ProjectError
from hoist.project._project import Project
from hoist.project.dbt_references import dbt_problems
from hoist.segments import render, segment_problems, table_columns
from hoist.sources import open_source
from hoist.sql.model import model_query

__all__ = ["activation_problems", "validate_project"]


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
        try:
            config = project.activations[name]
        except ProjectError as exc:
            yield from exc.problems
            continue
        yield from activation_problems(config, f"activations.{name}.")


def activation_problems(config: ActivationConfig, prefix: str = "") -> Iterator[Problem]:
    """What the warehouse reveals about one activation (keys start with `prefix`): columns
    the sync names that the model lacks, and types a run would refuse or reject."""
    try:
        schema = _model_schema(config, config.model)
    except ProjectError as exc:
        yield from exc.problems
        return
    except (SourceError, ConfigError) as exc:
        yield Problem(config.file, f"{prefix}model", str(exc))
        return
    yield from _sync_problems(config, prefix, schema.names)
    yield from _type_problems(config, prefix, schema)
    yield from _contacts_problems(config, prefix)


def _contacts_problems(config: ActivationConfig, key: str) -> Iterator[Problem]:
    """The columns `contacts:` names must be columns of the contacts model."""
    contacts = config.contacts
    if contacts is None:
        return
    try:
        columns = _model_schema(config, contacts.model).names
    except (SourceError, ConfigError) as exc:
        yield Problem(config.file, f"{key}contacts.model", str(exc))
        return
    for where, column in (("company_id", contacts.company_id), ("column", contacts.column)):
        if column not in columns:
            message = missing_column_message(column, columns, "the contacts model")
            yield Problem(config.file, f"{key}contacts.{where}", message)


def _model_schema(config: ActivationConfig, model: ModelConfig) -> pa.Schema:
    """The columns and types of `model` (read from the activation's source), without rows."""
    with open_source(config.source) as source:
        if model.segment is not None:  # compiled (and reported) with the segments
            return table_columns(model.segment, source)
        query = model_query(model, source.dialect, file=str(config.file), dbt=config.source.dbt)
        parsed = sqlglot.parse_one(query, read=source.dialect)
        assert isinstance(parsed, exp.Query), "model_query accepts queries only"
        probe = exp.select(exp.Star()).from_(parsed.subquery("model")).limit(0)
        reader = source.read(render(probe, source.dialect))
        schema: pa.Schema = reader.schema
        with suppress(SourceError):
            reader.read_all()
        return schema


def _sync_problems(config: ActivationConfig, key: str, columns: list[str]) -> Iterator[Problem]:
    sync = config.sync
    named = [("sync.company_id", sync.company_id)]
    named += [(f"sync.mapping.{attribute}", column) for attribute, column in sync.mapping.items()]
    named += [(f"sync.custom_attributes[{i}]", c) for i, c in enumerate(sync.custom_attributes)]
    for where, column in named:
        if column not in columns:
            message = missing_column_message(column, columns)
            yield Problem(config.file, f"{key}{where}", message)


def _type_problems(config: ActivationConfig, key: str, schema: pa.Schema) -> Iterator[Problem]:
    """Columns whose type a run refuses, or rejects value by value, for their attribute.

    Needs no Intercom call: standard attributes have fixed kinds, and a listed custom
    attribute gets its column's type. (A mapped custom attribute's type is Intercom's: `plan`.)
    """
    sync = config.sync
    for attribute, column in sync.mapping.items():
        if is_custom(attribute) or column not in schema.names:
            continue
        message = standard_mismatch(attribute, column, schema.field(column).type)
        if message is not None:
            yield Problem(config.file, f"{key}sync.mapping.{attribute}", message)
    for i, column in enumerate(sync.custom_attributes):
        if column in schema.names and column_category(schema.field(column).type) == "other":
            message = (
                f"column {column!r} has type {schema.field(column).type}, which no Intercom "
                "attribute can hold; cast it to text, a number, a boolean or a timestamp in "
                "the model"
            )
            yield Problem(config.file, f"{key}sync.custom_attributes[{i}]", message)
