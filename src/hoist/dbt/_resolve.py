"""A dbt model named in hoist's files, found in the manifest: the relation to read, or why not.

Every refusal is a `ConfigError` naming hoist's file and key (``model.dbt``) and the fix: run
``dbt parse`` for a missing manifest or a model it does not list yet, materialize an ephemeral
model, or name a model that exists (with a did-you-mean).
"""

from __future__ import annotations

from pathlib import Path

from sqlglot import exp

from hoist.config import DbtProject
from hoist.dbt._manifest import DbtModel, Manifest, ManifestError, read_manifest
from hoist.errors import ConfigError
from hoist.suggest import did_you_mean

__all__ = ["dbt_model", "dbt_relation", "lookup", "stale_file"]

_LISTED = 10  # models named in an "unknown model" message, at most


def dbt_model(
    project: DbtProject | None, name: str, *, file: Path | str | None, key: str
) -> DbtModel:
    """The built model `name` (``NAME`` or ``package.NAME``) of the source's dbt `project`."""
    found = lookup(project, name)
    if isinstance(found, str):
        raise ConfigError(found, file=_text(file), key=key)
    return found


def lookup(project: DbtProject | None, name: str) -> DbtModel | str:
    """The built model `name` of `project`, or what is wrong (and what to do about it)."""
    if project is None:
        return (
            f"names the dbt model {name!r}, but the source has no dbt project; add "
            "dbt: {project_dir: PATH} to the source (the folder holding dbt_project.yml)"
        )
    path = project.manifest_path
    try:
        manifest = read_manifest(path)
    except ManifestError as exc:
        return _no_manifest(project, exc)
    found = _find(manifest, name)
    if isinstance(found, DbtModel) and found.relation is None:
        return (
            f"dbt model {name!r} is ephemeral: dbt builds no table or view for it, so there is "
            "nothing to read; materialize it as a view or a table (config(materialized='view')) "
            "or name a model that selects from it"
        )
    return found


def _no_manifest(project: DbtProject, exc: ManifestError) -> str:
    return (
        f"the dbt manifest {project.manifest_path} {exc}; run `dbt parse` (or `dbt build`) in "
        f"{project.project_dir} to write it, or point the source's dbt.manifest at it"
    )


def dbt_relation(
    project: DbtProject | None, name: str, *, file: Path | str | None, key: str
) -> exp.Table:
    """The relation dbt built for model `name`, as a sqlglot table (quoted as dbt quoted it)."""
    relation = dbt_model(project, name, file=file, key=key).relation
    assert relation is not None, "dbt_model refuses ephemeral models"
    return relation.copy()


def _find(manifest: Manifest, name: str) -> DbtModel | str:
    """The model `name` means, or what is wrong with the name."""
    package, _, short = name.rpartition(".")
    found = [m for m in manifest.models if m.name == short and package in ("", m.package)]
    if len(found) > 1:
        # dbt's own rule for ref('NAME'): the root project's model wins over packages' ones.
        found = [m for m in found if m.package == manifest.project] or found
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(sorted(m.full_name for m in found))
        return f"dbt model {name!r} is defined in several packages ({names}); write package.NAME"
    known = sorted({m.name for m in manifest.models} | {m.full_name for m in manifest.models})
    listed = sorted({m.name for m in manifest.models})
    shown = ", ".join(listed[:_LISTED]) + (", ..." if len(listed) > _LISTED else "")
    return (
        f"no dbt model named {name!r} in {manifest.path};{did_you_mean(name, known)} "
        f"its models: {shown or '(none)'}. A model added since the manifest was written needs "
        "`dbt parse` (or `dbt build`) first"
    )


def stale_file(project: DbtProject, model: DbtModel, manifest: Manifest) -> Path | None:
    """The model's SQL file, when it changed after the manifest was written (else None)."""
    if model.package != manifest.project or not model.file:
        return None  # a package's files live elsewhere (dbt_packages/) and change with it
    path = project.project_dir / model.file
    try:
        return path if path.stat().st_mtime > manifest.mtime else None
    except OSError:
        return None


def _text(file: Path | str | None) -> str | None:
    return None if file is None else str(file)
