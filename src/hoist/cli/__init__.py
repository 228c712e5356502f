"""The `hoist` command line: the `hoist` group (`hoist.cli.root`) and its commands.

The console script is ``hoist = "hoist.cli:main"``.
"""

from hoist.cli.root import main

__all__ = ["main"]
