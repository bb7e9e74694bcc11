"""lint/annotation-threshold: annotations quote the threshold and durations the rule uses.

When a threshold is edited in `expr` and not in the prose ("CPU above 90%"
on `> 0.8`), or the text promises "for more than 5 minutes" on a rule without
`for:`, the page tells the on-call engineer the wrong story. Numbers after
words such as "above", "over", "more than", ">" in the annotation's text
(template actions left out) are compared with the rule:

- with a time unit ("5 minutes", "1h"): with `for:`, `keep_firing_for:`, range
  windows and offsets, and thresholds read as seconds;
- without: with the thresholds, allowing for percent (0.8 <-> 80%), the
  complement (free vs used), common unit steps (1000, 1024, 60, 3600, 86400)
  and the numbers a threshold is made of (`0.9 * 1000`).

Alerts without a numeric threshold are not checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import promql_parser as pp

from promrules.derive.comparisons import comparisons
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import Node, tree, walk
from promrules.lint.reading import AlertRule
from promrules.lint.templates import prose

_MENTION_RE = re.compile(
    r"(?:>=|<=|>|<|\b(?:above|below|over|under|exceeds?|exceeding|exceeded|"
    r"more than|less than|greater than|fewer than|higher than|lower than|"
    r"at least|at most|beyond))\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+\b)?",
    re.IGNORECASE,
)
_SECONDS = {
    **dict.fromkeys(("ms", "millisecond", "milliseconds"), 0.001),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 7 * 86400),
}
_UNIT_STEPS = (1000, 1024)
_SCALES = (1, 100, 60, 3600, 86400, *(step**k for step in _UNIT_STEPS for k in (1, 2, 3, 4)))


@dataclass(frozen=True)
class _Known:
    thresholds: list[float]
    numbers: list[float]  # what a mention without a time unit may refer to
    durations: list[float]  # seconds: `for:`, windows, offsets


def _seconds(text: str | None) -> float | None:
    try:
        return parse_duration(text) / 1000 if text else None
    except DurationError:
        return None


def _known(root: Node, rule: AlertRule) -> _Known:
    thresholds = [c.threshold for c in comparisons(root) if c.threshold is not None]
    literals: list[float] = []
    durations = [s for s in (_seconds(rule.for_), _seconds(rule.keep_firing_for)) if s]
    for node, _ in walk(root):
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)) and node.range is not None:
            durations.append(node.range.total_seconds())
        elif isinstance(node, pp.VectorSelector) and node.offset is not None:
            durations.append(abs(node.offset.total_seconds()))
        elif isinstance(node, pp.NumberLiteral):
            literals.append(float(node.val))  # the 0.9 of `> 0.9 * 1000`
    complements = [1 - t for t in thresholds if 0 < t < 1]
    complements += [100 - t for t in thresholds if 1 < t < 100]  # "free" vs "used"
    numbers = thresholds + literals + complements + durations
    return _Known(thresholds, numbers, durations)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _matches(number: float, values: list[float], scales: tuple[float, ...]) -> bool:
    return any(
        _close(number, value * scale) or _close(number, value / scale)
        for value in values
        for scale in scales
    )


def _durations(rule: AlertRule, known: _Known) -> str:
    windows = sorted({format_duration(round(s * 1000)) for s in known.durations})
    text = f"`for: {rule.for_}`" if rule.for_ else "no `for:`"
    return f"the rule has {text}" + (f"; durations in it: {', '.join(windows)}" if windows else "")


def _unit_seconds(unit: str | None) -> float | None:
    if not unit or unit == "M":  # M is mega, m is minutes
        return None
    return _SECONDS.get(unit.lower())


def _problem(rule: AlertRule, known: _Known, number: float, unit: str | None) -> str | None:
    """What is wrong with one mention, or None when it agrees with the rule."""
    if _matches(number, known.numbers, _SCALES):
        return None
    seconds = _unit_seconds(unit)
    if seconds is not None:
        if _matches(number * seconds, known.durations + known.thresholds, _SCALES):
            return None
        return _durations(rule, known)
    unique = sorted(set(known.thresholds))
    return f"the expression's threshold is {', '.join(f'{t:g}' for t in unique)}"


@check("annotation-threshold")
def annotations_quote_the_threshold(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        root = tree(rule)
        if root is None:
            continue
        known = _known(root, rule)
        if not known.thresholds:
            continue
        for key, text in rule.annotations.items():
            for match in _MENTION_RE.finditer(prose(text)):
                why = _problem(rule, known, float(match.group(1)), match.group(2))
                if why:
                    yield Finding.at(
                        rule,
                        f"annotation {key} says {match.group(0).strip()!r}; {why}",
                        line=rule.annotation_lines.get(key),
                    )
