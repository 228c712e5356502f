"""The bigquery warehouse: its connector."""
