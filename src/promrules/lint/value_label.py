"""lint/value-label: alert labels do not use the sample value.

A label built from `$value` changes whenever the value does, and every new
label set is a new alert: the old one resolves, a new one starts pending
again, so `for:` never completes and notifications flap. Put the value in an
annotation.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.templates import uses_value


@check("value-label")
def labels_do_not_use_value(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        for key, text in rule.labels.items():
            if uses_value(text):
                yield Finding.at(
                    rule,
                    f"label {key} uses the sample value: each new value makes a new alert",
                    line=rule.label_lines.get(key),
                    details="move the value into an annotation",
                )
