"""Amazon Redshift, read through its SQLAlchemy dialect: its config, its connector and its dialect.

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.redshift.config import RedshiftSourceConfig
from hoist.sources.redshift.dialect import RedshiftDialect

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    RedshiftSourceConfig,
    RedshiftDialect(),
    drivers=("sqlalchemy", "sqlalchemy_redshift", "redshift_connector"),
    install='pip install "hoist[redshift]"',
)
