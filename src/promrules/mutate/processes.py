"""Processes of a mutation run besides promtool: pytest runs, and SIGTERM handling.

The Python tests (`--python`) run as pytest processes started through the
run's own `Promtool`'s process groups, so stopping that Promtool stops them
too, with everything they started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from promrules.promtool.binary import Promtool, PromtoolError

__all__ = ["Pytests", "sigterm_as_interrupt"]


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so the same clean-up runs for both."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Pytests:
    """Runs the Python tests of a copy, with the run's promtool, stopped with it."""

    def __init__(self, promtool: Promtool) -> None:
        self.promtool = promtool

    def run(self, folder: Path, tests: Sequence[Path]) -> tuple[int, str]:
        argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        env = {**os.environ, "PROMTOOL": self.promtool.path}
        timeout = self.promtool.timeout
        try:
            code, output = self.promtool.processes.run(
                [*argv, *map(str, tests)], cwd=folder, env=env, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise PromtoolError(f"the Python tests did not finish within {timeout:g}s") from exc
        return code, output.decode("utf-8", errors="replace")
