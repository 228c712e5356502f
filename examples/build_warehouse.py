"""Build the example warehouse: ~1,000 companies with varied types, nulls and unicode.

Run: python examples/build_warehouse.py [PATH] [--rows N]. Deterministic (seeded), so every
build holds the same rows; `hoist init` builds the same warehouse.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hoist.project.example import WAREHOUSE, build_warehouse

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=HERE / WAREHOUSE)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    build_warehouse(args.path, args.rows)
    print(f"built {args.path} with {args.rows} companies")


if __name__ == "__main__":
    main()
