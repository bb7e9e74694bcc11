"""lint/for: alerts of the configured severities wait a `for:` duration before firing.

Without `for:` a single bad scrape pages someone.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.files.durations import DurationError, parse_duration
from promrules.lint.base import Finding, LintContext, check


def _zero(text: str | None) -> bool:
    try:
        return text is None or parse_duration(text) == 0
    except DurationError:
        return False


@check("for")
def for_is_set(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        severity = rule.labels.get("severity", "")
        if severity in context.policy.for_required and _zero(rule.for_):
            yield Finding.at(rule, f"{severity} alert has no `for:` duration")
