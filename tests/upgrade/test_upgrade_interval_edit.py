"""A shorter group interval is offered only where it takes the range off the series' grid.

Whether the edit passes is promtool's to say (test_upgrade_corpus.py runs
it); here: when it is offered, and that series keep reaching eval_time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.files.model import load_test_file
from promrules.upgrade.copies import Copy, one_case, shorter_interval

RULES = """\
groups:
  - name: g
    rules:
      - record: updated:changes5m
        expr: changes(updated[5m])
      - alert: Stuck
        expr: updated:changes5m == 0
        for: 15m
"""


def _copy(tmp_path: Path, interval: str, values: str, eval_time: str = "30m") -> Copy:
    (tmp_path / "rules.yml").write_text(RULES, encoding="utf-8")
    path = tmp_path / "case_test.yml"
    path.write_text(
        f"""\
rule_files: [rules.yml]
evaluation_interval: 30s
tests:
  - interval: {interval}
    input_series:
      - series: updated
        values: '{values}'
    alert_rule_test:
      - alertname: Stuck
        eval_time: {eval_time}
""",
        encoding="utf-8",
    )
    test_file = load_test_file(path)
    group = test_file.groups[0]
    return one_case(test_file, group, group.cases[0])


def test_a_range_on_the_series_grid_gets_a_shorter_interval(tmp_path: Path) -> None:
    edited = shorter_interval(_copy(tmp_path, "5m", "1 2 3 4 5 6 7 8 9 1"))
    assert edited is not None
    assert edited.change == (
        "`interval: 4m` (was 5m), so no range the case reads (5m) is a multiple of it"
    )
    written = edited.write(tmp_path / "edited_test.yml").read_text(encoding="utf-8")
    assert "interval: 4m" in written


@pytest.mark.parametrize(
    ("interval", "values", "why"),
    [
        ("2m", "1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7", "5m is no multiple of 2m already"),
        ("5m", "1 2 3 4 5 6 7", "7 samples 4m apart end before 30m (5m apart they reach it)"),
        ("1s", "1+1x2000", "4/5, 3/4 and 2/3 of 1s are not whole seconds"),
    ],
)
def test_no_shorter_interval_where_it_cannot_help(
    tmp_path: Path, interval: str, values: str, why: str
) -> None:
    assert shorter_interval(_copy(tmp_path, interval, values)) is None, why
