"""Repository-level pytest settings for this repository's own alert rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.model import RuleFile, load_rule_file
from promrules.strategies import register_profiles

register_profiles()  # "promrules" by default; HYPOTHESIS_PROFILE=deep for long runs

RULES_DIR = Path(__file__).resolve().parent / "rules"


@pytest.fixture(scope="session")
def rule_pack() -> dict[str, RuleFile]:
    """The rule files this repository ships, by file name."""
    return {path.name: load_rule_file(path) for path in sorted(RULES_DIR.glob("*.yml"))}
