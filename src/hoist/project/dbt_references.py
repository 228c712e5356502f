"""The dbt models a project names, checked against their manifests (for `hoist validate`).

A problem (exit 2): a model the manifest does not list, an ephemeral one, a missing or
unreadable manifest, a source without a dbt project. A warning (exit 0): a model's SQL file
changed after the manifest was written, so the relation hoist reads may not be the one the
next ``dbt build`` makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hoist.config import ActivationConfig, DbtProject, DbtRef
from hoist.dbt import lookup, read_manifest, stale_file
from hoist.project._problems import Problem, ProjectError
from hoist.project._project import Project

__all__ = [
    "Reference",
    "activation_references",
    "dbt_problems",
    "dbt_warnings",
    "reference_problems",
    "reference_warnings",
]


@dataclass(frozen=True)
class Reference:
    """A dbt model named in a file: where (`file`, `key`), in which dbt `project`, `name`."""

    file: Path
    key: str
    project: DbtProject | None
    name: str


def activation_references(config: ActivationConfig, prefix: str = "") -> Iterator[Reference]:
    """The dbt models an activation names in `model` and `contacts.model` (keys after `prefix`)."""
    models = [("model", config.model)]
    models += [("contacts.model", config.contacts.model)] if config.contacts else []
    for key, model in models:
        if model.dbt is not None:
            yield Reference(config.file, f"{prefix}{key}.dbt", config.source.dbt, model.dbt)


def _references(project: Project) -> Iterator[Reference]:
    """Every dbt model the project's segments and activations name (each resolvable one)."""
    for name in project.segments:
        try:
            segment = project.segments[name]
        except ProjectError:
            continue  # reported by Project.problems
        if isinstance(segment.from_, DbtRef):
            key = f"{segment.key}.from.dbt"
            yield Reference(segment.file, key, segment.source.dbt, segment.from_.dbt)
    for name in project.activations:
        try:
            config = project.activations[name]
        except ProjectError:
            continue
        yield from activation_references(config, f"activations.{name}.")


def dbt_problems(project: Project) -> list[Problem]:
    """A problem for each dbt model the project names that cannot be read."""
    return reference_problems(_references(project))


def dbt_warnings(project: Project) -> list[Problem]:
    """A warning for each dbt model the project names whose SQL file is newer than its manifest."""
    return reference_warnings(_references(project))


def reference_problems(references: Iterable[Reference]) -> list[Problem]:
    """A problem for each of `references` that cannot be read (see the module's docstring)."""
    problems = []
    for ref in references:
        model = lookup(ref.project, ref.name)
        if isinstance(model, str):
            problems.append(Problem(ref.file, ref.key, model))
    return problems


def reference_warnings(references: Iterable[Reference]) -> list[Problem]:
    """A warning for each of `references` whose SQL file changed after the manifest."""
    warnings = []
    for ref in references:
        model = lookup(ref.project, ref.name)
        if isinstance(model, str) or ref.project is None:
            continue
        manifest = read_manifest(ref.project.manifest_path)
        changed = stale_file(ref.project, model, manifest)
        if changed is not None:
            message = (
                f"dbt model {ref.name!r}: {changed} changed after the manifest was written; "
                "run `dbt parse` (or `dbt build`) so hoist reads what dbt will build"
            )
            warnings.append(Problem(ref.file, ref.key, message))
    return list(dict.fromkeys(warnings))
