"""pytest-xdist: `-n 2` gives the same verdicts, and no test file runs twice.

Real promtool behind a logging wrapper; the workers are real processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.promtool import Promtool
from tests.helpers import PASSING_TEST, RULES

pytest.importorskip("xdist", reason="pytest-xdist is a dev extra")

WRAPPER = '#!/bin/sh\necho "$*" >> {log}\nexec {promtool} "$@"\n'
FILES = 6


@pytest.fixture
def project(
    pytester: pytest.Pytester, promtool_env: Promtool, monkeypatch: pytest.MonkeyPatch
) -> Path:
    pytester.makefile(".yml", rules=RULES)
    for n in range(FILES):
        pytester.makefile(".yml", **{f"t{n}_test": PASSING_TEST})
    pytester.makefile(".yml", bad_test=PASSING_TEST.replace("value: 95", "value: 1"))
    log = pytester.path / "promtool.log"
    wrapper = pytester.path / "logging-promtool"
    wrapper.write_text(WRAPPER.format(log=log, promtool=promtool_env.path))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(wrapper))
    return log


def files_run(log: Path) -> list[str]:
    """Every test file named in a `test rules` call (timeline probes aside), once per call."""
    named = []
    for line in log.read_text().splitlines():
        if line.startswith("test rules") and not line.endswith("probe.yml"):
            named += [Path(a).name for a in line.split() if a.endswith(".yml")]
    return named


@pytest.mark.parametrize("dist", [[], ["--dist", "loadfile"]])
def test_two_workers_give_the_verdicts_of_one_and_run_each_file_once(
    pytester: pytest.Pytester, project: Path, dist: list[str]
) -> None:
    result = pytester.runpytest_subprocess("-n", "2", *dist, "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=4 * FILES + 3 + 1, failed=1)  # +1: rules.yml check
    result.stdout.fnmatch_lines(["*FAILED bad_test.yml::high::expr:demo_value@1m*"])
    named = files_run(project)
    expected = sorted([f"t{n}_test.yml" for n in range(FILES)] + ["bad_test.yml"])
    as_written = sorted(n for n in named if ".group" not in n)
    assert as_written == expected, named


def test_workers_run_only_the_selected_groups(
    pytester: pytest.Pytester, project: Path, promtool_env: Promtool
) -> None:
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-k", "low")
    result.assert_outcomes(passed=FILES + 1)  # xdist does not count deselected items
    calls = [line for line in project.read_text().splitlines() if line.startswith("test rules")]
    for n in [*range(FILES), "bad"]:
        mine = [c for c in calls if f"{n}_test." in c]
        assert len(mine) == 1, (n, calls)
        if promtool_env.major >= 3:
            assert "--run=^(?:low)$" in mine[0]
        else:
            assert f"{n}_test.group1.yml" in mine[0] and f"{n}_test.group0" not in mine[0]


def test_the_coverage_gate_sees_every_worker(pytester: pytest.Pytester, project: Path) -> None:
    """Coverage is recorded in the workers; the controller prints and enforces the sum."""
    (pytester.path / "rules.yml").write_text(
        RULES + "      - alert: NeverTested\n        expr: demo_value < 0\n"
    )
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "no:cacheprovider", "--promrules-cov-fail-under=60"
    )
    result.stdout.fnmatch_lines(
        [
            "rules.yml       2       1      1    50.0%",
            "not covered: rules.yml:* NeverTested (no passing firing and quiet case)",
            "FAIL: alert coverage 50.0% is below --promrules-cov-fail-under=60",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
