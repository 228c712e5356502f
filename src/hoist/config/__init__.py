"""The activation file as typed, frozen, validated data.

`load_activation` reads a YAML file, substitutes ``${VAR}`` from the environment and validates
it; every problem of a file is reported at once, in one `ConfigError` naming the file, the key
and the fix. The access token is a `Secret` from the moment it is read.
"""

from __future__ import annotations

from hoist.config._definitions import (
    PROJECT_FILE,
    ActivationDefinition,
    ContactsDefinition,
    ModelDefinition,
    OwnerDefinition,
    ProjectDefinition,
    SourceDefinition,
    StateDefinition,
)
from hoist.config._load import (
    config_error,
    describe_errors,
    load_activation,
    parse_activation,
    substitute,
    written_secrets,
    yaml_problem,
)
from hoist.config._schedule import AlertConfig, AlertEvent
from hoist.config._schema import (
    DEFAULT_MEMORY_LIMIT,
    ActivationConfig,
    ContactsConfig,
    DestinationConfig,
    ModelConfig,
    StateConfig,
    SyncConfig,
    anchored,
)
from hoist.config._segment import (
    MAX_DEPTH,
    OPERATORS,
    TEXT_OPERATORS,
    AllOf,
    AnyOf,
    Condition,
    DbtRef,
    NotOf,
    Rule,
    SegmentConfig,
    SegmentDefinition,
    Span,
    parse_span,
)
from hoist.config._yaml import read_yaml_file
from hoist.secret import Secret
from hoist.sources.bigquery.config import BigQuerySourceConfig
from hoist.sources.databricks.config import DatabricksSourceConfig
from hoist.sources.duckdb.config import DuckDBSourceConfig
from hoist.sources.postgres.config import PostgresSourceConfig
from hoist.sources.redshift.config import RedshiftSourceConfig
from hoist.sources.registry import SOURCE_TYPES, SourceConfig
from hoist.sources.shared_config import DbtProject
from hoist.sources.snowflake.config import SnowflakeSourceConfig
from hoist.sources.spark.config import SparkSourceConfig
from hoist.sources.sqlalchemy.config import SqlAlchemySourceConfig
from hoist.workspaces import REGION_URLS

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "MAX_DEPTH",
    "OPERATORS",
    "PROJECT_FILE",
    "REGION_URLS",
    "SOURCE_TYPES",
    "TEXT_OPERATORS",
    "ActivationConfig",
    "ActivationDefinition",
    "AlertConfig",
    "AlertEvent",
    "AllOf",
    "AnyOf",
    "BigQuerySourceConfig",
    "Condition",
    "ContactsConfig",
    "ContactsDefinition",
    "DatabricksSourceConfig",
    "DbtProject",
    "DbtRef",
    "DestinationConfig",
    "DuckDBSourceConfig",
    "ModelConfig",
    "ModelDefinition",
    "NotOf",
    "OwnerDefinition",
    "PostgresSourceConfig",
    "ProjectDefinition",
    "RedshiftSourceConfig",
    "Rule",
    "Secret",
    "SegmentConfig",
    "SegmentDefinition",
    "SnowflakeSourceConfig",
    "SourceConfig",
    "SourceDefinition",
    "Span",
    "SparkSourceConfig",
    "SqlAlchemySourceConfig",
    "StateConfig",
    "StateDefinition",
    "SyncConfig",
    "anchored",
    "config_error",
    "describe_errors",
    "load_activation",
    "parse_activation",
    "parse_span",
    "read_yaml_file",
    "substitute",
    "written_secrets",
    "yaml_problem",
]
