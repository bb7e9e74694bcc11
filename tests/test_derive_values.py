"""Values a derived case prints are their shortest exact forms (90.1, not 90.10000000000001).

The calibration picks knob values; picked by plain arithmetic (`1.1 * 1.01`,
midpoints) they print as 1.1110000000000002. solve.tidy keeps every pick
that is not an exact-threshold search to the shortest decimal nearby.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from promrules.derive import derive_rule_files
from promrules.derive.solve import tidy
from promrules.promtool import Promtool

THRESHOLDS = (1.1, 0.8, 0.2, 3.3, 0.05, 0.95, 90)
_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def test_tidy_takes_the_shortest_decimal_inside_the_bounds() -> None:
    assert tidy(90.10000000000001, 90.05, 90.15) == 90.1
    assert tidy(1.1 * 1.01, 1.11, 1.112) == 1.111
    assert tidy(0.3, 0.31, 0.4) == 0.3  # nothing shorter inside: the value itself


def test_derived_cases_print_short_values(promtool: Promtool, tmp_path: Path) -> None:
    rules = [{"alert": f"A{n}", "expr": f"x{n} > {t}"} for n, t in enumerate(THRESHOLDS)]
    path = tmp_path / "rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "g", "rules": rules}]}))
    long = []
    for derivation in derive_rule_files([path], promtool)[path]:
        for case in derivation.cases:
            long += [n for n in _NUMBER.findall(case.summary) if len(n.lstrip("-0.")) > 8]
            for series in case.group["input_series"]:
                long += [n for n in _NUMBER.findall(series["values"]) if len(n.lstrip("-0.")) > 8]
    assert not long, long
