"""lint/for-interval: `for:` and `keep_firing_for:` are not shorter than the evaluation interval.

Rules are evaluated once per interval (the group's `interval:`, else
`evaluation_interval` in [tool.promrules.lint], Prometheus's default 1m), so
`for: 30s` in a 1m group acts as `for: 1m`: the written duration is not the
one that applies.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.lint.base import Finding, LintContext, check


def _ms(text: str | None) -> int | None:
    try:
        return None if text is None else parse_duration(text)
    except DurationError:
        return None


@check("for-interval")
def durations_cover_an_interval(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        interval = _ms(rule.group_interval) or context.policy.evaluation_ms
        shown = format_duration(interval)
        for key, value in (("for", rule.for_), ("keep_firing_for", rule.keep_firing_for)):
            ms = _ms(value)
            if ms is not None and 0 < ms < interval:
                yield Finding.at(
                    rule,
                    f"`{key}: {value}` is shorter than the evaluation interval {shown}",
                    details=f"it acts as `{key}: {shown}`; write that, or evaluate more often",
                )
