"""Progress: a bar on a terminal, plain lines in logs, counts that add up."""

from __future__ import annotations

import io

from hoist.progress import BarProgress, LogProgress, progress_for


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        """Pretend to be a terminal."""
        return True


def test_a_terminal_gets_a_bar_and_a_log_gets_lines() -> None:
    """The display is chosen by whether stderr is a terminal."""
    assert isinstance(progress_for(Terminal()), BarProgress)
    assert isinstance(progress_for(io.StringIO()), LogProgress)


def test_log_lines_report_sent_failed_and_rate() -> None:
    """Plain progress names the stage, then how many were sent and failed out of the total."""
    stream = io.StringIO()
    progress = LogProgress(stream, every_s=0)
    progress.stage("read 10 rows")
    progress.planned(10)
    progress.advance(sent=7)
    progress.advance(failed=1)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "hoist: read 10 rows"
    assert lines[1] == "hoist: sending 10 companies"
    assert lines[-1].startswith("hoist: sent 7/10, failed 1, ")
    assert lines[-1].endswith("companies/s")


def test_the_bar_shows_stages_and_leaves_no_bar_behind() -> None:
    """On a terminal, stages are printed and the transient bar is gone when the run ends."""
    stream = Terminal()
    progress = BarProgress(stream)
    progress.stage("read 3 rows")
    progress.planned(3)
    progress.advance(sent=3)
    progress.close()
    shown = stream.getvalue()
    assert "hoist: read 3 rows" in shown
    assert "3/3" in shown
    assert shown.endswith("\x1b[2K")  # the bar's line is erased at the end
