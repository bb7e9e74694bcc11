"""Small builders for the files pytester tests write."""

from __future__ import annotations

import textwrap

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
