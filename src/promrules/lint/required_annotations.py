"""lint/required-annotations: every alert carries the required annotations.

Whether the annotation templates render is checked by promtool itself (the
rule file's `check` item), which parses them with Prometheus's own template code.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check


@check("required-annotations")
def required_annotations_are_present(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.alerts_of(path):
        missing = [a for a in context.policy.required_annotations if not rule.annotations.get(a)]
        if missing:
            yield Finding.at(rule, f"missing required annotation(s) {', '.join(missing)}")
