"""lint/unique: alert names are unique across all rule files.

Routing, silences, inhibition and runbook links all go by alert name.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check


@check("unique")
def alert_names_are_unique(context: LintContext, path: str) -> Iterator[Finding]:
    if not context.policy.unique_names:
        return
    first: dict[str, tuple[str, int]] = {}
    for rule in context.alerts:
        if rule.name in first and rule.path == path:
            where = "{}:{}".format(*first[rule.name])
            yield Finding.at(rule, f"alert name {rule.name!r} is also used at {where}")
        first.setdefault(rule.name, (rule.path, rule.line))
