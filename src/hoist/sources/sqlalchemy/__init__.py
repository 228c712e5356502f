"""Any database SQLAlchemy reaches: its config and its connector (its URL names the dialect).

`config` and `dialect` import no driver; `connector` (imported by name when a source of this
type is opened) imports the driver.
"""

from __future__ import annotations

from hoist.sources.definition import Warehouse
from hoist.sources.sqlalchemy.config import SqlAlchemySourceConfig

__all__ = ["WAREHOUSE"]

WAREHOUSE = Warehouse(
    SqlAlchemySourceConfig, None, drivers=("sqlalchemy",), install='pip install "hoist[sqlalchemy]"'
)
