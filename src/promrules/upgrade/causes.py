"""Why a case changes verdict: re-run it on copies, each with one change, until one removes it.

Each cause has diagnostic edits (the one change that takes its semantic
difference away: if the two promtools then agree, that difference was the
cause) and candidate edits a user could make to their test (the first that
makes the case pass on both versions is the suggested edit, verified). All
copies of all cases run in one promtool process per version. A case no
diagnostic explains is reported as unclassified.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules import notation
from promrules import yamlnodes as yn
from promrules.model import TestFile, load_test_file
from promrules.promtool import Promtool
from promrules.results import CaseResult, FileResult
from promrules.upgrade import copies
from promrules.upgrade.compare import ChangedCase
from promrules.upgrade.copies import Copy

__all__ = ["CAUSES", "Cause", "Classification", "classify"]

LOOKBACK_MS = 5 * 60 * 1000

Edit = Callable[[Copy, Path], Copy | None]


@dataclass(frozen=True)
class Cause:
    """A semantic difference between promtool versions, and how to find and avoid it."""

    code: str
    title: str
    explanation: str  # what happens, in words
    advice: str  # the edit that avoids it, in words
    applies: Callable[[Copy, ChangedCase], bool]
    diagnostics: tuple[tuple[str, Edit], ...]  # (what the copy changes, the change)
    edits: tuple[tuple[str, Edit], ...]  # candidate test edits, tried in order


@dataclass(frozen=True)
class Classification:
    """What the copies showed for one changed case."""

    changed: ChangedCase
    cause: Cause | None
    diagnosis: str  # the change that removed the difference, or why none was found
    edit: str | None = None  # a test edit that passes on both versions (verified)
    edited_copy: str | None = None  # the one-case test file with that edit, as run


def _plain(edit: Callable[[Copy], Copy | None]) -> Edit:
    return lambda copy, _directory: edit(copy)


def _evaluation_step(copy: Copy) -> int | None:
    return copies.interval_ms(copy, "evaluation_interval")


def _series_step(copy: Copy) -> int | None:
    return copies.interval_ms(copy) or _evaluation_step(copy)


def _lookback_edges(copy: Copy) -> list[int]:
    """Times where a series' sample is exactly 5m old and no newer sample has come."""
    step = _series_step(copy)
    if not step:
        return []
    edges = []
    for series in yn.sequence(yn.get(copy.group, "input_series")):
        try:
            values = notation.expand(yn.scalar(yn.get(series, "values")) or "")
        except notation.NotationError:
            continue
        times = [n * step for n, v in enumerate(values) if v is not None]
        kinds = [v for v in values if v is not None]
        for n, (at, value) in enumerate(zip(times, kinds, strict=True)):
            following = times[n + 1] if n + 1 < len(times) else None
            if value is not notation.STALE and (following is None or following > at + LOOKBACK_MS):
                edges.append(at + LOOKBACK_MS)
    return edges


def _at_lookback_edge(copy: Copy, changed: ChangedCase) -> bool:
    eval_ms = changed.case.eval_ms
    if eval_ms is None:
        return False
    edges = _lookback_edges(copy)
    if changed.case.kind == "expr":
        return eval_ms in edges
    return any(edge <= eval_ms for edge in edges)


def _has_newer_field(copy: Copy, _changed: ChangedCase) -> bool:
    return any(copies.has_key(copy.document, f) for f in copies.NEWER_FIELDS)


def _lacks_interval(copy: Copy, _changed: ChangedCase) -> bool:
    return yn.get(copy.group, "interval") is None


def _always(_copy: Copy, _changed: ChangedCase) -> bool:
    return True


def _earlier(step: Callable[[Copy], int | None]) -> Edit:
    return _plain(copies.move_eval_time(step, -1))


def _later(step: Callable[[Copy], int | None]) -> Edit:
    return _plain(copies.move_eval_time(step, +1))


def _one_ms_earlier(copy: Copy) -> int | None:
    return 1 if copy.entry is not None and yn.get(copy.entry, "expr") is not None else None


def _half_series_step(copy: Copy) -> int | None:
    """Half a step, off every sample and window edge; expr cases only (alerts keep the grid)."""
    step = _series_step(copy)
    return step // 2 if step and _one_ms_earlier(copy) else None


# The value of a one-sample result as promtool prints it: `{labels} 5E+00`.
_ONE_SAMPLE_RE = re.compile(r"^\{[^{}]*\} (\S+)$")


def _agreed_value(a: CaseResult, b: CaseResult) -> str | None:
    """The one sample value both versions computed, when they agree on a failed expr case."""
    if a.status != "failed" or not _agree(a, b) or len(a.failures) != 1:
        return None
    match = _ONE_SAMPLE_RE.match((a.failures[0].got or "").strip())
    if match is None:
        return None
    try:
        return notation.format_number(float(match.group(1)))
    except ValueError:
        return None


_MOVES: tuple[tuple[str, Edit], ...] = (
    ("eval_time one series step earlier", _earlier(_series_step)),
    ("eval_time one series step later", _later(_series_step)),
    ("eval_time one evaluation step earlier", _earlier(_evaluation_step)),
    ("eval_time one evaluation step later", _later(_evaluation_step)),
)
# Off the edge, and expecting what both versions then compute (a third round).
_OFF_EDGE = "eval_time half a series step later"

CAUSES: tuple[Cause, ...] = (
    Cause(
        "newer-field",
        "a field promtool 2.42 does not know",
        "the file uses `fuzzy_compare` or `start_timestamp`, fields of newer promtools "
        "that promtool 2.42 rejects (the whole file errors)",
        "remove the field, or require the newer promtool",
        _has_newer_field,
        (
            (
                "without " + "/".join(copies.NEWER_FIELDS),
                _plain(copies.drop_fields(copies.NEWER_FIELDS)),
            ),
        ),
        (
            (
                "remove " + "/".join(copies.NEWER_FIELDS),
                _plain(copies.drop_fields(copies.NEWER_FIELDS)),
            ),
        ),
    ),
    Cause(
        "missing-interval",
        "a test group without `interval`",
        "the group has no `interval`: promtool 2.42 reads it as 0s, newer versions as the "
        "file's evaluation_interval",
        "write `interval:` in the group (the file's evaluation_interval)",
        _lacks_interval,
        (("interval set to evaluation_interval", _plain(copies.set_interval)),),
        (("add interval (= evaluation_interval) to the group", _plain(copies.set_interval)),),
    ),
    Cause(
        "left-open-lookback",
        "a sample exactly 5m old at evaluation (lookback edge)",
        "a series' last sample is exactly 5m before an evaluation: 2.x's lookback still "
        "sees it, 3.x's left-open lookback does not",
        "move the sample or the eval_time one step, so no evaluation is exactly 5m after "
        "a series' last sample",
        _at_lookback_edge,
        (
            ("every series one sample longer", _plain(copies.extend_series)),
            ("eval_time 1ms earlier", _earlier(_one_ms_earlier)),
        ),
        (
            ("eval_time one series step earlier", _earlier(_series_step)),
            (
                "each series one sample longer (its last value once more)",
                _plain(copies.extend_series),
            ),
            *_MOVES[1:],
        ),
    ),
    Cause(
        "regex-dot-newline",
        "a regex `.` meeting a newline",
        "a label value holds a newline where a regex matcher has `.`: 3.x's `.` matches "
        "newlines, 2.x's does not",
        "say which is meant: `[^\\n]` (2.x's `.`) or `(?s:.)` (3.x's) in the matcher",
        _always,
        (("`.` in regex matchers written `[^\\n]`", copies.dotless_regexes),),
        (
            ("write `[^\\n]` for `.` in the case's regex matchers", copies.dotless_case_regexes),
            ("write `(?s:.)` for `.` in the case's regex matchers", copies.dotall_case_regexes),
        ),
    ),
    Cause(
        "left-open-range",
        "a sample exactly at the start of a range window",
        "a sample sits exactly at the start of a range selector's window: 2.x counts it, "
        "3.x's left-open range leaves it out",
        "move the sample or the eval_time off the window edge (e.g. by one step), or "
        "make the range not a multiple of the series interval",
        _always,
        (("every range selector 1ms longer (rules and expr)", copies.widened_rule_files),),
        (
            *_MOVES,
            (
                "each series one sample longer (its last value once more)",
                _plain(copies.extend_series),
            ),
            (_OFF_EDGE, _later(_half_series_step)),
        ),
    ),
)


Runner = Callable[[Promtool, Sequence[TestFile]], dict[Path, FileResult]]


@dataclass(frozen=True)
class _Variant:
    case: int
    cause: Cause | None  # None: the unchanged copy
    role: str  # "base", "diagnostic" or "edit"
    description: str
    test_file: TestFile


def _verdict(result: FileResult) -> CaseResult:
    group = result.test_file.groups[0]
    return result.result_for(group, group.cases[0])


def _agree(a: CaseResult, b: CaseResult) -> bool:
    """Same verdict, and when both fail, the same results (not both broken)."""
    if a.status != b.status:
        return False
    if a.status == "passed":
        return True
    if a.status == "error":
        return False
    return [(f.subject, f.got) for f in a.failures] == [(f.subject, f.got) for f in b.failures]


def _write(copy: Copy, target: Path) -> TestFile:
    return load_test_file(copy.write(target))


def _edited(n: int, base: Copy, cause: Cause, role: str, directory: Path) -> list[_Variant]:
    options = cause.diagnostics if role == "diagnostic" else cause.edits
    variants = []
    for k, (description, edit) in enumerate(options):
        edited = edit(base, directory)
        if edited is not None:
            target = directory / f"c{n}-{cause.code}-{role}{k}.yml"
            shown = edited.change or description
            variants.append(_Variant(n, cause, role, shown, _write(edited, target)))
    return variants


def _run_both(
    variants: Sequence[_Variant], before: Promtool, after: Promtool, runner: Runner
) -> list[tuple[_Variant, CaseResult, CaseResult]]:
    files = [v.test_file for v in variants]
    old, new = runner(before, files), runner(after, files)
    return [(v, _verdict(old[v.test_file.path]), _verdict(new[v.test_file.path])) for v in variants]


def _expect_agreed(
    edited: Sequence[tuple[_Variant, CaseResult, CaseResult]],
    bases: Sequence[Copy],
    before: Promtool,
    after: Promtool,
    runner: Runner,
    directory: Path,
) -> list[tuple[_Variant, CaseResult, CaseResult]]:
    """Off-edge copies both versions fail alike, now expecting the value both computed.

    For a value that counts the edge sample there is no single edit: off the
    edge, the versions agree on a value other than the one expected.
    """
    passed = {v.case for v, a, b in edited if a.status == b.status == "passed"}
    third = []
    for v, a, b in edited:
        value = _agreed_value(a, b)
        if v.case in passed or not v.description.startswith("`eval_time:") or value is None:
            continue
        if v.cause is None or _OFF_EDGE not in [d for d, _e in v.cause.edits]:
            continue
        moved = copies.move_eval_time(_half_series_step, +1)(bases[v.case])
        expecting = copies.expect_value(moved, value) if moved else None
        if expecting is not None and moved is not None and moved.change == v.description:
            target = directory / f"c{v.case}-{v.cause.code}-expect.yml"
            third.append(
                _Variant(v.case, v.cause, "edit", expecting.change, _write(expecting, target))
            )
    return _run_both(third, before, after, runner) if third else []


def classify(
    changed: Sequence[ChangedCase], before: Promtool, after: Promtool, runner: Runner
) -> list[Classification]:
    """The cause of each changed case, found by re-running one-case copies on both versions.

    Two rounds, each one batched run per promtool: the unchanged copies and
    every diagnostic change; then the candidate edits of the cause found.
    """
    if not changed:
        return []
    with tempfile.TemporaryDirectory(prefix="promrules-upgrade-") as tmp:
        directory = Path(tmp)
        bases = [copies.one_case(c.test_file, c.group, c.case) for c in changed]
        first: list[_Variant] = []
        for n, (item, base) in enumerate(zip(changed, bases, strict=True)):
            first.append(_Variant(n, None, "base", "", _write(base, directory / f"c{n}.yml")))
            for cause in CAUSES:
                if cause.applies(base, item):
                    first += _edited(n, base, cause, "diagnostic", directory)
        diagnosed = _run_both(first, before, after, runner)
        found: dict[int, Classification] = {}
        causes: dict[int, tuple[Cause, str]] = {}
        for n, item in enumerate(changed):
            mine = [(v, a, b) for v, a, b in diagnosed if v.case == n]
            if _agree(mine[0][1], mine[0][2]):
                why = "the change does not show in a copy holding only this case"
                found[n] = Classification(item, None, why)
                continue
            for v, a, b in mine[1:]:
                if v.cause is not None and _agree(a, b):
                    causes[n] = (v.cause, v.description)
                    break
            else:
                found[n] = Classification(item, None, "no single change tried removed it")
        second = [
            variant
            for n, (cause, _why) in causes.items()
            for variant in _edited(n, bases[n], cause, "edit", directory)
        ]
        edited = _run_both(second, before, after, runner) if second else []
        edited += _expect_agreed(edited, bases, before, after, runner, directory)
        for n, (cause, why) in causes.items():
            passing = next(
                (
                    v
                    for v, a, b in edited
                    if v.case == n and a.status == "passed" and b.status == "passed"
                ),
                None,
            )
            if passing is None:
                found[n] = Classification(changed[n], cause, why)
            else:
                text = passing.test_file.path.read_text(encoding="utf-8")
                found[n] = Classification(changed[n], cause, why, passing.description, text)
    return [found[n] for n in range(len(changed))]
