"""The postgres warehouse: its connector."""
