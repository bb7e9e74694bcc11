"""pytest-xdist: `-n 2` gives the same verdicts, and no test file runs twice.

Real promtool behind a logging wrapper; the workers are real processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from tests.helpers import PASSING_TEST, RULES, logging_promtool

pytest.importorskip("xdist", reason="pytest-xdist is a dev extra")

pytestmark = pytest.mark.slow  # each test starts pytest sessions with worker processes

FILES = 6


@pytest.fixture
def project(
    pytester: pytest.Pytester, promtool_env: Promtool, monkeypatch: pytest.MonkeyPatch
) -> Path:
    pytester.makefile(".yml", rules=RULES)
    for n in range(FILES):
        pytester.makefile(".yml", **{f"t{n}_test": PASSING_TEST})
    pytester.makefile(".yml", bad_test=PASSING_TEST.replace("value: 95", "value: 1"))
    return logging_promtool(pytester, promtool_env.path, monkeypatch)


GROUPS = ("group0", "group1")  # PASSING_TEST's two groups


def groups_run(log: Path) -> list[str]:
    """Every test group promtool was given, as `t0_test:group1`, once per time given.

    A file given as written counts as all its groups; a one-group copy
    (`3.t0_test.group1.yml`, trimmed or not) as its group. Timeline runs and
    the probes of trimmed rule sets are left out.
    """
    found = []
    for line in log.read_text().splitlines():
        if not line.startswith("CALL test rules") or line.endswith("probe.yml"):
            continue
        for arg in line.split():
            name = Path(arg).name
            if not name.endswith(".yml") or name.startswith("rules-probe"):
                continue
            parts = name.removesuffix(".yml").split(".")
            if parts[-1].startswith("group"):
                found.append(f"{parts[-2]}:{parts[-1]}")
            else:
                found += [f"{parts[-1]}:{g}" for g in GROUPS]
    return found


@pytest.mark.parametrize("dist", [[], ["--dist", "loadfile"]])
def test_two_workers_give_the_verdicts_of_one_and_run_each_file_once(
    pytester: pytest.Pytester, project: Path, dist: list[str]
) -> None:
    result = pytester.runpytest_subprocess("-n", "2", *dist, "-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=4 * FILES + 3 + 1, failed=1)  # +1: rules.yml check
    result.stdout.fnmatch_lines(["*FAILED bad_test.yml::high::expr:demo_value@1m*"])
    stems = [f"t{n}_test" for n in range(FILES)] + ["bad_test"]
    expected = sorted(f"{stem}:{group}" for stem in stems for group in GROUPS)
    assert sorted(groups_run(project)) == expected


def test_workers_run_only_the_selected_groups(
    pytester: pytest.Pytester, project: Path, promtool_env: Promtool
) -> None:
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-k", "low")
    result.assert_outcomes(passed=FILES + 1)  # xdist does not count deselected items
    calls = [x for x in project.read_text().splitlines() if x.startswith("CALL test rules")]
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
            "rules.yml       2       1      1             1        0    50.0%",
            "not covered: rules.yml:* NeverTested (no passing firing and quiet case)",
            "FAIL: alert coverage 50.0% is below --promrules-cov-fail-under=60",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_selection_in_the_workers_turns_the_gate_off(
    pytester: pytest.Pytester, project: Path
) -> None:
    """Workers deselect (-k), not the controller: they tell it, and it computes no coverage."""
    (pytester.path / "rules.yml").write_text(
        RULES + "      - alert: NeverTested\n        expr: demo_value < 0\n"
    )
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "-p",
        "no:cacheprovider",
        "--promrules-cov-fail-under=60",
        "-k",
        "high and not bad",
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["promrules: alert coverage not computed: this run is part of the suite (* deselected)*"]
    )
    assert "FAIL: alert coverage" not in result.stdout.str()


def test_workers_leave_no_live_folder_behind(
    pytester: pytest.Pytester,
    promtool_env: Promtool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Each worker derives live cases into a temp folder; xdist may end a worker
    before its own clean-up runs, so the controller removes the workers' folders
    once it has read their cases (for the HTML report)."""
    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setenv("TMPDIR", str(scratch))
    rules = pytester.mkdir("rules")
    (rules / "demo.yml").write_text(RULES)
    (rules / "broken.yml").write_text("groups:\n  - name: g\n    rules:\n      - alert: [B\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", f"--promrules-html={pytester.path / 'r.html'}"
    )
    assert result.parseoutcomes()["errors"] == 1  # the broken file's load error
    assert "Traceback" not in result.stdout.str()
    assert sorted(p.name for p in scratch.iterdir() if p.name.startswith("promrules-")) == []
