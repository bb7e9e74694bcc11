"""Processes of a mutation run that must die with it: pytest runs, and SIGTERM handling.

promtool processes are tracked by `Promtool` itself; the Python tests
(`--python`) run as pytest processes, tracked here the same way: in their
own process group, so a stop kills them and everything they started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from promrules.promtool import Promtool, PromtoolError

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
    """The pytest processes of a run, so a stop can kill them all."""

    def __init__(self, promtool: Promtool, timeout: float) -> None:
        self.promtool = promtool
        self.timeout = timeout
        self.running: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def run(self, folder: Path, tests: Sequence[Path]) -> tuple[int, str]:
        if self.stopped.is_set():
            raise PromtoolError("the run was stopped")
        argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        env = {**os.environ, "PROMTOOL": self.promtool.path}
        process = subprocess.Popen(
            [*argv, *map(str, tests)],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with self.lock:
            self.running.add(process)
        try:
            output, _ = process.communicate(timeout=self.timeout)
        except BaseException:
            _kill(process)
            process.communicate()
            raise
        finally:
            with self.lock:
                self.running.discard(process)
        return process.returncode, output.decode("utf-8", errors="replace")

    def stop(self) -> None:
        self.stopped.set()
        with self.lock:
            running = list(self.running)
        for process in running:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
