"""An example activation document and loaders that return the config or its error message."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hoist.config import (
    ActivationConfig,
    load_activation,
)
from hoist.errors import ConfigError

TOKEN = "tok-RECOGNISABLE-4f2a"


ENV = {"INTERCOM_ACCESS_TOKEN": TOKEN}


EXAMPLE = """\
name: companies-to-intercom
source:
  type: duckdb
  path: warehouse.duckdb
model:
  sql: select * from analytics.companies
destination:
  type: intercom
  access_token: ${INTERCOM_ACCESS_TOKEN}
  region: us
  base_url: http://127.0.0.1:8765
sync:
  insert: true
  company_id: account_id
  mapping:
    name: account_name
    plan: plan_name
    monthly_spend: mrr
    custom_attributes.tier: tier
  custom_attributes: [health_score, seats]
state:
  path: .hoist/companies-to-intercom.duckdb
"""


def example() -> dict[str, Any]:
    """A fresh copy of the documented example, as parsed YAML."""
    return copy.deepcopy(yaml.safe_load(EXAMPLE))


def load(tmp_path: Path, data: dict[str, Any], environ: dict[str, str] = ENV) -> ActivationConfig:
    """Write `data` as an activation file in `tmp_path` and load it."""
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_activation(file, environ=environ)


def error(tmp_path: Path, data: dict[str, Any], environ: dict[str, str] = ENV) -> str:
    """The message of the ConfigError loading `data` raises."""
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, data, environ)
    return str(caught.value)
