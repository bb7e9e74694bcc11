"""lint/unique: alert names are unique across all rule files.

Routing, silences, inhibition and runbook links all go by alert name.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import AlertRule, Finding, LintContext, check


def _first_uses(context: LintContext) -> dict[str, AlertRule]:
    """{alert name: the rule that used it first}, over every linted file."""
    first: dict[str, AlertRule] = {}
    for rule in context.alerts:
        first.setdefault(rule.name, rule)
    return first


@check("unique")
def alert_names_are_unique(context: LintContext, path: str) -> Iterator[Finding]:
    if not context.policy.unique_names:
        return
    first = context.shared("unique", lambda: _first_uses(context))
    for rule in context.alerts_of(path):
        other = first[rule.name]
        if other is not rule:
            where = f"{other.path}:{other.line}"
            yield Finding.at(rule, f"alert name {rule.name!r} is also used at {where}")
