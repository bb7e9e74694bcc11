"""lint/rate-window: rate(), irate() and increase() windows hold at least two scrapes.

These functions need two samples in the window. A window shorter than twice
the scrape interval (`scrape_interval` in [tool.promrules.lint], Prometheus's
default 1m) often holds one, and the result is empty: the alert never fires.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.files.durations import format_duration
from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import COUNTER_FUNCTIONS, range_calls


@check("rate-window")
def windows_hold_two_scrapes(context: LintContext, path: str) -> Iterator[Finding]:
    scrape = context.policy.scrape_ms
    for rule, name, window in range_calls(context.rules_of(path), COUNTER_FUNCTIONS):
        ms = round(window.range.total_seconds() * 1000)
        if ms < 2 * scrape:
            yield Finding.at(
                rule,
                f"{name}() over [{format_duration(ms)}] is shorter than twice the "
                f"scrape interval ({format_duration(scrape)})",
                line=rule.expr_line,
                details=f"use a window of at least {format_duration(2 * scrape)}"
                " (or set scrape_interval in [tool.promrules.lint])",
            )
