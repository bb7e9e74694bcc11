"""Progress of a derivation on a terminal: alerts done / total and the current file.

Derivation of a large rule set takes minutes; a silent terminal looks hung.
Only a terminal gets the line (rewritten in place); logs and CI stay clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts alerts whose work has finished, by identity of their work."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        every_s: float = 0.5,
        rewrite: Callable[[str], None] | None = None,
        done_before: int = 0,
        overall: int | None = None,
    ) -> None:
        """Writes to `stream` (stderr) when it is a terminal, or through `rewrite`
        (pytest's terminal reporter, which knows whether it is one).

        `done_before` and `overall` count the session's alerts, when the
        derivation at hand is one rule file of many (live mode).
        """
        self.stream = stream if stream is not None else sys.stderr
        self.done_before = done_before
        self.overall = overall
        self.every_s = every_s
        self.rewrite = rewrite
        self._files: dict[int, Path] = {}
        self._done: set[int] = set()
        self._shown = 0.0
        self._width = 0

    @property
    def enabled(self) -> bool:
        return self.rewrite is not None or bool(getattr(self.stream, "isatty", lambda: False)())

    @property
    def counts(self) -> tuple[int, int]:
        return len(self._done), len(self._files)

    def start(self, alerts: Sequence[tuple[int, Path]]) -> None:
        self._files = dict(alerts)
        self._done = set()
        self._show(force=True)

    def round_done(self, live: set[int]) -> None:
        """After a promtool round: every alert without live work is done."""
        self._done = {key for key in self._files if key not in live}
        self._show()

    def finish(self) -> None:
        self._done = set(self._files)
        if self.rewrite is not None:
            self.rewrite("")
        elif self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def line(self) -> str:
        done, total = self.counts
        done, total = done + self.done_before, max(self.overall or 0, total + self.done_before)
        pending = [path for key, path in self._files.items() if key not in self._done]
        current = f", {_shown(pending[0])}" if pending else ""
        return f"promrules: deriving alerts {done}/{total}{current}"

    def _show(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._shown < self.every_s):
            return
        self._shown = now
        text = self.line()
        if self.rewrite is not None:
            self.rewrite(text)
            return
        pad = max(self._width - len(text), 0)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)


def _shown(path: Path) -> str:
    """The path relative to the working folder when it is inside it."""
    resolved, here = path.resolve(), Path.cwd().resolve()
    return str(resolved.relative_to(here)) if resolved.is_relative_to(here) else str(path)
