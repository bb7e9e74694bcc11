"""lint/runbook: `runbook_url` points at a section that exists in the runbook."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from promrules.lint.base import Finding, LintContext, check

_HEADING_RE = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lowercase, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@lru_cache(maxsize=8)
def anchors(runbook: Path) -> frozenset[str]:
    found = set()
    in_code = False
    for line in runbook.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING_RE.match(line)
        if match:
            found.add(anchor(match.group(1)))
    return frozenset(found)


@check("runbook")
def runbook_anchor_exists(context: LintContext, path: str) -> Iterator[Finding]:
    if not context.policy.runbook:
        return
    runbook = context.rootdir / context.policy.runbook
    if not runbook.exists():
        return
    known = anchors(runbook)
    for rule in context.alerts_of(path):
        url = rule.annotations.get("runbook_url")
        if not url:
            continue
        page, _, fragment = url.partition("#")
        if not page.endswith(runbook.name):
            summary = f"runbook_url {url!r} does not point at {context.policy.runbook}"
            yield Finding.at(rule, summary)
        elif fragment not in known:
            summary = f"runbook_url anchor #{fragment} is not a heading of {context.policy.runbook}"
            yield Finding.at(rule, summary, details=f"expected a section '## {rule.name}'")
