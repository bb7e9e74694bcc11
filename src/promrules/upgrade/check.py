"""The upgrade check as one call: find the test files, run both promtools, compare, classify."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules.engine.results import FileResult
from promrules.files.model import TestFile, TestGroup
from promrules.promtool.binary import Promtool
from promrules.upgrade.classify import Classification, classify
from promrules.upgrade.compare import Groups, compare, find_test_files, run_suite
from promrules.upgrade.python_tests import (
    ChangedTest,
    compare_tests,
    find_python_tests,
    run_python_tests,
)

__all__ = ["UpgradeCheck", "check_results", "run_check", "shown_path"]


@dataclass(frozen=True)
class UpgradeCheck:
    """Everything the reports print: what was compared, what changed, why, and how long it took."""

    before: str  # promtool version texts
    after: str
    files: int
    cases: int
    changed: tuple[Classification, ...]
    problems: tuple[str, ...] = ()
    seconds: tuple[float, float, float] = (0.0, 0.0, 0.0)  # before, after, classifying
    python_tests: int = 0  # Python tests compared (`--python`)
    python_changed: tuple[ChangedTest, ...] = ()

    @property
    def any_changed(self) -> bool:
        return bool(self.changed or self.python_changed)

    @property
    def changed_files(self) -> list[str]:
        seen: dict[str, None] = {}
        for node_id in [i.changed.node_id for i in self.changed] + [
            t.node_id for t in self.python_changed
        ]:
            seen[node_id.split("::")[0]] = None
        return list(seen)


def shown_path(path: Path, rootdir: Path) -> str:
    """A path as the reader knows it: relative to the rootdir when inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(rootdir)) if resolved.is_relative_to(rootdir) else str(path)


def _chosen(test_file: TestFile, groups: Groups | None) -> list[TestGroup]:
    wanted = (groups or {}).get(test_file.path)
    return [g for g in test_file.groups if wanted is None or g.index in wanted]


def check_results(
    test_files: Sequence[TestFile],
    before: tuple[Promtool, dict[Path, FileResult]],
    after: tuple[Promtool, dict[Path, FileResult]],
    rootdir: Path,
    seconds: tuple[float, float] = (0.0, 0.0),
    problems: Sequence[str] = (),
    workers: int = 1,
    groups: Groups | None = None,
) -> UpgradeCheck:
    """Compare two finished runs of the same files (`groups` of them) and classify what changed."""
    shown = {tf.path: shown_path(tf.path, rootdir.resolve()) for tf in test_files}
    changed = compare(test_files, before[1], after[1], shown, groups)
    started = time.monotonic()
    classified = classify(
        changed,
        before[0],
        after[0],
        lambda promtool, files: run_suite(promtool, files, rootdir, workers),
    )
    cases = sum(len(g.cases) for tf in test_files for g in _chosen(tf, groups))
    return UpgradeCheck(
        before[0].version_text,
        after[0].version_text,
        len(test_files),
        cases,
        tuple(classified),
        tuple(problems),
        (*seconds, time.monotonic() - started),
    )


def run_check(
    paths: Sequence[Path],
    before: Promtool,
    after: Promtool,
    rootdir: Path,
    workers: int = 1,
    trim: bool = True,
    python: bool = False,
) -> UpgradeCheck:
    """Run every promtool test file under `paths` with both promtools and explain the changes.

    `python`: also run the Python test files under `paths` with each promtool.
    """
    test_files, problems = find_test_files(paths)
    python_files = find_python_tests(paths) if python else []
    started = time.monotonic()
    old = run_suite(before, test_files, rootdir, workers, trim)
    old_python = run_python_tests(before, python_files, rootdir, before.timeout)
    middle = time.monotonic()
    new = run_suite(after, test_files, rootdir, workers, trim)
    new_python = run_python_tests(after, python_files, rootdir, after.timeout)
    ended = time.monotonic()
    check = check_results(
        test_files,
        (before, old),
        (after, new),
        rootdir,
        (middle - started, ended - middle),
        problems,
        workers,
    )
    python_problems = tuple(
        f"Python tests on promtool {p.version_text}: {run.problem}"
        for p, run in ((before, old_python), (after, new_python))
        if run.problem
    )
    return dataclasses.replace(
        check,
        problems=check.problems + python_problems,
        python_tests=len(old_python.outcomes.keys() | new_python.outcomes.keys()),
        python_changed=tuple(compare_tests(old_python, new_python)),
    )
