"""The activation form's dbt models: the source's built models with their descriptions, and
dbt's description of each column of the chosen one (read from dbt's manifest, never from dbt)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hoist.config import DbtProject
from hoist.dbt import ManifestError, lookup, read_manifest

__all__ = ["DbtChoices", "dbt_choices"]


@dataclass(frozen=True)
class DbtModelChoice:
    """A model the picker offers: the name to write (``NAME`` or ``package.NAME``) and dbt's
    description of it."""

    name: str
    description: str


@dataclass(frozen=True)
class DbtChoices:
    """What the form shows for a dbt model: the models, the chosen one's column descriptions,
    or why there are none."""

    models: list[DbtModelChoice] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def dbt_choices(project: DbtProject | None, chosen: str) -> DbtChoices:
    """The built models of the source's dbt `project` and the column descriptions of `chosen`."""
    if project is None:
        return DbtChoices(
            problem="this source has no dbt project: add dbt: {project_dir: PATH} to it in "
            "hoist.yml (the folder holding dbt_project.yml)"
        )
    try:
        manifest = read_manifest(project.manifest_path)
    except ManifestError as exc:
        return DbtChoices(
            problem=f"the dbt manifest {project.manifest_path} {exc}; run `dbt parse` "
            "(or `dbt build`) to write it"
        )
    models = [
        DbtModelChoice(m.name if m.package == manifest.project else m.full_name, m.description)
        for m in manifest.models
        if m.relation is not None
    ]
    found = lookup(project, chosen) if chosen else None
    columns = {} if found is None or isinstance(found, str) else found.columns
    described = {name: text for name, text in columns.items() if text}
    return DbtChoices(sorted(models, key=lambda m: m.name), described)
