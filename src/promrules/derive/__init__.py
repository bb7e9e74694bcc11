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

from collections.abc import Sequence
from pathlib import Path

from promrules.derive.engine import choose_evaluation_interval
from promrules.derive.engine import derive_rule_files as _derive_rule_files
from promrules.derive.model import CASE_KINDS, AlertDerivation, DerivedCase, Gap
from promrules.derive.patterns import PATTERNS
from promrules.derive.writer import render_test_file, write_test_file
from promrules.promtool import Promtool, locate

__all__ = [
    "CASE_KINDS",
    "PATTERNS",
    "AlertDerivation",
    "DerivedCase",
    "Gap",
    "choose_evaluation_interval",
    "derive_rule_file",
    "derive_rule_files",
    "render_test_file",
    "write_test_file",
]


def derive_rule_files(
    paths: Sequence[Path | str], promtool: Promtool | None = None, *, workers: int = 2
) -> dict[Path, list[AlertDerivation]]:
    """Derive every alert of several rule files, sharing promtool runs between them.

    Raises yamlnodes.YamlError for an unreadable rule file and
    promtool.PromtoolError when no promtool can be found.
    """
    tool = promtool if promtool is not None else locate()
    return _derive_rule_files(tool, [Path(p) for p in paths], workers)


def derive_rule_file(
    path: Path | str, promtool: Promtool | None = None, *, workers: int = 2
) -> list[AlertDerivation]:
    """Derive every alert of one rule file, in the order they are written."""
    return derive_rule_files([path], promtool, workers=workers)[Path(path)]
