"""The redshift warehouse: its connector."""
