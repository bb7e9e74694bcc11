"""Small builders for the files pytester tests write."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

RULES = """\
groups:
  - name: demo
    interval: 1m
    rules:
      - alert: HighValue
        expr: demo_value > 90
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: "value is {{ $value }}"
"""

PASSING_TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: high
    interval: 1m
    input_series:
      - series: demo_value
        values: "95x10"
    alert_rule_test:
      - eval_time: 1m
        alertname: HighValue
        exp_alerts: []
      - eval_time: 2m
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations: {summary: "value is 95"}
    promql_expr_test:
      - expr: demo_value
        eval_time: 1m
        exp_samples:
          - labels: demo_value
            value: 95
  - name: low
    interval: 1m
    input_series:
      - series: demo_value
        values: "85x10"
    alert_rule_test:
      - eval_time: 5m
        alertname: HighValue
        exp_alerts: []
"""


def dedent(text: str) -> str:
    return textwrap.dedent(text)


# Logs every call (`CALL <args>`) and the test groups of every file it is given
# (`GROUP - name: x`, read while the run is on, before promrules removes its copies).
LOGGING_PROMTOOL = """#!/bin/sh
{{
  echo "CALL $*"
  for arg in "$@"; do
    case "$arg" in
      *.yml|*.yaml) grep -h -E '^  - name:|^- name:' "$arg" | sed 's/^/GROUP /' ;;
    esac
  done
}} >> {log}
exec {promtool} "$@"
"""


def logging_promtool(
    pytester: pytest.Pytester, promtool: str | Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Make PROMTOOL a wrapper of the real promtool that logs what it is given; the log."""
    log = pytester.path / "promtool.log"
    wrapper = pytester.path / "logging-promtool"
    wrapper.write_text(LOGGING_PROMTOOL.format(log=log, promtool=promtool))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(wrapper))
    return log
