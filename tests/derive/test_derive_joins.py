"""Series that meet where the expression joins them, found in real rule sets.

Each expression below was not derived before its fix ("the signal does not
move with any series it reads"): the synthetic series of the two sides never
matched, or the guard beside a histogram had no knob to move. Each one is now
derived in full, and every derived case passes on the promtool at hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promrules.derive import derive_rule_file
from promrules.derive.verify import verify
from promrules.promtool.binary import Promtool

JOINS = {
    # kubernetes-mixin CPUThrottlingHigh: `container!=""` demands a container
    # label, which `without (...)` keeps, so the denominator needs it too.
    "negative-matcher-label": (
        'sum(increase(throttled_total{container!="", job="cadvisor"}[5m])) without (id)'
        ' / sum(increase(periods_total{job="cadvisor"}[5m])) without (id) > (25 / 100)'
    ),
    # openshift NodeSystemSaturation: `mode="idle"` is dropped by the count,
    # so node_load1 must not get a mode label.
    "label-dropped-before-the-join": (
        'node_load1{job="node-exporter"}'
        ' / count without (cpu, mode) (node_cpu_seconds_total{job="node-exporter", mode="idle"})'
        " > 2"
    ),
    # thanos ThanosQueryInstantLatencyHigh: the traffic guard reads the same
    # buckets as the quantile and moves with the number of observations.
    "guard-on-histogram-buckets": (
        'histogram_quantile(0.99, sum by (job, le) (rate(h_bucket{handler="query"}[5m]))) > 40'
        ' and sum by (job) (rate(h_bucket{handler="query"}[5m])) > 0'
    ),
}


@pytest.mark.parametrize("expr", list(JOINS.values()), ids=list(JOINS))
def test_joined_series_are_derived_and_pass(expr: str, promtool: Promtool, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rule = {"alert": "Joined", "expr": expr, "for": "5m"}
    rules.write_text(json.dumps({"groups": [{"name": "g", "rules": [rule]}]}), encoding="utf-8")
    [derived] = derive_rule_file(rules, promtool)
    assert derived.complete, [g.render() for g in derived.not_derived]
    assert verify(promtool, [(rules, [derived])]) == {}
