"""SIGTERM is stopped like Ctrl-C, so a cancelled CI job cleans up as an interrupted run does.

CI systems cancel a job with SIGTERM. Python's default would end pytest at
once, leaving promtool children (in sessions of their own) running and the
temp folders behind. Raised as KeyboardInterrupt in the main thread, it goes
through pytest's interrupt path: the session ends, `pytest_unconfigure`
stops the promtools, and the temp folders are removed as their owners unwind.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["restore_sigterm", "sigterm_as_interrupt"]

_Handler = Callable[[int, FrameType | None], Any] | int | None


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def sigterm_as_interrupt() -> _Handler:
    """Make SIGTERM raise KeyboardInterrupt; the handler it replaced (None off the main
    thread, or when someone else already handles SIGTERM, which is then left alone)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def restore_sigterm(previous: _Handler) -> None:
    """Put back what `sigterm_as_interrupt` replaced."""
    if previous is not None and signal.getsignal(signal.SIGTERM) is _interrupt:
        signal.signal(signal.SIGTERM, previous)
