"""The repository's own promtool tests (hand-written and generated) keep their verdicts on 3.x.

Tests that promrules writes or generates must not depend on the window edges
where the two versions differ; this runs the upgrade check over rule_tests/
(generated/ included, and its Python tests) in CI, where both promtools are
installed.
"""

from __future__ import annotations

import pytest

from promrules.upgrade.check import run_check
from promrules.upgrade.report import summary_line
from tests.conftest import REPO
from tests.upgrade_support import both_promtools

# Runs both promtools itself, whatever PROMTOOL is: the 3.x lane alone is enough.
pytestmark = pytest.mark.slow


def test_the_repository_suite_has_no_changed_cases() -> None:
    before, after = both_promtools()
    check = run_check([REPO / "rule_tests"], before, after, REPO, workers=2)
    generated = list((REPO / "rule_tests" / "generated").glob("*.yml"))
    assert generated, "rule_tests/generated holds the generated tests"
    assert check.files >= 4 + len(generated)
    assert not check.problems
    assert [item.changed.node_id for item in check.changed] == [], summary_line(check)


def test_the_repository_python_tests_have_no_changed_outcomes() -> None:
    before, after = both_promtools()
    check = run_check([REPO / "rule_tests"], before, after, REPO, workers=2, python=True)
    assert check.python_tests > 0
    assert not check.problems
    assert [t.node_id for t in check.python_changed] == [], summary_line(check)
