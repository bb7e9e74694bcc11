"""Python work at the end of a session, moved to while promtool runs.

Measured on the seed suite, two costs came after the last promtool process
had ended, when nothing else could hide them:

- pytest's end-of-session garbage collection (it looks for unraisable
  exceptions) walked every object the collection made: 0.13 s. Objects
  alive at the end of collection live to the end of the session anyway, so
  they are moved out of the collector's sight (`gc.freeze`).
- hypothesis's pytest plugin imports hypothesis in its terminal summary,
  whether or not a test used it: 0.15 s. It is imported in a background
  thread instead, while the main thread waits for promtool.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
import threading

import pytest

__all__ = ["prepare_session_end"]


def _import_quietly(name: str) -> None:
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def prepare_session_end(config: pytest.Config) -> None:
    """Call once promtool work has started: do now what the end of the session would."""
    gc.freeze()
    hypothesis_plugin = config.pluginmanager.has_plugin("hypothesispytest")
    if hypothesis_plugin and "hypothesis.internal.observability" not in sys.modules:
        threading.Thread(
            target=_import_quietly,
            args=("hypothesis.internal.observability",),
            name="promrules-import",
            daemon=True,
        ).start()
