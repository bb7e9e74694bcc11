"""`--promrules-compare-promtool=PATH`: the session's cases, again under another promtool.

The groups the session ran are run with the other promtool; cases whose
verdict differs are listed with their cause in the terminal summary and fail
the run, while the case items themselves keep the session promtool's verdict.
"""

from __future__ import annotations

import shutil

import pytest

from tests.upgrade_support import EXAMPLES, PROMTOOL_2, PROMTOOL_3, both_promtools


@pytest.fixture
def examples(pytester: pytest.Pytester) -> pytest.Pytester:
    both_promtools()
    for name in ("rules.yml", "interval_test.yml", "unchanged_test.yml"):
        shutil.copy(EXAMPLES / name, pytester.path / name)
    return pytester


def test_a_changed_case_is_reported_and_fails_the_run(examples: pytest.Pytester) -> None:
    result = examples.runpytest(
        f"--promtool={PROMTOOL_3}",
        f"--promrules-compare-promtool={PROMTOOL_2}",
        "interval_test.yml",
        "unchanged_test.yml",
    )
    result.assert_outcomes(passed=3)  # every case passes on the session's promtool (3.x)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*promrules upgrade check*",
            "interval_test.yml::group0::TargetUp@5m: passes on 3.5.3, fails on 2.42.0",
            "  cause: missing-interval: *",
            "  suggested edit: add `interval: 1m` to the test group (verified on both: *",
            "3 cases in 2 files compared on promtool 3.5.3 and 2.42.0: 1 changed verdict*",
        ]
    )


def test_only_the_selected_groups_are_compared(examples: pytest.Pytester) -> None:
    result = examples.runpytest(
        f"--promtool={PROMTOOL_3}",
        f"--promrules-compare-promtool={PROMTOOL_2}",
        "-k",
        "unchanged",
        "interval_test.yml",
        "unchanged_test.yml",
    )
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(
        ["2 cases in 1 file compared on promtool 3.5.3 and 2.42.0: 0 changed"]
    )


def test_an_unusable_compare_promtool_is_a_usage_error(examples: pytest.Pytester) -> None:
    missing = examples.path / "nope"
    result = examples.runpytest(f"--promrules-compare-promtool={missing}", "unchanged_test.yml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: promrules: --promrules-compare-promtool={missing}: promtool not found at*"]
    )


def test_it_refuses_xdist(examples: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = examples.runpytest("-n", "2", f"--promrules-compare-promtool={PROMTOOL_2}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--promrules-compare-promtool does not combine with -n*"])
