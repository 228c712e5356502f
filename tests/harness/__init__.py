"""Helpers shared by the test folders: servers the tests start, activations, the CLI in-process.

Test modules and conftest files import from here, never from each other, so a folder's tests
can move or be deleted without breaking another folder.
"""
