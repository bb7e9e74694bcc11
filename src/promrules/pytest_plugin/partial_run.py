"""Whether this run selected only part of the suite (-k, -m, --lf, --deselect, --co, ...).

Alert coverage of such a run says little about the suite: an alert whose
cases were deselected looks untested. So a partial run gets no coverage gate
and no table, only a one-line note why (a gate in addopts must not fail a
`--lf` run). Deselection is seen through pytest's own `pytest_deselected`
hook; `--lf` also skips whole files without deselecting, so it is read from
the cache plugin.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["add_worker_reason", "count_deselected", "note_last_failed", "partial_reason"]

# Items deselected in this process (pytest_deselected), and, in the xdist
# controller, the reasons its workers gave.
DESELECTED = pytest.StashKey[int]()
WORKER_REASONS = pytest.StashKey[list[str]]()
LAST_FAILED = pytest.StashKey[bool]()  # --lf with failures on record at the session's start


def count_deselected(items: list[Any]) -> None:
    if items:
        config = items[0].config
        config.stash[DESELECTED] = config.stash.get(DESELECTED, 0) + len(items)


def note_last_failed(config: pytest.Config) -> None:
    """At the session's start: --lf with failures on record collects only those.

    Read then, as the cache plugin forgets each failure once it passes.
    """
    plugin = config.pluginmanager.get_plugin("lfplugin")
    on_record = bool(getattr(plugin, "lastfailed", None))
    config.stash[LAST_FAILED] = bool(config.getoption("lf", False)) and on_record


def partial_reason(config: pytest.Config) -> str | None:
    """Why this run is not the whole suite, or None when it is."""
    reasons = []
    if config.getoption("collectonly", False):
        reasons.append("--collect-only ran nothing")
    if config.stash.get(LAST_FAILED, False):
        reasons.append("--lf reran the last failures only")
    deselected = config.stash.get(DESELECTED, 0)
    if deselected:
        reasons.append(f"{deselected} item{'s' if deselected != 1 else ''} deselected")
    reasons += [r for r in config.stash.get(WORKER_REASONS, []) if r not in reasons]
    return "; ".join(reasons) or None


def add_worker_reason(config: pytest.Config, reason: str | None) -> None:
    """In the xdist controller: a worker's reason (workers deselect, the controller does not)."""
    known = config.stash.setdefault(WORKER_REASONS, [])
    known += [part for part in (reason or "").split("; ") if part and part not in known]
