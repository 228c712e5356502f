"""The sqlalchemy warehouse: its connector."""
