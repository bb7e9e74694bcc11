"""lint/rate-gauge: rate(), irate() and increase() read counters, not gauges.

On a series that goes down, these functions take every drop for a counter
reset and add the whole new value: the result is nonsense. Names that are
gauges by convention (`up`, `_info`, `_ratio`, `_percent`, `_celsius`,
`_timestamp_seconds`, ...) are flagged; use deriv() or delta() for a
gauge's trend.
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import call_name, tree, unwrap, walk

GAUGE_SUFFIXES = (
    "_up", "_info", "_ratio", "_percent", "_percentage", "_celsius",
    "_timestamp", "_timestamp_seconds", "_time_seconds",
)  # fmt: skip
FUNCTIONS = ("rate", "irate", "increase")


def gauge_like(name: str) -> bool:
    return ":" not in name and (name == "up" or name.endswith(GAUGE_SUFFIXES))


@check("rate-gauge")
def rate_reads_counters(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.rules_of(path):
        root = tree(rule)
        if root is None:
            continue
        for node, _ in walk(root):
            name = call_name(node)
            if name not in FUNCTIONS or not node.args:
                continue
            window = unwrap(node.args[0])
            if not isinstance(window, pp.MatrixSelector):
                continue
            metric = window.vector_selector.name or ""
            if gauge_like(metric):
                yield Finding.at(
                    rule,
                    f"{name}() of {metric}, which is named like a gauge",
                    line=rule.expr_line,
                    details="rate() treats every drop as a counter reset; "
                    "use deriv() or delta() for a gauge",
                )
