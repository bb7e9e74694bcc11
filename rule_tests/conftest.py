"""Fixtures of the rule tests, kept beside them.

Copying rules/ and rule_tests/ into another repository (as the README suggests) must
give working tests, so nothing here may come from this repository's top-level conftest.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.files.model import RuleFile, load_rule_file

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="session")
def rule_pack() -> dict[str, RuleFile]:
    """The rule files rules/ ships, by file name."""
    return {path.name: load_rule_file(path) for path in sorted(RULES_DIR.glob("*.yml"))}
