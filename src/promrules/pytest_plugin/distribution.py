"""Cooperation with pytest-xdist: whole test files per worker, cores shared out.

promtool runs a test file's groups in one process, so the cases of one file
are best run by one xdist worker: under `--dist load` (what `-n` uses by
default) promrules hands xdist a scheduler that keeps each promtool test
file's cases together and spreads everything else test by test. Each worker
then runs only the files it was given, when it first needs them, with the
cores divided among the workers.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from promrules.pytest_plugin import partial_run
from promrules.pytest_plugin.live import LIVE

__all__ = ["WORKER_CASES", "CaseRecord", "default_workers", "is_xdist_worker", "may_start_early"]

_YAML_SUFFIXES = (".yml", ".yaml")


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def may_start_early(config: pytest.Config) -> bool:
    """Whether a test file may start running before collection ends.

    Not when an option can deselect items (their groups must not run), under
    --collect-only, nor in an xdist worker (it runs only what it is given).
    A plugin that deselects by other means only makes the early run wasted:
    its verdicts cover every group, the selected ones included.
    """
    option = config.option
    deselecting = (
        getattr(option, "keyword", "")
        or getattr(option, "markexpr", "")
        or getattr(option, "lf", False)
        or getattr(option, "deselect", None)
        or getattr(option, "stepwise", False)
        or getattr(option, "collectonly", False)
    )
    return not deselecting and not is_xdist_worker(config)


def default_workers(config: pytest.Config) -> int:
    """promtool processes per pytest process: every core, shared among xdist workers."""
    cores = os.cpu_count() or 1
    if is_xdist_worker(config):
        count = int(getattr(config, "workerinput", {}).get("workercount", 1) or 1)
        return max(1, cores // count)
    return cores


def file_scope(nodeid: str) -> str:
    """xdist scope of a test: its file for promtool test files, else the test itself."""
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(_YAML_SUFFIXES) and "::" in nodeid else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist", None) != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class PromtoolFileScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """Load scheduling that never splits a promtool test file's cases across workers."""

        def _split_scope(self, nodeid: str) -> str:
            return file_scope(nodeid)

    return PromtoolFileScheduling(config, log)


_COVERAGE = "promrules_coverage"
_CASES = "promrules_cases"
_LIVE_FOLDER = "promrules_live_folder"
_PARTIAL = "promrules_partial"  # why a worker's run is part of the suite (-k, --lf, ...)

# A case a worker ran: test file path, group index, case position in the group, status,
# node id (the controller has the failure text of each node id from the worker's reports).
CaseRecord = tuple[str, int, int, str, str]
# In the xdist controller: the cases every worker ran, for the HTML report.
WORKER_CASES = pytest.StashKey[list[CaseRecord]]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: hand this worker's alert coverage and cases to the controller."""
    if is_xdist_worker(session.config):
        from promrules.pytest_plugin.plugin import STATE, case_records

        output = session.config.workeroutput  # type: ignore[attr-defined]
        output[_COVERAGE] = session.config.stash[STATE].coverage.rows()
        output[_PARTIAL] = partial_run.partial_reason(session.config)
        output[_CASES] = case_records(session.items)
        # The controller removes it: it reads the cases for the HTML report, and xdist
        # may end a worker before the worker's own pytest_unconfigure has run.
        output[_LIVE_FOLDER] = session.config.stash[LIVE].hand_over()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the xdist controller: merge each worker's coverage, cases and live folders."""
    output = getattr(node, "workeroutput", {})
    if rows := output.get(_COVERAGE):
        from promrules.pytest_plugin.plugin import STATE

        node.config.stash[STATE].coverage.merge_rows(rows)
    partial_run.add_worker_reason(node.config, output.get(_PARTIAL))
    node.config.stash.setdefault(WORKER_CASES, []).extend(
        tuple(record) for record in output.get(_CASES, ())
    )
    if folder := output.get(_LIVE_FOLDER):
        node.config.stash[LIVE].also_remove(folder)
