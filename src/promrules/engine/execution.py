"""Give every case of a promtool test file its own verdict from promtool's reports.

Two ways in. From one-group copies of the file (how the session runs files
by default, trimmed to the rules each group needs, see `batching`): each
report is one group's (`judge_groups`). From a run of the file as written
(`--promrules-trim-rules=off`, and the fallbacks): when it fails, 3.x's JUnit
report attributes the failures to groups, and with 2.x the groups run again,
each as its own file in one process (`judge_file`). Inside a group a failure
is matched to a case by its alert name or expression and its evaluation time.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from promrules.engine.checks import file_problem, group_and_case_problems
from promrules.engine.results import CaseKey, CaseResult, FileResult, Status, case_key
from promrules.engine.split import write_group_files
from promrules.files.model import Case, TestFile, TestGroup
from promrules.promtool.binary import Promtool, PromtoolError, PromtoolRun
from promrules.promtool.junit import read_junit
from promrules.promtool.output import Failure, FileReport, parse_test_output

__all__ = [
    "CaseResult",
    "FileResult",
    "case_results",
    "file_error_as_written",
    "judge_file",
    "judge_groups",
    "read_reports",
    "run_groups",
    "run_named_groups",
    "run_test_file",
    "run_test_files",
]

# Errors promtool raises before it runs any group: they concern the whole file.
_FILE_LEVEL_PREFIXES = ("yaml:", "open ", "group name repeated", "syntax error in pattern")


def _matches(failure: Failure, case: Case) -> bool:
    return (
        failure.kind == case.kind
        and failure.time_ms == case.eval_ms
        and failure.subject == case.subject
    )


def _attribute_group(group: TestGroup, report: FileReport) -> dict[CaseKey, CaseResult]:
    """Match each failure of one group's report to the first case it fits."""
    by_case: dict[CaseKey, list[Failure]] = {}
    group_level: list[Failure] = []
    for failure in report.failures:
        for case in group.cases:
            key = case_key(group, case)
            if _matches(failure, case) and key not in by_case:
                by_case[key] = [failure]
                break
        else:
            group_level.append(failure)
    verdicts = {}
    for case in group.cases:
        key = case_key(group, case)
        if group_level:
            text = "\n\n".join(f.text for f in group_level)
            verdicts[key] = CaseResult("error", tuple(group_level), text)
        elif key in by_case:
            failures = tuple(by_case[key])
            status: Status = "error" if failures[0].error else "failed"
            verdicts[key] = CaseResult(status, failures, failures[0].error or "")
    if report.failed and not verdicts and group.cases:
        # promtool failed this group without saying why in a form we know.
        for case in group.cases:
            verdicts[case_key(group, case)] = CaseResult("error", report.failures, "group failed")
    return verdicts


def _unrecognised(run: PromtoolRun, why: str) -> str:
    return (
        f"promrules did not recognise promtool's output ({why}); promtool's verdict is "
        f"exit code {run.returncode}. Raw output of `{' '.join(run.argv)}`:\n{run.shown_output}"
    )


def read_reports(run: PromtoolRun, expected: int) -> list[FileReport] | str:
    """The per-file reports of a run over `expected` files, or why they can't be read."""
    if run.crashed:
        return f"promtool crashed ({run.exit_text}):\n{run.shown_output}"
    reports = parse_test_output(run.output)
    if len(reports) != expected:
        return _unrecognised(
            run,
            f"expected {expected} file verdict{'' if expected == 1 else 's'}, found {len(reports)}",
        )
    if any(r.failed for r in reports) != (run.returncode != 0):
        return _unrecognised(run, "its printed verdict and exit code disagree")
    return reports


def _file_level_error(report: FileReport) -> str | None:
    texts = [f.text for f in report.failures if f.kind == "other"]
    if any(text.startswith(_FILE_LEVEL_PREFIXES) for text in texts):
        return "\n".join(texts)
    return None


def run_groups(
    promtool: Promtool, test_file: TestFile, groups: Sequence[int] | None = None
) -> tuple[PromtoolRun, list[FileReport] | str]:
    """Run some (default: all) groups of a file, each as its own file, in one process."""
    chosen = [test_file.groups[i] for i in groups] if groups is not None else test_file.groups
    with tempfile.TemporaryDirectory(prefix="promrules-") as tmp:
        paths = write_group_files(test_file, Path(tmp), [g.index for g in chosen])
        run = promtool.test_rules(*paths)
    return run, read_reports(run, len(paths))


def judge_groups(
    test_file: TestFile, reports: dict[int, FileReport], runs: tuple[PromtoolRun, ...]
) -> FileResult:
    """A file's verdicts from the reports of its groups run one by one (or some of them).

    Each group's copy holds the file's top-level keys and its own group: an
    error that stops promtool reading a copy (an unknown field, say) stops it
    reading the file as written too, so it is the whole file's error.
    """
    for report in reports.values():
        file_error = _file_level_error(report)
        if file_error is not None:
            return FileResult(test_file, file_error=file_error, runs=runs)
    verdicts = group_and_case_problems(test_file)
    for group in test_file.groups:
        if group.index in reports:
            verdicts = {**_attribute_group(group, reports[group.index]), **verdicts}
    return FileResult(test_file, verdicts, runs=runs)


def _unattributable(test_file: TestFile, run: PromtoolRun) -> FileResult:
    """A failed file whose groups promrules cannot rerun one by one: every case fails."""
    message = (
        "promtool failed this file, and promrules cannot tell which case it was: its "
        "reading of the file may differ from promtool's ("
        + "; ".join(test_file.doubts)
        + f"), so it ran the file only as written. promtool's output:\n{run.output}"
    )
    return FileResult(test_file, file_error=message, runs=(run,))


_LINE_RE = re.compile(r"\bline \d+\b")


def file_error_as_written(promtool: Promtool, result: FileResult) -> FileResult:
    """A file error read from one-group copies, as promtool words it for the file as written.

    promtool's `line N` counts lines of the copy it was given, not of the
    user's file. The error stops promtool reading the file as written too, so
    one run of that file gives the same message with the user's line numbers.
    """
    if result.file_error is None or not _LINE_RE.search(result.file_error):
        return result
    try:
        run = promtool.test_rules(result.test_file.path.resolve())
    except PromtoolError:
        return result
    reports = read_reports(run, 1)
    error = None if isinstance(reports, str) else _file_level_error(reports[0])
    if error is None:
        return result
    return FileResult(result.test_file, file_error=error, runs=(*result.runs, run))


def _attribute(promtool: Promtool, test_file: TestFile, first: PromtoolRun) -> FileResult:
    """Find which cases failed in a file whose run as written failed."""
    if test_file.doubts:
        return _unattributable(test_file, first)
    split_run, reports = run_groups(promtool, test_file)
    runs = (first, split_run)
    if isinstance(reports, str):
        return FileResult(test_file, file_error=_unrecognised(first, reports), runs=runs)
    result = judge_groups(test_file, dict(enumerate(reports)), runs)
    if not any(r.failed for r in reports):
        why = "the file failed but no single group did"
        return FileResult(test_file, file_error=_unrecognised(first, why), runs=runs)
    return result


def judge_file(
    promtool: Promtool,
    test_file: TestFile,
    run: PromtoolRun,
    report: FileReport,
    group_reports: list[FileReport] | None = None,
) -> FileResult:
    """Verdicts for a file from its report in a run of the file as written.

    `group_reports` (from promtool 3.x's JUnit report) attribute failures to
    groups directly; without them, or when they don't fit the file, the
    groups are run again one by one.
    """
    if not report.failed:
        return FileResult(test_file, group_and_case_problems(test_file), runs=(run,))
    file_error = _file_level_error(report)
    if file_error is not None:
        return FileResult(test_file, file_error=file_error, runs=(run,))
    if len(test_file.groups) == 1:  # the file's report is its only group's report
        return judge_groups(test_file, {0: report}, (run,))
    fits = group_reports is not None and len(group_reports) == len(test_file.groups)
    if fits and group_reports and any(r.failed for r in group_reports):
        return judge_groups(test_file, dict(enumerate(group_reports)), (run,))
    return _attribute(promtool, test_file, run)


def _junit_of(run: PromtoolRun, junit: Path) -> list[list[FileReport]] | None:
    """The JUnit report a run was asked for; a run that passed without writing it is an error.

    A promtool that says SUCCESS but skips part of its job cannot be trusted
    with a pass. (A failed run may stop before writing it: its groups run again.)
    """
    by_group = read_junit(junit)
    printed = parse_test_output(run.output)
    claims_success = run.returncode == 0 and bool(printed) and not any(r.failed for r in printed)
    if by_group is None and claims_success:
        state = "wrote an unreadable" if junit.exists() else "did not write the"
        raise PromtoolError(
            f"promtool exited 0 but {state} JUnit report it was asked for (--junit), "
            f"so its verdict is not trusted: {' '.join(run.argv[:3])} ..."
        )
    return by_group


def run_whole_files(
    promtool: Promtool, paths: Sequence[Path]
) -> tuple[PromtoolRun, list[list[FileReport]] | None]:
    """Run files as written in one process; with 3.x, also read the per-group JUnit report."""
    if promtool.major < 3:
        return promtool.test_rules(*paths), None
    with tempfile.TemporaryDirectory(prefix="promrules-") as tmp:
        junit = Path(tmp) / "junit.xml"
        run = promtool.run("test", "rules", f"--junit={junit}", *map(str, paths))
        return run, _junit_of(run, junit)


def run_named_groups(
    promtool: Promtool, test_file: TestFile, groups: Sequence[int], regex: str
) -> tuple[PromtoolRun, dict[int, FileReport] | str]:
    """Run some groups of a file as written, picked by name with 3.x's `--run`.

    The JUnit report lists the groups that ran, in file order, one per
    selected group. When it doesn't (or disagrees with the printed verdict),
    the groups are run again as trimmed copies.
    """
    with tempfile.TemporaryDirectory(prefix="promrules-") as tmp:
        junit = Path(tmp) / "junit.xml"
        run = promtool.run(
            "test", "rules", f"--junit={junit}", f"--run={regex}", str(test_file.path.resolve())
        )
        by_group = _junit_of(run, junit)
    reports = read_reports(run, 1)
    ordered = sorted(groups)
    if (
        isinstance(reports, list)
        and by_group is not None
        and len(by_group) == 1
        and len(by_group[0]) == len(ordered)
        and any(r.failed for r in by_group[0]) == reports[0].failed
    ):
        return run, dict(zip(ordered, by_group[0], strict=True))
    again, split = run_groups(promtool, test_file, ordered)
    if isinstance(split, str):
        return again, split
    return again, dict(zip(ordered, split, strict=True))


def run_test_files(promtool: Promtool, test_files: Sequence[TestFile]) -> dict[Path, FileResult]:
    """Run whole test files, as written, in one promtool process.

    promtool reports each file given separately, so one process serves many
    files. If the run can't be read (a crash, say), each file is run alone so
    one bad file does not take the verdicts of the others with it.
    """
    results: dict[Path, FileResult] = {}
    runnable = []
    for test_file in test_files:
        problem = file_problem(test_file)
        if problem:
            results[test_file.path] = FileResult(test_file, file_error=problem)
        else:
            runnable.append(test_file)
    if not runnable:
        return results
    try:
        run, by_group = run_whole_files(promtool, [f.path.resolve() for f in runnable])
        reports = read_reports(run, len(runnable))
        if isinstance(reports, str) and len(runnable) > 1:
            for test_file in runnable:
                results.update(run_test_files(promtool, [test_file]))
            return results
        if isinstance(reports, str):
            results[runnable[0].path] = FileResult(runnable[0], file_error=reports, runs=(run,))
            return results
        if by_group is not None and len(by_group) != len(runnable):
            by_group = None
        for n, (test_file, report) in enumerate(zip(runnable, reports, strict=True)):
            groups = by_group[n] if by_group is not None else None
            results[test_file.path] = judge_file(promtool, test_file, run, report, groups)
    except PromtoolError as exc:
        for test_file in runnable:
            results.setdefault(test_file.path, FileResult(test_file, file_error=str(exc)))
    return results


def run_test_file(promtool: Promtool, test_file: TestFile) -> FileResult:
    """Run a test file with promtool and return a verdict for every case."""
    return run_test_files(promtool, [test_file])[test_file.path]


def case_results(result: FileResult) -> Iterable[tuple[TestGroup, Case, CaseResult]]:
    for group in result.test_file.groups:
        for case in group.cases:
            yield group, case, result.result_for(group, case)
