"""The written test file: plain promtool YAML, stable bytes, `interval:` in every group."""

from __future__ import annotations

from pathlib import Path

import yaml

from promrules.derive import derive_rule_file, render_test_file, write_test_file
from promrules.promtool.binary import Promtool
from tests.derive_support import GOLDEN

RULES = """\
groups:
  - name: demo
    rules:
      - alert: QueueHigh
        expr: queue_depth > 90
        for: 2m
        labels:
          severity: warning
        annotations:
          summary: "queue at {{ $value }}"
      - alert: NoThreshold
        expr: vector(1)
"""


def _derive(promtool: Promtool, tmp_path: Path) -> tuple[Path, Path, str]:
    rules = tmp_path / "rules" / "queue.yml"
    rules.parent.mkdir()
    rules.write_text(RULES)
    out = tmp_path / "rule_tests" / "generated" / "queue_test.yml"
    out.parent.mkdir(parents=True)
    derivations = derive_rule_file(rules, promtool)
    write_test_file(derivations, rules, out)
    return rules, out, render_test_file(derive_rule_file(rules, promtool), rules, out)


def test_the_file_is_the_golden_file_and_the_same_on_every_run(
    promtool: Promtool, tmp_path: Path
) -> None:
    _rules, out, again = _derive(promtool, tmp_path)
    text = out.read_text()
    assert text == again, "deriving the same rules twice gives the same bytes"
    expected = (GOLDEN / "derive_queue_test.yml").read_text()
    assert text.replace(str(tmp_path), "TMP") == expected


def test_plain_promtool_runs_the_file_from_its_own_folder(
    promtool: Promtool, tmp_path: Path
) -> None:
    _rules, out, _ = _derive(promtool, tmp_path)
    document = yaml.safe_load(out.read_text())
    assert document["rule_files"] == ["../../rules/queue.yml"]
    assert all("interval" in group for group in document["tests"])
    names = [group["name"] for group in document["tests"]]
    assert len(names) == len(set(names))
    run = promtool.test_rules(out.name, cwd=out.parent)
    assert run.returncode == 0, run.output


def test_an_alert_with_nothing_to_derive_is_named_with_its_reason(
    promtool: Promtool, tmp_path: Path
) -> None:
    _rules, out, _ = _derive(promtool, tmp_path)
    assert "# NoThreshold: the alert was not derived: the expression reads no series" in (
        out.read_text()
    )
