"""Build the example warehouse: ~1,000 companies with varied types, nulls and unicode.

Run: python examples/build_warehouse.py [PATH] [--rows N]. Deterministic (seeded), so every
build holds the same rows.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
PLANS = ["Starter", "Growth", "Pro", "Enterprise", None]
INDUSTRIES = ["Software", "Retail", "Santé", "Logística", "教育", "Finance", None]
NAMES = [
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


def company_row(i: int, rng: random.Random) -> tuple[object, ...]:
    """One company: identifier, names with unicode, money as decimals, some nulls."""
    signed_up = datetime(2019, 1, 1) + timedelta(minutes=rng.randrange(0, 3_000_000))
    return (
        f"acct-{i:05d}",
        f"{rng.choice(NAMES)} {i}",
        rng.choice(PLANS),
        Decimal(rng.randrange(0, 5_000_000)) / 100 if rng.random() > 0.05 else None,
        rng.randrange(1, 5_000) if rng.random() > 0.1 else None,
        rng.choice(INDUSTRIES),
        f"https://example-{i}.com" if rng.random() > 0.2 else None,
        signed_up,
        round(rng.uniform(0, 100), 2) if rng.random() > 0.1 else None,
        rng.randrange(1, 500),
        rng.random() > 0.7,
        date(2027, 1, 1) + timedelta(days=rng.randrange(0, 365)) if rng.random() > 0.3 else None,
    )


def build(path: Path, rows: int) -> None:
    """(Re)create the warehouse file at `path` with `rows` companies."""
    path.unlink(missing_ok=True)
    rng = random.Random(42)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    con.execute(
        """
        CREATE TABLE analytics.companies (
            account_id VARCHAR, account_name VARCHAR, plan_name VARCHAR, mrr DECIMAL(12, 2),
            employees INTEGER, industry VARCHAR, website VARCHAR, signed_up_at TIMESTAMP,
            health_score DOUBLE, seats INTEGER, is_enterprise BOOLEAN, renewal_date DATE)
        """
    )
    con.executemany(
        "INSERT INTO analytics.companies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [company_row(i, rng) for i in range(rows)],
    )
    con.close()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=HERE / "warehouse.duckdb")
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    build(args.path, args.rows)
    print(f"built {args.path} with {args.rows} companies")


if __name__ == "__main__":
    main()
