"""The duckdb warehouse: its connector."""
