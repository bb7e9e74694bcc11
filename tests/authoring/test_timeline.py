"""Timelines: the steps around a time, with every value and state read from promtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.authoring import timeline
from promrules.promtool.binary import Promtool
from promrules.promtool.query import ProbeError

GOLDEN = Path(__file__).parent.parent / "golden"
MINUTE = 60_000

RULES = """\
groups:
  - name: disks
    interval: 2m
    rules:
      - alert: DiskFull
        expr: disk_used_percent > 85
        for: 4m
        labels:
          severity: warning
"""

TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: unrelated
    interval: 1m
    input_series:
      - series: disk_used_percent{mount="/"}
        values: "10x20"
  - name: two disks
    interval: 1m
    input_series:
      - series: disk_used_percent{mount="/"}
        values: "80x3 90x10 _x4 stale"
      - series: disk_used_percent{mount="/var"}
        values: "90x20"
    alert_rule_test:
      - eval_time: 8m
        alertname: DiskFull
        exp_alerts: []
"""


@pytest.fixture
def test_file(tmp_path: Path) -> Path:
    (tmp_path / "rules.yml").write_text(RULES)
    path = tmp_path / "disks_test.yml"
    path.write_text(TEST)
    return path


def test_a_group_of_a_test_file_on_disk_is_the_golden_timeline(
    promtool: Promtool, test_file: Path
) -> None:
    built = timeline.build(
        promtool,
        test_file,
        1,
        "DiskFull",
        8 * MINUTE,
        expected={8 * MINUTE: "inactive"},
        before=4,
        after=6,
    )
    assert built.step_ms == 2 * MINUTE  # the rule group's own interval
    assert built.render() + "\n" == (GOLDEN / "timeline_disks.txt").read_text()
    assert test_file.read_text() == TEST


def test_rows_hold_promtool_values_lookback_and_staleness(
    promtool: Promtool, test_file: Path
) -> None:
    built = timeline.build(promtool, test_file, 1, "DiskFull", 18 * MINUTE, before=1, after=1)
    rows = {ms: cells for ms, cells in built.rows}
    root = built.headers.index('disk_used_percent{mount="/"}')
    assert rows[16 * MINUTE][root] == "90"  # no sample at 16m: the lookback shows 14m's
    assert rows[20 * MINUTE][root] == "-"  # the stale marker at 19m ended it
    assert built.headers[-2:] == ("DiskFull", "expected")


def test_the_other_group_has_its_own_series(promtool: Promtool, test_file: Path) -> None:
    built = timeline.build(promtool, test_file, 0, "DiskFull", 6 * MINUTE)
    assert {cells[-2] for _ms, cells in built.rows} == {"inactive"}
    assert {cells[0] for _ms, cells in built.rows} == {"10"}


def test_the_marked_row_is_the_step_at_or_before_the_time(
    promtool: Promtool, test_file: Path
) -> None:
    built = timeline.build(promtool, test_file, 1, "DiskFull", 9 * MINUTE, before=1, after=1)
    assert [ms for ms, _cells in built.rows] == [6 * MINUTE, 8 * MINUTE, 10 * MINUTE]
    marked = [line for line in built.render().splitlines() if line.startswith("  >")]
    assert len(marked) == 1 and marked[0].split()[1] == "8m"


def test_series_promtool_rejects_give_a_probe_error(promtool: Promtool, test_file: Path) -> None:
    test_file.write_text(TEST.replace('"80x3 90x10 _x4 stale"', '"80x3 90 x10"'))
    with pytest.raises(ProbeError, match="x"):
        timeline.build(promtool, test_file, 1, "DiskFull", 8 * MINUTE)


def test_an_alert_name_with_quotes_and_unicode_gets_its_timeline(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    """The name goes into `ALERTS{alertname=...}` quoted (it used to break the query)."""
    name = 'Disk "root" fülls up'
    pytester.makefile(
        ".yml", q=f"groups:\n- name: g\n  rules:\n  - alert: '{name}'\n    expr: m > 1\n"
    )
    pytester.makefile(
        ".yml",
        q_test="rule_files: [q.yml]\ntests:\n- interval: 1m\n  input_series:\n"
        "  - series: m\n    values: 0 5 5\n  alert_rule_test:\n"
        f"  - alertname: '{name}'\n    eval_time: 2m\n    exp_alerts: []\n",
    )
    result = pytester.runpytest("q_test.yml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"timeline of {name} around 2m*", "  >  2m * firing *"])
    assert "no timeline" not in result.stdout.str()
