"""hoist's activations as dbt exposures, so dbt's lineage and docs show Intercom downstream.

One exposure per activation that reads a dbt model (as its model, through its segment, or in
its contacts model): type ``application``, depending on those models, owned by the project's
``owner:``. The YAML is what dbt parses from a ``models/*.yml`` file (``version: 2``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import yaml

from hoist.config import ActivationConfig, DbtRef, ModelConfig
from hoist.errors import ConfigError

if TYPE_CHECKING:
    from hoist.project import Project

__all__ = ["dbt_models_of", "exposures", "exposures_yaml"]

_HEADER = (
    "# dbt exposures of the hoist project {root}: each activation that reads a dbt model.\n"
    "# Written by `hoist dbt exposures`; write it again when the activations change.\n"
)


def dbt_models_of(config: ActivationConfig) -> list[str]:
    """The dbt models the activation reads, as written (``NAME`` or ``package.NAME``)."""
    models = [config.model] + ([config.contacts.model] if config.contacts else [])
    return list(dict.fromkeys(name for model in models if (name := _dbt_name(model))))


def _dbt_name(model: ModelConfig) -> str | None:
    if model.dbt is not None:
        return model.dbt
    if model.segment is not None and isinstance(model.segment.from_, DbtRef):
        return model.segment.from_.dbt
    return None


def exposures(project: Project) -> dict[str, Any]:
    """dbt's ``exposures:`` document for every activation of `project` that reads a dbt model.

    Raises `ConfigError` when hoist.yml names no owner (dbt requires one).
    """
    owner = project.owner
    if owner is None:
        raise ConfigError(
            "dbt exposures need an owner; add owner: {name: Data team, email: "
            "data@example.com} to hoist.yml (a name, an email or both)",
            file=str(project.file),
            key="owner",
        )
    entries: list[dict[str, Any]] = []
    taken: set[str] = set()
    for name in project.activations:
        config = project.activations[name]
        models = dbt_models_of(config)
        if models:
            entry = _exposure(config, models, _unique(_exposure_name(name), taken))
            entries.append({**entry, "owner": owner.model_dump(exclude_none=True)})
    return {"version": 2, "exposures": entries}


def exposures_yaml(project: Project) -> str:
    """`exposures(project)` as YAML text, with a header saying where it came from."""
    body = yaml.safe_dump(exposures(project), sort_keys=False, allow_unicode=True)
    return _HEADER.format(root=project.root.name) + body


def _exposure(config: ActivationConfig, models: list[str], name: str) -> dict[str, Any]:
    mode = "creates and updates" if config.sync.insert else "updates (never creates)"
    return {
        "name": name,
        "label": config.name,
        "type": "application",
        "description": f"hoist activation {config.name}: {mode} Intercom companies.",
        "depends_on": [_ref(model) for model in models],
        "config": {"tags": ["hoist", "intercom"], "meta": {"hoist_activation": config.name}},
    }


def _ref(model: str) -> str:
    """``ref('NAME')``, or ``ref('package', 'NAME')`` for ``package.NAME``."""
    package, _, name = model.rpartition(".")
    parts = [package, name] if package else [name]
    return "ref(" + ", ".join(_quoted(part) for part in parts) + ")"


def _quoted(text: str) -> str:
    # A Jinja string literal: backslashes and single quotes escaped.
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _exposure_name(activation: str) -> str:
    # dbt allows letters, digits and underscores in an exposure's name; the label keeps hoist's.
    return re.sub(r"\W", "_", activation, flags=re.ASCII)


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`... when another activation's name became the same."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate
