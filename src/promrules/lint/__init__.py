"""Lint policy for alert rules, configured in pyproject.toml under [tool.promrules.lint].

Each check lives in a module of its own, named like its docs page
(`lint/runbook` <-> docs/lint/runbook.md), and registers itself with `@check`.
A check gets the parsed rule files and the policy and yields Findings.
"""

from __future__ import annotations

from promrules.lint import (  # noqa: F401  (importing registers the checks)
    for_duration,
    required_annotations,
    required_labels,
    runbook,
    severity,
    unique,
)
from promrules.lint.base import CHECKS, Finding, LintContext, Policy, check, load_policy, run_checks

__all__ = ["CHECKS", "Finding", "LintContext", "Policy", "check", "load_policy", "run_checks"]
