"""lint/disable-comment: disable comments name checks that exist.

A misspelt `# promrules: disable lint/rate-windw` disables nothing, silently;
so does one that touches no rule (above a group's `name:`, say). Both are findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.lint.base import CHECKS, Finding, LintContext, check


@check("disable-comment")
def disable_comments_name_checks(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.rules_of(path):
        unknown = sorted(rule.disabled - set(CHECKS))
        if unknown:
            yield Finding.at(
                rule,
                f"disable comment names no check: {', '.join('lint/' + u for u in unknown)}",
                details=f"known: {', '.join(sorted(CHECKS))}",
            )
        for line in rule.stray_disables:
            yield Finding.at(
                rule,
                "disable comment touches no rule, so it disables nothing",
                line=line,
                details="put it inside the rule or right above it",
            )
