"""Run one promtool test file and give every case its own verdict.

The file is first run exactly as written: that run is the verdict of record,
so promrules can never pass a file that bare promtool fails. Only when it
fails are its groups run again, each as its own file in one process, to learn
which group each failure belongs to; inside a group a failure is matched to a
case by its alert name or expression and its evaluation time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from promrules.checks import file_problem, group_and_case_problems
from promrules.model import Case, TestFile, TestGroup
from promrules.output import Failure, FileReport, parse_test_output
from promrules.promtool import Promtool, PromtoolError, PromtoolRun
from promrules.results import CaseKey, CaseResult, FileResult, Status, case_key
from promrules.split import write_group_files

__all__ = ["CaseResult", "FileResult", "case_results", "run_test_file"]

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
        f"exit code {run.returncode}. Raw output of `{' '.join(run.argv)}`:\n{run.output}"
    )


def _single_report(run: PromtoolRun) -> FileReport | str:
    """The one report of a one-file run, or why the run can't be read."""
    if run.crashed:
        return f"promtool crashed (exit code {run.returncode}):\n{run.output}"
    reports = parse_test_output(run.output)
    if len(reports) != 1:
        return _unrecognised(run, f"expected one file verdict, found {len(reports)}")
    if reports[0].failed != (run.returncode != 0):
        return _unrecognised(run, "its printed verdict and exit code disagree")
    return reports[0]


def _file_level_error(report: FileReport) -> str | None:
    texts = [f.text for f in report.failures if f.kind == "other"]
    if any(text.startswith(_FILE_LEVEL_PREFIXES) for text in texts):
        return "\n".join(texts)
    return None


def _attribute(promtool: Promtool, test_file: TestFile, first: PromtoolRun) -> FileResult:
    with tempfile.TemporaryDirectory(prefix="promrules-") as tmp:
        paths = write_group_files(test_file, Path(tmp))
        split_run = promtool.test_rules(*paths)
    runs = (first, split_run)
    reports = parse_test_output(split_run.output)
    if split_run.crashed or len(reports) != len(test_file.groups):
        why = f"{len(reports)} group verdicts for {len(test_file.groups)} groups"
        return FileResult(test_file, file_error=_unrecognised(first, why), runs=runs)
    verdicts: dict[CaseKey, CaseResult] = {}
    for group, report in zip(test_file.groups, reports, strict=True):
        verdicts.update(_attribute_group(group, report))
    if not any(v.status != "passed" for v in verdicts.values()):
        why = "the file failed but no single group did"
        return FileResult(test_file, file_error=_unrecognised(first, why), runs=runs)
    return FileResult(test_file, verdicts, runs=runs)


def run_test_file(promtool: Promtool, test_file: TestFile) -> FileResult:
    """Run a test file with promtool and return a verdict for every case."""
    problem = file_problem(test_file)
    if problem:
        return FileResult(test_file, file_error=problem)
    try:
        first = promtool.test_rules(test_file.path.resolve())
        report = _single_report(first)
        if isinstance(report, str):
            return FileResult(test_file, file_error=report, runs=(first,))
        own_checks = group_and_case_problems(test_file)
        if not report.failed:
            return FileResult(test_file, own_checks, runs=(first,))
        file_error = _file_level_error(report)
        if file_error is not None:
            return FileResult(test_file, file_error=file_error, runs=(first,))
        result = _attribute(promtool, test_file, first)
    except PromtoolError as exc:
        return FileResult(test_file, file_error=str(exc))
    return FileResult(
        result.test_file, {**result.verdicts, **own_checks}, result.file_error, result.runs
    )


def case_results(result: FileResult) -> Iterable[tuple[TestGroup, Case, CaseResult]]:
    for group in result.test_file.groups:
        for case in group.cases:
            yield group, case, result.result_for(group, case)
