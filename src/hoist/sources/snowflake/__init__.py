"""The snowflake warehouse: its connector."""
