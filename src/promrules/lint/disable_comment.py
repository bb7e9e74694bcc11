"""lint/disable-comment: disable comments name checks that exist.

A misspelt `# promrules: disable lint/rate-windw` disables nothing, silently.
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
