"""lint/required-labels: every alert carries the required labels."""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check


@check("required-labels")
def required_labels_are_present(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        missing = [name for name in context.policy.required_labels if not rule.labels.get(name)]
        if missing:
            yield Finding.at(rule, f"missing required label(s) {', '.join(missing)}")
