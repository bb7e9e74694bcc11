"""`--promrules-compare-promtool=PATH`: the upgrade check at the end of a pytest session.

The session's own run gives the verdicts under its promtool; the same
selection of test groups then runs under the other promtool (same engine),
and the cases whose verdict differs are classified and printed in the
terminal summary. Any change fails the run. A plugin module of its own,
registered by `plugin`, so the main plugin only lists it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from promrules.files.model import TestFile
from promrules.promtool.binary import Promtool, PromtoolError, locate
from promrules.upgrade import report
from promrules.upgrade.check import UpgradeCheck, check_results
from promrules.upgrade.compare import Groups, run_suite

__all__ = ["COMPARED", "OTHER_PROMTOOL"]

OTHER_PROMTOOL = pytest.StashKey[Promtool]()
COMPARED = pytest.StashKey[UpgradeCheck]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("promrules")
    group.addoption(
        "--promrules-compare-promtool",
        dest="promrules_compare_promtool",
        metavar="PATH",
        help="also run the promtool test cases with this promtool; report and fail on "
        "every case whose verdict differs, with its cause (see docs/upgrade.md)",
    )


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("promrules_compare_promtool", None)
    if not path or hasattr(config, "workerinput"):
        return
    if config.getoption("numprocesses", None):
        raise pytest.UsageError(
            "promrules: --promrules-compare-promtool does not combine with -n (pytest-xdist); "
            "run it without -n, or use `promrules upgrade-check`"
        )
    try:
        config.stash[OTHER_PROMTOOL] = locate(option=path)
    except PromtoolError as exc:
        why = str(exc).replace(" (from --promtool)", "")
        raise pytest.UsageError(f"promrules: --promrules-compare-promtool={path}: {why}") from None


def _selection(session: pytest.Session) -> tuple[list[TestFile], Groups]:
    from promrules.pytest_plugin import plugin  # here: plugin registers this module

    chosen: dict[Path, tuple[TestFile, set[int]]] = {}
    for item in session.items:
        if isinstance(item, plugin.CaseItem):
            chosen.setdefault(item.test_file.path, (item.test_file, set()))[1].add(item.group.index)
    files = [test_file for test_file, _groups in chosen.values()]
    groups: Groups = {path: tuple(sorted(indexes)) for path, (_tf, indexes) in chosen.items()}
    return files, groups


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    other = session.config.stash.get(OTHER_PROMTOOL, None)
    if other is None or session.config.getoption("collectonly"):
        return
    check = _compare(session, other)
    if check is not None:
        session.config.stash[COMPARED] = check
        if check.any_changed:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _compare(session: pytest.Session, other: Promtool) -> UpgradeCheck | None:
    """The session's selected cases run again under the other promtool, and compared."""
    config = session.config
    from promrules.pytest_plugin import plugin

    state = config.stash[plugin.STATE]
    files, groups = _selection(session)
    if not files:
        return None
    promtool = state.promtool()
    mine = {tf.path: state.test_file_result(tf) for tf in files}
    # The session's promtool time: its processes' seconds (they ran during the tests).
    runs = {id(run): run.seconds for result in mine.values() for run in result.runs}
    started = time.monotonic()
    theirs = run_suite(other, files, config.rootpath, state.workers, state.trim_rules, groups)
    return check_results(
        files,
        (promtool, mine),
        (other, theirs),
        config.rootpath,
        (sum(runs.values()), time.monotonic() - started),
        workers=state.workers,
        groups=groups,
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    check = config.stash.get(COMPARED, None)
    if check is None:
        return
    terminalreporter.section("promrules upgrade check")
    for line in report.text_lines(check):
        terminalreporter.write_line(line, red=check.any_changed and not line.startswith(" "))
