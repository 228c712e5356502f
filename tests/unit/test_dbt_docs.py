"""docs/dbt.md stays true: its hoist.yml is a valid project by the shipped JSON Schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).parents[2]


def test_the_documented_project_is_valid() -> None:
    """The hoist.yml of docs/dbt.md (dbt source, dbt model, dbt segment, owner) validates."""
    text = (ROOT / "docs" / "dbt.md").read_text()
    block = re.search(r"```yaml\n# hoist.yml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    document = yaml.safe_load(block.group(1))
    schema = json.loads((ROOT / "schema" / "hoist.schema.json").read_text())
    jsonschema.validate(document, schema)
    activation = document["activations"]["companies-to-intercom"]
    assert activation["model"] == {"dbt": "companies"}
    assert document["segments"]["paying"]["from"] == {"dbt": "companies"}
