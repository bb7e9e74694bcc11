"""Checks promrules makes on top of promtool, where bare promtool stays silent.

Each check returns verdicts for the cases it concerns; none of them can turn
a failure of promtool into a pass, they only add errors.
"""

from __future__ import annotations

import difflib
import stat
from pathlib import Path

from promrules.engine.results import CaseKey, CaseResult, case_key
from promrules.files import notation
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.model import TestFile, load_rule_file

__all__ = [
    "case_warnings",
    "duplicate_group_names",
    "file_problem",
    "group_and_case_problems",
    "late_evaluations",
]


def file_problem(test_file: TestFile) -> str | None:
    """A rule_files pattern that matches nothing (bare promtool only warns), or a
    match promtool would read forever or hang on (a device, a FIFO, a socket)."""
    for pattern, matches in test_file.resolve_rule_files().items():
        line = dict(test_file.rule_patterns)[pattern]
        if not matches:
            return f"{test_file.path}:{line}: rule_files pattern {pattern!r} matches no file"
        for match in matches:
            kind = _special_file(Path(match))
            if kind is not None:
                return (
                    f"{test_file.path}:{line}: rule_files entry {match!r} is {kind}, "
                    "not a regular file: promrules does not read it"
                )
            shape = _not_a_rule_file(Path(match))
            if shape is not None:
                return (
                    f"{test_file.path}:{line}: rule_files entry {match!r} is not a Prometheus "
                    f"rule file: {shape}, expected a mapping with `groups:`"
                )
    return None


def _not_a_rule_file(path: Path) -> str | None:
    """What a matched file is when it is YAML but no rule file (a test file, say);
    otherwise every alert case would read "not defined by any of the 0 alerts"."""
    if not path.is_file():
        return None
    try:
        root = yn.compose_file(path)
    except yn.YamlError:
        return None  # promtool reports the YAML error itself
    if root is None or yn.get(root, "groups") is not None:
        return None  # an empty file is an empty rule file to promtool
    return yn.describe(root)


def _special_file(path: Path) -> str | None:
    """What a path is when it is neither a regular file nor a directory (promtool
    reports directories and missing files itself)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return yn.file_kind(mode)


def _defined_alerts(test_file: TestFile) -> set[str] | None:
    defined: set[str] = set()
    for matches in test_file.resolve_rule_files().values():
        for path in matches:
            try:
                defined.update(name for name, _line in load_rule_file(Path(path)).alerts)
            except yn.YamlError:
                return None  # promtool reports the broken rule file itself
    return defined


def unknown_alerts(test_file: TestFile) -> dict[CaseKey, CaseResult]:
    """Alert cases naming an alert no loaded rule defines (bare promtool passes them)."""
    defined = _defined_alerts(test_file)
    if defined is None:
        return {}
    verdicts = {}
    for group in test_file.groups:
        for case in group.cases:
            if case.kind == "alert" and case.subject not in defined:
                close = difflib.get_close_matches(case.subject, sorted(defined), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = (
                    f"alertname {case.subject!r} is not defined by any of the {len(defined)} "
                    f"alerts in this test's rule files{hint}"
                )
                verdicts[case_key(group, case)] = CaseResult("error", message=message)
    return verdicts


def duplicate_group_names(test_file: TestFile) -> dict[CaseKey, str]:
    """Warnings for groups that reuse an earlier group's name.

    promtool accepts repeated names (real suites that pass have them), so this
    is a warning: promrules tells the groups apart by position (ids `name#2`).
    """
    first_line: dict[str, int] = {}
    warnings = {}
    for group in test_file.groups:
        if not group.name:
            continue
        if group.name in first_line:
            message = (
                f"{test_file.path.name}:{group.line}: test group name {group.name!r} is "
                f"already used by the group at line {first_line[group.name]}; its cases are "
                f"named {group.name}#N here, and promtool's messages cannot tell the two apart"
            )
            for case in group.cases:
                warnings[case_key(group, case)] = message
        else:
            first_line[group.name] = group.line
    return warnings


def zero_intervals(test_file: TestFile) -> dict[CaseKey, CaseResult]:
    """`interval: 0` loads every sample at time 0, which is never what was meant."""
    verdicts = {}
    for group in test_file.groups:
        node = yn.get(group.node, "interval")
        text = yn.scalar(node)
        try:
            zero = text is not None and parse_duration(text) == 0
        except DurationError:
            zero = False  # promtool rejects it with its own message
        if zero and node is not None:
            message = (
                f"line {yn.line_of(node)}: interval: {text} — the series step "
                "must be positive, e.g. interval: 1m"
            )
            for case in group.cases:
                verdicts[case_key(group, case)] = CaseResult("error", message=message)
    return verdicts


def group_and_case_problems(test_file: TestFile) -> dict[CaseKey, CaseResult]:
    return {
        **unknown_alerts(test_file),
        **zero_intervals(test_file),
    }


def _last_sample_ms(values: str, step_ms: int) -> int | None:
    """When the last sample of a series notation is, without expanding it."""
    try:
        terms = notation.parse(values).terms
    except notation.NotationError:
        return None  # promtool reports bad notation itself
    position, last = 0, None
    for term in terms:
        if isinstance(term, notation.Run):
            last = position + term.times
            position += term.times + 1
        elif isinstance(term, notation.Missing):
            position += 1 if term.count is None else term.count
        else:
            if not isinstance(term.value, notation.Stale):
                last = position
            position += 1
    return None if last is None else last * step_ms


def case_warnings(test_file: TestFile) -> dict[CaseKey, str]:
    """What promrules warns about per case (promtool stays silent on all of it)."""
    found = late_evaluations(test_file)
    for key, message in duplicate_group_names(test_file).items():
        found[key] = f"{found[key]}; {message}" if key in found else message
    return found


def late_evaluations(test_file: TestFile) -> dict[CaseKey, str]:
    """Cases evaluated after every input series has ended: a warning, not an error.

    Past its last sample a series lives on for the 5-minute lookback and then
    vanishes, which is seldom what the test meant to show.
    """
    warnings = {}
    for group in test_file.groups:
        try:
            step_ms = parse_duration(yn.scalar(yn.get(group.node, "interval")) or "1m")
        except DurationError:
            continue
        ends = [
            _last_sample_ms(yn.scalar(yn.get(s, "values")) or "", step_ms)
            for s in yn.sequence(yn.get(group.node, "input_series"))
        ]
        known = [end for end in ends if end is not None]
        if not known or len(known) != len(ends):
            continue
        end = max(known)
        for case in group.cases:
            if case.eval_ms is not None and case.eval_ms > end:
                warnings[case_key(group, case)] = (
                    f"{test_file.path.name}:{case.line}: eval_time {case.eval_time} is after the "
                    f"last input sample (at {format_duration(end)}); values there come from the "
                    "5m lookback, or are gone"
                )
    return warnings
