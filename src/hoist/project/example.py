"""The example project: what `hoist init` writes and what `make demo` runs (``examples/``).

The definitions are files shipped in ``hoist/project/example/``; the warehouse is built here:
~1,000 companies with varied types, nulls and unicode, the same rows on every build (seeded).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Final

from hoist.errors import ConfigError

__all__ = ["WAREHOUSE", "build_warehouse", "example_files", "init_project", "user_rows"]

#: The example warehouse file, relative to the project folder.
WAREHOUSE: Final = "warehouse.duckdb"
_PLANS = ["Starter", "Growth", "Pro", "Enterprise", None]
_INDUSTRIES = ["Software", "Retail", "Santé", "Logística", "教育", "Finance", None]
_NAMES = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Société Générale",
    "Zürich Labs",
    "東京",
    "São Paulo Co",
    "Ωmega",
    "Café Noir",
    "Björk & Sons",
    "Dvořák Audio",
]
_COLUMNS = """
    account_id VARCHAR, account_name VARCHAR, plan_name VARCHAR, mrr DECIMAL(12, 2),
    employees INTEGER, industry VARCHAR, website VARCHAR, signed_up_at TIMESTAMP,
    health_score DOUBLE, seats INTEGER, is_enterprise BOOLEAN, renewal_date DATE
"""


def example_files() -> dict[str, str]:
    """The example project's definition files: relative path -> text."""
    root = resources.files("hoist.project") / "example"
    files = {"hoist.yml": root / "hoist.yml"}
    files["activations/paying-customers.yml"] = root / "activations" / "paying-customers.yml"
    return {name: file.read_text(encoding="utf-8") for name, file in files.items()}


def init_project(folder: str | Path, *, rows: int = 1000) -> list[Path]:
    """Write the example project (definitions and warehouse) into `folder`; the files written.

    Refuses (`ConfigError`) to overwrite a folder that already holds a project.
    """
    root = Path(folder).expanduser().absolute()
    if (root / "hoist.yml").exists():
        raise ConfigError(f"{root} already holds a project (hoist.yml); choose an empty folder")
    written = []
    for name, text in example_files().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    build_warehouse(root / WAREHOUSE, rows)
    return [*written, root / WAREHOUSE]


def company_row(i: int, rng: random.Random) -> tuple[object, ...]:
    """One company: identifier, names with unicode, money as decimals, some nulls."""
    signed_up = datetime(2019, 1, 1) + timedelta(minutes=rng.randrange(0, 3_000_000))
    return (
        f"acct-{i:05d}",
        f"{rng.choice(_NAMES)} {i}",
        rng.choice(_PLANS),
        Decimal(rng.randrange(0, 5_000_000)) / 100 if rng.random() > 0.05 else None,
        rng.randrange(1, 5_000) if rng.random() > 0.1 else None,
        rng.choice(_INDUSTRIES),
        f"https://example-{i}.com" if rng.random() > 0.2 else None,
        signed_up,
        round(rng.uniform(0, 100), 2) if rng.random() > 0.1 else None,
        rng.randrange(1, 500),
        rng.random() > 0.7,
        date(2027, 1, 1) + timedelta(days=rng.randrange(0, 365)) if rng.random() > 0.3 else None,
    )


def build_warehouse(path: Path, rows: int = 1000) -> None:
    """(Re)create the example warehouse at `path` with `rows` companies."""
    import duckdb  # the embedded warehouse; imported only when a warehouse is built

    path.unlink(missing_ok=True)
    rng = random.Random(42)
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA analytics")
        con.execute(f"CREATE TABLE analytics.companies ({_COLUMNS})")
        con.executemany(
            "INSERT INTO analytics.companies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [company_row(i, rng) for i in range(rows)],
        )
        # One user per company: the contacts the activation attaches, so that Intercom shows
        # the companies (it lists a company only once a contact is attached to it).
        con.execute("CREATE TABLE analytics.users (account_id VARCHAR, email VARCHAR)")
        con.executemany("INSERT INTO analytics.users VALUES (?, ?)", user_rows(rows))
    finally:
        con.close()


def user_rows(rows: int) -> list[tuple[str, str]]:
    """The example's users: (account_id, email), one per company, as analytics.users holds."""
    return [(f"acct-{i:05d}", f"admin@example-{i}.com") for i in range(rows)]
