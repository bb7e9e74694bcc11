"""Lint for rule files, configured in pyproject.toml under [tool.promrules.lint].

Each check lives in a module of its own, named like its docs page
(`lint/runbook` <-> docs/lint/runbook.md), and registers itself with `@check`.
A check gets the parsed rule files and the policy and yields Findings.
"""

from __future__ import annotations

from promrules.lint import (  # noqa: F401  (importing registers the checks)
    always_firing,
    annotation_threshold,
    counter_comparison,
    disable_comment,
    duplicate_expr,
    for_duration,
    for_interval,
    label_replace_regex,
    rate_gauge,
    rate_window,
    regex_anchors,
    required_annotations,
    required_labels,
    runbook,
    severity,
    template_labels,
    unique,
    value_label,
)
from promrules.lint.base import (
    CHECKS,
    Finding,
    LintContext,
    Policy,
    check,
    enabled_checks,
    load_policy,
    run_checks,
)
from promrules.lint.changed import ChangedLines, DiffError, changed_lines

__all__ = [
    "CHECKS",
    "ChangedLines",
    "DiffError",
    "Finding",
    "LintContext",
    "Policy",
    "changed_lines",
    "check",
    "enabled_checks",
    "load_policy",
    "run_checks",
]
