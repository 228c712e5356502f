"""The activation file as typed, frozen, validated data.

`load_activation` reads a YAML file, substitutes ``${VAR}`` from the environment and validates
it; every problem of a file is reported at once, in one `ConfigError` naming the file, the key
and the fix. The access token is a `Secret` from the moment it is read.
"""

from __future__ import annotations

from hoist.config._load import load_activation, parse_activation
from hoist.config._schema import (
    DEFAULT_MEMORY_LIMIT,
    SOURCE_TYPES,
    ActivationConfig,
    ContactsConfig,
    DestinationConfig,
    ModelConfig,
    SourceConfig,
    SparkSourceConfig,
    StateConfig,
    SyncConfig,
)
from hoist.config._sources import (
    BigQuerySourceConfig,
    DatabricksSourceConfig,
    DuckDBSourceConfig,
    PostgresSourceConfig,
    RedshiftSourceConfig,
    SnowflakeSourceConfig,
    SqlAlchemySourceConfig,
)
from hoist.secret import Secret
from hoist.workspaces import REGION_URLS

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "REGION_URLS",
    "SOURCE_TYPES",
    "ActivationConfig",
    "BigQuerySourceConfig",
    "ContactsConfig",
    "DatabricksSourceConfig",
    "DestinationConfig",
    "DuckDBSourceConfig",
    "ModelConfig",
    "PostgresSourceConfig",
    "RedshiftSourceConfig",
    "Secret",
    "SnowflakeSourceConfig",
    "SourceConfig",
    "SparkSourceConfig",
    "SqlAlchemySourceConfig",
    "StateConfig",
    "SyncConfig",
    "load_activation",
    "parse_activation",
]
