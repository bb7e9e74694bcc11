"""The semantic differences between promtool versions, each with the copies that show and avoid it.

Each cause has diagnostic edits (the one change that takes its semantic
difference away: if the two promtools then agree, that difference was the
cause) and candidate edits a user could make to their test, tried in order
(`classify` runs them; the first that passes on both versions is the
suggested edit). Window-edge causes may also end in an edit of the expected
values, where the versions agree off the edge on a value the case does not
expect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from promrules.files import notation
from promrules.files import yamlnodes as yn
from promrules.upgrade import copies
from promrules.upgrade.compare import ChangedCase
from promrules.upgrade.copies import Copy

__all__ = ["CAUSES", "MOVED", "Cause"]

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
    # Off the edge the versions may agree on a value the case does not expect:
    # then an edit of the expected values, at the nearest such eval_time, is tried.
    expects_agreed: bool = False


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


def _steps(step: Callable[[Copy], int | None], times: int) -> Callable[[Copy], int | None]:
    return lambda copy: (step(copy) or 0) * times or None


_MOVES: tuple[tuple[str, Edit], ...] = (
    ("eval_time one series step earlier", _earlier(_series_step)),
    ("eval_time one series step later", _later(_series_step)),
    ("eval_time one evaluation step earlier", _earlier(_evaluation_step)),
    ("eval_time one evaluation step later", _later(_evaluation_step)),
)
# Further off: where a window starts on a sample at every step, the versions
# agree only where two neighbouring samples are equal.
_FURTHER: tuple[tuple[str, Edit], ...] = tuple(
    (f"eval_time {n} evaluation steps {way}", move(_steps(_evaluation_step, n)))
    for n in (2, 3)
    for way, move in (("earlier", _earlier), ("later", _later))
)
# The description every eval_time move's concrete change starts with.
MOVED = "`eval_time:"

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
        expects_agreed=True,
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
            ("eval_time half a series step later", _later(_half_series_step)),
            *_FURTHER,
            (
                "the group's interval shorter, off the range's multiples",
                _plain(copies.shorter_interval),
            ),
        ),
        expects_agreed=True,
    ),
)
