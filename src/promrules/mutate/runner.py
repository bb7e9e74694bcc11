"""Run the test suite against every mutant, in parallel, in temporary copies.

Each mutant gets its own copy of the rules and tests folders. First the
test groups that name the mutated alert run, as one promtool process:
they kill most mutants for a fraction of the cost. A mutant they miss
faces the test files that load its rule file, as written, and optionally
the Python tests. A thread pool keeps every core busy. The suite must
pass unmutated first, or a "killed" would mean nothing. However the run
ends (Ctrl-C, SIGTERM, a crash), running processes are killed and every
copy is removed.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from promrules.engine.execution import read_reports
from promrules.engine.split import write_group_files
from promrules.files.model import TestFile, TestGroup
from promrules.mutate.base import Mutant, MutateError
from promrules.mutate.processes import Pytests
from promrules.mutate.project import Suite
from promrules.mutate.workspace import copy_suite, session_folder
from promrules.promtool.binary import Promtool, PromtoolError

__all__ = ["MutationRun", "Outcome", "Status", "run_mutants"]

Status = Literal["killed", "survived", "error", "skipped"]


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    status: Status
    detail: str = ""  # what killed it, why it errored or was skipped


@dataclass(frozen=True)
class MutationRun:
    outcomes: tuple[Outcome, ...]
    seconds: float
    workers: int
    promtool: str


@dataclass(frozen=True)
class _Context:
    promtool: Promtool
    suite: Suite
    session: Path
    pytests: Pytests | None
    test_files: dict[Path, TestFile]
    pristine: Path  # the copy every run copies from: the files as they were discovered


def _run_promtool(
    context: _Context, targets: Sequence[tuple[Path, str]], explain: bool = False
) -> tuple[Status, str]:
    """Run test files in one promtool process: killed, survived, or error.

    `targets` are the files to run, each with the name a kill is reported under;
    `explain` adds the first failure promtool printed.
    """
    run = context.promtool.test_rules(*(path for path, _ in targets))
    reports = read_reports(run, len(targets))
    if isinstance(reports, str):
        return "error", reports
    for (_path, shown), report in zip(targets, reports, strict=True):
        if report.failed:
            why = report.failures[0].text if explain and report.failures else ""
            return "killed", f"{shown}:\n{why}" if why else shown
    return "survived", ""


def _mentions(group: TestGroup, alert: str) -> bool:
    return any(
        (case.kind == "alert" and case.subject == alert)
        or (case.kind == "expr" and alert in case.subject)
        for case in group.cases
    )


def _focused(
    context: _Context, folder: Path, tests: Sequence[Path], alert: str
) -> list[tuple[Path, str]]:
    """The test groups that name the mutated alert, each as a file of its own.

    They kill most mutants, in a fraction of the time of whole files; groups
    are independent in promtool, so a group that fails alone fails in its file.
    """
    suite, targets = context.suite, []
    scratch = folder / ".promrules-groups"
    for n, source in enumerate(tests):
        test_file = context.test_files[source]
        chosen = [g for g in test_file.groups if _mentions(g, alert)]
        if not chosen:
            continue
        copy = dataclasses.replace(test_file, path=folder / source.relative_to(suite.root))
        (scratch / str(n)).mkdir(parents=True)
        paths = write_group_files(copy, scratch / str(n), [g.index for g in chosen])
        shown = suite.shown(source)
        targets += [(path, f"{shown} ({g.label})") for path, g in zip(paths, chosen, strict=True)]
    return targets


def _run_python(context: _Context, folder: Path, explain: bool = False) -> tuple[Status, str]:
    assert context.pytests is not None
    tests = [path.relative_to(context.suite.root) for path in context.suite.python_tests]
    code, output = context.pytests.run(folder, tests)
    if code == 0:
        return "survived", ""
    if code == 1:
        return "killed", f"the Python tests:\n{output[-2000:]}" if explain else "the Python tests"
    return "error", f"pytest exited with {code}:\n{output[-2000:]}"


def _judge(
    context: _Context,
    folder: Path,
    tests: Sequence[Path],
    alert: str | None = None,
    explain: bool = False,
) -> tuple[Status, str]:
    """Kill with the alert's own groups first, else run the test files as written."""
    focused = _focused(context, folder, tests, alert) if alert is not None else []
    if focused:
        status, detail = _run_promtool(context, focused)
        if status != "survived":
            return status, detail
    whole = [
        (folder / path.relative_to(context.suite.root), str(context.suite.shown(path)))
        for path in tests
    ]
    status, detail = _run_promtool(context, whole, explain) if tests else ("survived", "")
    if status == "survived" and context.pytests is not None and context.suite.python_tests:
        status, detail = _run_python(context, folder, explain)
    return status, detail


def run_mutant(context: _Context, mutant: Mutant) -> Outcome:
    """Copy the suite, apply one mutant to the copy, and run its tests there."""
    if mutant.edit is None:
        return Outcome(mutant, "skipped", mutant.reason)
    folder = Path(tempfile.mkdtemp(prefix="mutant-", dir=context.session))
    try:
        copy_suite(context.suite, folder, context.pytests is not None, context.pristine)
        original = (context.pristine / mutant.path).read_text(encoding="utf-8")
        (folder / mutant.path).write_text(mutant.edit.apply(original), encoding="utf-8")
        tests = context.suite.loaders.get(context.suite.root / mutant.path, ())
        status, detail = _judge(context, folder, tests, mutant.alert)
        if status == "survived" and not tests and context.pytests is None:
            detail = f"no test file loads {mutant.path}"
        return Outcome(mutant, status, detail)
    except (PromtoolError, OSError) as exc:
        return Outcome(mutant, "error", str(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _snapshot(context: _Context) -> None:
    """Copy the files once, as they were discovered, for every run to copy from."""
    copy_suite(context.suite, context.pristine, context.pytests is not None)
    changed = context.suite.changed(context.pristine)
    if changed:
        raise MutateError(f"{changed[0]} changed while the mutation run started: run it again")


def _baseline(context: _Context) -> None:
    """The unmutated suite must pass, or no verdict on a mutant means anything."""
    folder = context.session / "baseline"
    folder.mkdir()
    copy_suite(context.suite, folder, context.pytests is not None, context.pristine)
    tests = [test_file.path for test_file in context.suite.test_files]
    status, detail = _judge(context, folder, tests, explain=True)
    shutil.rmtree(folder, ignore_errors=True)
    if status != "survived":
        raise MutateError(f"the test suite does not pass without mutants: {detail}")


def run_mutants(
    promtool: Promtool,
    suite: Suite,
    mutants: Sequence[Mutant],
    *,
    workers: int | None = None,
    python: bool = False,
    progress: Callable[[Outcome], None] | None = None,
) -> MutationRun:
    """Run the suite against each mutant and say which ones it killed."""
    started = time.monotonic()
    workers = max(1, workers or os.cpu_count() or 1)
    # A private Promtool, so stopping this run's processes stops nothing else.
    own = Promtool(promtool.path, promtool.version, promtool.source, promtool.timeout)
    pytests = Pytests(own) if python else None
    outcomes: list[Outcome] = []
    with session_folder() as session:
        by_path = {test_file.path: test_file for test_file in suite.test_files}
        context = _Context(own, suite, session, pytests, by_path, session / "pristine")
        _snapshot(context)
        _baseline(context)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="promrules-mutant")
        try:
            futures = [pool.submit(run_mutant, context, mutant) for mutant in mutants]
            for future in as_completed(futures):
                outcomes.append(future.result())
                if progress is not None:
                    progress(outcomes[-1])
        except BaseException:
            own.stop()  # its promtool and pytest processes alike
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    order = {id(mutant): n for n, mutant in enumerate(mutants)}
    outcomes.sort(key=lambda outcome: order[id(outcome.mutant)])
    return MutationRun(tuple(outcomes), time.monotonic() - started, workers, own.version_text)
