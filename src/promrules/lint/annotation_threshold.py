"""lint/annotation-threshold: annotations quote the threshold the expression uses.

When a threshold is edited in `expr` and not in the prose ("CPU above 90%"
on `> 0.8`), the page tells the on-call engineer the wrong story. Numbers
after words such as "above", "over", "more than", ">" in the annotation's
text (template actions left out) are compared with the expression's
thresholds, allowing for percent (0.8 <-> 80%), its complement (free vs used),
common unit steps (1000, 1024, 60, 3600, 86400), the numbers that make up
a threshold (`0.9 * 1000`), `for:` and range windows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import promql_parser as pp

from promrules.comparisons import comparisons
from promrules.durations import DurationError, parse_duration
from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import Node, tree, walk
from promrules.lint.reading import AlertRule
from promrules.lint.templates import prose

_MENTION_RE = re.compile(
    r"(?:>=|<=|>|<|\b(?:above|below|over|under|exceeds?|exceeding|exceeded|"
    r"more than|less than|greater than|fewer than|higher than|lower than|"
    r"at least|at most|beyond))\s*(-?\d+(?:\.\d+)?)",
    re.IGNORECASE,
)
_UNIT_STEPS = (1000, 1024)
_SCALES = (1, 100, 60, 3600, 86400, *(step**k for step in _UNIT_STEPS for k in (1, 2, 3, 4)))


def _known(root: Node, rule: AlertRule) -> tuple[list[float], list[float]]:
    """(the thresholds, every number a mention may fairly refer to)."""
    thresholds = [c.threshold for c in comparisons(root) if c.threshold is not None]
    others: list[float] = []
    for node, _ in walk(root):
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)) and node.range is not None:
            others.append(node.range.total_seconds())
        elif isinstance(node, pp.NumberLiteral):
            others.append(float(node.val))  # the 0.9 of `> 0.9 * 1000`
    for text in (rule.for_, rule.keep_firing_for):
        try:
            if text:
                others.append(parse_duration(text) / 1000)
        except DurationError:
            pass
    complements = [1 - t for t in thresholds if 0 < t < 1]
    complements += [100 - t for t in thresholds if 1 < t < 100]  # "free" vs "used"
    return thresholds, thresholds + others + complements


def _matches(number: float, values: list[float]) -> bool:
    for value in values:
        for scale in _SCALES:
            for candidate in (value * scale, value / scale):
                if math.isclose(number, candidate, rel_tol=1e-6, abs_tol=1e-9):
                    return True
    return False


@check("annotation-threshold")
def annotations_quote_the_threshold(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        root = tree(rule)
        if root is None:
            continue
        thresholds, values = _known(root, rule)
        if not thresholds:
            continue
        shown = ", ".join(f"{t:g}" for t in thresholds)
        for key, text in rule.annotations.items():
            for match in _MENTION_RE.finditer(prose(text)):
                if not _matches(abs(float(match.group(1))), [abs(v) for v in values]):
                    yield Finding.at(
                        rule,
                        f"annotation {key} says {match.group(0)!r}; the expression's "
                        f"threshold is {shown}",
                        line=rule.annotation_lines.get(key),
                    )
