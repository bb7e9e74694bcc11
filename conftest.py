"""Repository-level pytest settings; the rule tests' fixtures live in rule_tests/conftest.py."""

from __future__ import annotations

from promrules.strategies import register_profiles

register_profiles()  # "promrules" by default; HYPOTHESIS_PROFILE=deep for long runs
