"""lint/severity: the `severity` label is one of the configured levels."""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import Finding, LintContext, check


@check("severity")
def severity_is_a_configured_level(context: LintContext, path: str) -> Iterator[Finding]:
    levels = context.policy.severities
    if not levels:
        return
    for rule in context.alerts_of(path):
        value = rule.labels.get("severity")
        if value is not None and value not in levels:
            yield Finding.at(
                rule,
                f"severity {value!r} is not one of {', '.join(levels)}",
                line=rule.label_lines.get("severity"),
            )
