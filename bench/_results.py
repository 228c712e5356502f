"""Record benchmark figures in bench/RESULTS.md, one marked section per benchmark."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["RESULTS", "write_section"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_HEADER = "# Benchmark results\n\nWritten by the scripts in bench/; rerun them to refresh.\n"


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace the section between `<!-- bench:NAME -->` markers, or append it if absent."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
