"""JSON Schemas of hoist.yml and the definition files, for editor completion (`hoist schema`).

The schemas are generated from the same pydantic models that validate the files, and shipped in
``schema/`` (a test keeps the shipped files equal to what `hoist schema` prints).
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import BaseModel

from hoist.config import ActivationDefinition, ProjectDefinition, SegmentDefinition

__all__ = ["SCHEMA_FILES", "json_schema", "schema_text"]

_MODELS: Final[dict[str, type[BaseModel]]] = {
    "project": ProjectDefinition,
    "activation": ActivationDefinition,
    "segment": SegmentDefinition,
}
#: The shipped file of each schema, relative to the repository root.
SCHEMA_FILES: Final = {
    "project": "schema/hoist.schema.json",
    "activation": "schema/activation.schema.json",
    "segment": "schema/segment.schema.json",
}
_TITLES: Final = {
    "project": "hoist project (hoist.yml)",
    "activation": "hoist activation (activations/NAME.yml)",
    "segment": "hoist segment (segments/NAME.yml)",
}


def json_schema(kind: str = "project") -> dict[str, Any]:
    """The JSON Schema of `kind`: ``project`` (hoist.yml), ``activation`` or ``segment``."""
    schema = _MODELS[kind].model_json_schema(mode="validation", by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": _TITLES[kind],
    }


def schema_text(kind: str = "project") -> str:
    """`json_schema(kind)` as the text `hoist schema` prints and the repository ships."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
