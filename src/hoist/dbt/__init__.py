"""dbt projects: a model's name -> the relation dbt built; hoist's activations as exposures.

    from hoist.dbt import dbt_relation

    table = dbt_relation(source.dbt, "companies", file=file, key="model.dbt")  # sqlglot table

hoist reads dbt's ``manifest.json`` (plain JSON, written by ``dbt parse`` and ``dbt build``) and
never imports or runs dbt.
"""

from __future__ import annotations

from hoist.dbt._exposures import dbt_models_of, exposures, exposures_yaml
from hoist.dbt._manifest import DbtModel, Manifest, ManifestError, read_manifest
from hoist.dbt._resolve import dbt_model, dbt_relation, lookup, stale_file

__all__ = [
    "DbtModel",
    "Manifest",
    "ManifestError",
    "dbt_model",
    "dbt_models_of",
    "dbt_relation",
    "exposures",
    "exposures_yaml",
    "lookup",
    "read_manifest",
    "stale_file",
]
