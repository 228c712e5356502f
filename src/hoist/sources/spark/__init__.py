"""The spark warehouse: its connector."""
