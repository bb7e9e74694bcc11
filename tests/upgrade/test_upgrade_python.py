"""`upgrade-check --python`: Python scenarios run under each promtool, compared test by test.

A Python test cannot be re-run with one change, so a change is reported with
both outputs and counted as unclassified.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promrules.cli import command as cli
from promrules.upgrade.check import run_check
from tests.upgrade_support import EXAMPLES, PROMTOOL_2, PROMTOOL_3, both_promtools

# Runs both promtools itself, whatever PROMTOOL is: the 3.x lane alone is enough.
pytestmark = pytest.mark.slow


SCENARIOS = """
from promrules.authoring.series import gauge


def test_restart_fires_at_the_window_edge(promrules_scenario):
    boot = gauge("boot_time")
    s = promrules_scenario("rules.yml").add(boot.hold(100, "2m").hold(200, "8m"))
    s.expect_firing("Restarted", "6m")
    s.run()


def test_restart_fires_inside_the_window(promrules_scenario):
    boot = gauge("boot_time")
    s = promrules_scenario("rules.yml").add(boot.hold(100, "2m").hold(200, "8m"))
    s.expect_firing("Restarted", "5m")
    s.run()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    both_promtools()
    shutil.copy(EXAMPLES / "rules.yml", tmp_path / "rules.yml")
    (tmp_path / "test_scenarios.py").write_text(SCENARIOS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_scenario_that_changes_is_listed_unclassified(project: Path) -> None:
    check = run_check([project], *both_promtools(), project, python=True)
    assert check.python_tests == 2
    assert [(t.node_id, t.before[0], t.after[0]) for t in check.python_changed] == [
        ("test_scenarios.py::test_restart_fires_at_the_window_edge", "passed", "failed")
    ]
    assert "promtool found no firing Restarted at 6m" in check.python_changed[0].after[1]


def test_the_cli_reports_it_and_exits_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        ["upgrade-check", f"--from={PROMTOOL_2}", f"--to={PROMTOOL_3}", "--python", "."]
    )
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0] == (
        "test_scenarios.py::test_restart_fires_at_the_window_edge: passes on 2.42.0, fails on 3.5.3"
    )
    assert lines[1].startswith("  cause: unclassified (a Python test")
    assert lines[-2] == (
        "0 cases in 0 files and 2 Python tests compared on promtool 2.42.0 and 3.5.3: "
        "1 changed verdict in 1 file (1 unclassified)"
    )
