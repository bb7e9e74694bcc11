"""A line on the terminal when promtool work goes quiet for a while.

promtool prints nothing until it is done, and the default timeout is ten
minutes: without this, a stuck or very slow file leaves a silent terminal.
After `seconds` without an answer, the files still being run are named once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

__all__ = ["DEFAULT_SECONDS", "SlowNotice"]

DEFAULT_SECONDS = 10.0


class SlowNotice:
    """Names the files of a promtool run still going after `seconds`."""

    def __init__(self, seconds: float, write: Callable[[str], None]) -> None:
        self.seconds = seconds
        self.write = write

    @contextlib.contextmanager
    def watch(self, files: Sequence[str]) -> Iterator[None]:
        """Around one piece of promtool work: the notice comes if it outlasts `seconds`."""
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        line = f"promrules: promtool still running after {self.seconds:g}s: {shown}"
        timer = threading.Timer(self.seconds, self.write, args=(line,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
