"""The CLI reference page, `docs/cli.md`, written from the commands' own `--help`.

`python -m hoist.cli.reference docs/cli.md` (run by `make docs`) rewrites the page; a test keeps
the committed page equal to what the commands print, so the reference never drifts from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from hoist.cli import main as hoist_main

__all__ = ["command_paths", "help_text", "render"]

#: Help is wrapped for an 80-column terminal, whatever the terminal of whoever renders it.
_COLUMNS = "80"

_HEADER = """\
# CLI reference

Every `hoist` command and its options, as `hoist COMMAND --help` prints them (this page is
generated from the commands by `make docs`; a test keeps the two equal).

Exit status, for every command that runs or checks something: `0` success; `1` finished with
rejected or failed companies (or, for `verify`, drift left); `2` the run could not proceed
(config, source, state, auth, another workspace) and nothing was marked as synced; `130` stopped
by Ctrl-C (what Intercom confirmed is committed; the next run sends the rest).
"""


def command_paths(command: click.Command = hoist_main) -> Iterator[list[str]]:
    """Every command's path under `hoist`, groups before their subcommands, by name."""
    yield []
    if isinstance(command, click.Group):
        for name in command.list_commands(click.Context(command)):
            sub = command.get_command(click.Context(command), name)
            assert sub is not None
            yield from ([name, *rest] for rest in command_paths(sub))


def help_text(path: list[str]) -> str:
    """What `hoist PATH --help` prints on an 80-column terminal."""
    result = CliRunner().invoke(
        hoist_main, [*path, "--help"], prog_name="hoist", env={"COLUMNS": _COLUMNS}
    )
    if result.exit_code != 0:
        raise RuntimeError(f"hoist {' '.join(path)} --help failed: {result.output}")
    return result.stdout


def render() -> str:
    """The whole reference page (Markdown)."""
    sections = [_HEADER]
    for path in command_paths():
        title = " ".join(["hoist", *path])
        sections.append(f"## `{title}`\n\n```text\n{help_text(path).rstrip()}\n```\n")
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    """Write the page to the path given (default docs/cli.md)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/cli.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
