"""lint/rate-gauge: rate(), irate() and increase() read counters, not gauges.

On a series that goes down, these functions take every drop for a counter
reset and add the whole new value: the result is nonsense. Names that are
gauges by convention (`up`, `_info`, `_ratio`, `_percent`, `_celsius`,
`_timestamp_seconds`, ...) are flagged; use deriv() or delta() for a
gauge's trend.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import COUNTER_FUNCTIONS, range_calls

GAUGE_SUFFIXES = (
    "_up", "_info", "_ratio", "_percent", "_percentage", "_celsius",
    "_timestamp", "_timestamp_seconds", "_time_seconds",
)  # fmt: skip


def gauge_like(name: str) -> bool:
    return ":" not in name and (name == "up" or name.endswith(GAUGE_SUFFIXES))


@check("rate-gauge")
def rate_reads_counters(context: LintContext, path: str) -> Iterator[Finding]:
    for rule, name, window in range_calls(context.rules_of(path), COUNTER_FUNCTIONS):
        metric = window.vector_selector.name or ""
        if gauge_like(metric):
            yield Finding.at(
                rule,
                f"{name}() of {metric}, which is named like a gauge",
                line=rule.expr_line,
                details="rate() treats every drop as a counter reset; "
                "use deriv() or delta() for a gauge",
            )
