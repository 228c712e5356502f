"""The databricks warehouse: its connector."""
