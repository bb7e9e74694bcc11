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
    for rule in context.rules:
        if rule.name in first and rule.path == path:
            where = "{}:{}".format(*first[rule.name])
            yield Finding(
                "unique",
                f"alert name {rule.name!r} is also used at {where}",
                path,
                rule.line,
                rule.name,
            )
        first.setdefault(rule.name, (rule.path, rule.line))
