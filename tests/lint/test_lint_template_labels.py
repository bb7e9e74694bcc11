"""lint/template-labels agrees with promtool on which `$labels` render empty.

For each expression, the real promtool renders an annotation that prints three
labels every input series has; a label lint calls always empty must render
empty, and every other one must render with a value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from promrules.lint import Policy
from promrules.lint.runner import lint_paths
from promrules.promtool.binary import Promtool

LABELS = ("instance", "job", "team")
TEMPLATE = " ".join(f"{name}=[{{{{ $labels.{name} }}}}]" for name in LABELS)
EXPRESSIONS = [
    "sum by (job) (x) > 0",
    "count(x) > 0",
    "sum without (instance) (x) > 0",
    "x > on (job) y",
    "x > ignoring (instance) y",
    "x * on (job, team) group_left (instance) y > 0",
    'absent(nope{job="a", team=~"t"})',
    'label_replace(sum(x), "instance", "z", "", "") > 0',
    "topk(1, x) > 0",
    "max by (team) (x) > 0 and on (team) sum by (team, job) (y) > 0",
    "histogram_quantile(0.5, sum by (le, job) (h_bucket)) > 0",
]
SERIES = {
    'x{job="a", instance="i", team="t"}': "5x5",
    'y{job="a", instance="j", team="t"}': "1x5",
    'h_bucket{job="a", instance="i", team="t", le="1"}': "5x5",
    'h_bucket{job="a", instance="i", team="t", le="+Inf"}': "5x5",
}


def rendered(promtool: Promtool, tmp_path: Path, expr: str) -> dict[str, str]:
    rule = {"alert": "A", "expr": expr, "annotations": {"text": TEMPLATE}}
    (tmp_path / "rules.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "g", "rules": [rule]}]})
    )
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in SERIES.items()],
                "alert_rule_test": [{"eval_time": "2m", "alertname": "A", "exp_alerts": []}],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    run = promtool.run("test", "rules", str(tmp_path / "test.yml"))
    match = re.search(r'text="([^"]*)"', run.output)
    assert match, run.output
    return dict(re.findall(r"(\w+)=\[([^\]]*)\]", match.group(1)))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_lint_flags_exactly_the_labels_promtool_renders_empty(
    promtool: Promtool, tmp_path: Path, expr: str
) -> None:
    values = rendered(promtool, tmp_path, expr)
    findings, _ = lint_paths(tmp_path, Policy(), [tmp_path / "rules.yml"])
    flagged = {
        name
        for f in findings
        if f.code == "template-labels"
        for name in LABELS
        if f"$labels.{name}," in f.summary
    }
    assert flagged == {name for name in LABELS if values[name] == ""}, values
