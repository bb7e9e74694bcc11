"""Expecting what both promtools computed changes only the expected values that differ.

These edits are built from promtool's printed result; whether they pass is
checked by running promtool (test_upgrade_causes.py). Here: which values
they change, and that they refuse anything more than a change of values.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from promrules.files.model import load_test_file
from promrules.promtool.output import Failure
from promrules.upgrade.copies import Copy, one_case
from promrules.upgrade.expectations import expect_got, word_change

ALERT_FILE = """\
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: ready
        values: 1 0 1 0 1 0
    alert_rule_test:
      - alertname: Flapping
        eval_time: 4m
        exp_alerts:
          - exp_labels:
              node: a
            exp_annotations:
              description: 'ready changed 5 times in 5m'
"""

EXPR_FILE = """\
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: requests_total
        values: 0+1x10
    promql_expr_test:
      - expr: count_over_time(requests_total[5m])
        eval_time: 10m30s
        exp_samples:
          - value: 6
"""


def _copy(tmp_path: Path, text: str, change: str = "`eval_time: 4m` (was 5m)") -> Copy:
    path = tmp_path / "case_test.yml"
    path.write_text(text, encoding="utf-8")
    test_file = load_test_file(path)
    group = test_file.groups[0]
    copy = one_case(test_file, group, group.cases[0])
    return Copy(
        copy.document, copy.group, copy.entry, copy.rule_files, copy.evaluation_interval, change
    )


def _alert_got(labels: str, annotations: str) -> Failure:
    got = f"[\n0:\n  Labels:{labels}\n  Annotations:{annotations}\n]"
    return Failure("alert", "", subject="Flapping", got=got)


def _written(copy: Copy, tmp_path: Path) -> object:
    return yaml.safe_load(copy.write(tmp_path / "edited_test.yml").read_text(encoding="utf-8"))


def test_word_change_names_only_the_words_that_differ() -> None:
    assert word_change("changed 10 times in 15m", "changed 9 times in 15m") == "`10` -> `9`"
    assert word_change("a b", "a") == "`b` -> `(nothing)`"


def test_an_alert_case_expects_the_annotation_both_versions_gave(tmp_path: Path) -> None:
    got = _alert_got(
        '{alertname="Flapping", node="a"}', '{description="ready changed 4 times in 5m"}'
    )
    edited = expect_got(_copy(tmp_path, ALERT_FILE), got)
    assert edited is not None
    assert edited.change == (
        "`eval_time: 4m` (was 5m) and exp_annotations `description`: `5` -> `4`"
    )
    document = _written(edited, tmp_path)
    assert isinstance(document, dict)
    alert = document["tests"][0]["alert_rule_test"][0]["exp_alerts"][0]
    assert alert == {
        "exp_labels": {"node": "a"},
        "exp_annotations": {"description": "ready changed 4 times in 5m"},
    }


@pytest.mark.parametrize(
    ("labels", "annotations", "why"),
    [
        ('{alertname="Flapping", host="a"}', '{description="x"}', "another label name"),
        ('{alertname="Flapping", node="a"}', '{description="x", summary="y"}', "one more note"),
    ],
)
def test_an_alert_case_is_not_rewritten_beyond_its_values(
    tmp_path: Path, labels: str, annotations: str, why: str
) -> None:
    assert expect_got(_copy(tmp_path, ALERT_FILE), _alert_got(labels, annotations)) is None, why


def test_an_alert_case_is_not_rewritten_when_other_alerts_fire(tmp_path: Path) -> None:
    two = (
        '[\n0:\n  Labels:{alertname="Flapping", node="a"}\n  Annotations:{description="x"}\n'
        '1:\n  Labels:{alertname="Flapping", node="b"}\n  Annotations:{description="x"}\n]'
    )
    failure = Failure("alert", "", subject="Flapping", got=two)
    assert expect_got(_copy(tmp_path, ALERT_FILE), failure) is None
    none = Failure("alert", "", subject="Flapping", got="[]")
    assert expect_got(_copy(tmp_path, ALERT_FILE), none) is None


def test_a_one_sample_expr_case_expects_the_value_both_gave(tmp_path: Path) -> None:
    failure = Failure("expr", "", subject="count_over_time", got="{} 5E+00")
    edited = expect_got(_copy(tmp_path, EXPR_FILE, "`eval_time: 10m30s` (was 10m)"), failure)
    assert edited is not None
    assert edited.change == "`eval_time: 10m30s` (was 10m) and `value: 5` (was 6)"
    document = _written(edited, tmp_path)
    assert isinstance(document, dict)
    assert document["tests"][0]["promql_expr_test"][0]["exp_samples"] == [{"value": 5}]
