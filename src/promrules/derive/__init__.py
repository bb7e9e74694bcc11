"""Derive boundary tests from every alert's expression.

For each alerting rule, `derive` reads the expression with promql-parser,
finds its threshold comparisons (and absent() calls), the selectors that
feed them and the `for:` / `keep_firing_for:` durations, and builds
synthetic series for four cases per condition: just beyond the threshold
(pending at the first true evaluation, firing exactly `for:` later and not
one evaluation earlier), just short of it (never pending), exactly on it
(fires or not as `>` / `>=` say), and after it clears (resolved, honouring
keep_firing_for). Values are calibrated by asking promtool, never by
computing PromQL here; what cannot be derived is reported with its reason.

    derivations = derive_rule_file(Path("rules/api.yml"))
    write_test_file(derivations, "rules/api.yml", "rule_tests/generated/api_test.yml")
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from promrules.derive.engine import DEFAULT_BUDGET_S, choose_evaluation_interval
from promrules.derive.engine import derive_rule_files as _derive_rule_files
from promrules.derive.model import CASE_KINDS, AlertDerivation, DerivedCase, Gap
from promrules.derive.patterns import PATTERNS
from promrules.derive.progress import Progress
from promrules.derive.writer import render_test_file, write_test_file
from promrules.promtool.binary import Promtool, locate

__all__ = [
    "CASE_KINDS",
    "DEFAULT_BUDGET_S",
    "PATTERNS",
    "AlertDerivation",
    "DerivedCase",
    "Gap",
    "Progress",
    "budget_from_env",
    "choose_evaluation_interval",
    "derive_rule_file",
    "derive_rule_files",
    "render_test_file",
    "write_test_file",
]


def budget_from_env() -> float:
    """The per-alert time budget: PROMRULES_DERIVE_BUDGET seconds, else 60 s."""
    text = os.environ.get("PROMRULES_DERIVE_BUDGET", "")
    try:
        value = float(text)
    except ValueError:
        return DEFAULT_BUDGET_S
    return value if value > 0 else DEFAULT_BUDGET_S


def derive_rule_files(
    paths: Sequence[Path | str],
    promtool: Promtool | None = None,
    *,
    workers: int = 2,
    budget_s: float | None = None,
    progress: Progress | None = None,
) -> dict[Path, list[AlertDerivation]]:
    """Derive every alert of several rule files, sharing promtool runs between them.

    An alert that cannot be derived (its shape, a promtool error, more than
    `budget_s` seconds of work, a bug of ours) is listed with its reason;
    the others go on. Raises yamlnodes.YamlError for an unreadable rule
    file and promtool.PromtoolError when no promtool can be found.
    """
    tool = promtool if promtool is not None else locate()
    budget = budget_s if budget_s is not None else budget_from_env()
    return _derive_rule_files(
        tool, [Path(p) for p in paths], workers, budget_s=budget, progress=progress
    )


def derive_rule_file(
    path: Path | str, promtool: Promtool | None = None, *, workers: int = 2
) -> list[AlertDerivation]:
    """Derive every alert of one rule file, in the order they are written."""
    return derive_rule_files([path], promtool, workers=workers)[Path(path)]
