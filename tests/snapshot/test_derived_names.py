"""Derived item names are known from the rules alone, and derivation gives exactly those.

Live mode names its items at collection, before deriving; snapshot mode names
them from what derivation wrote. The repository's generated files are the
record of what derivation gave: each alert's groups and recorded gaps must be
the items planned for it, no more and no fewer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.derive.engine import choose_evaluation_interval
from promrules.files.alerts import load_alerts
from promrules.files.model import load_test_file
from promrules.pytest_plugin.derived_items import rule_labels
from promrules.snapshot import read_header
from promrules.snapshot.naming import condition_numbers, item_name, planned_alert

GENERATED = Path(__file__).resolve().parent.parent.parent / "rule_tests" / "generated"


@pytest.mark.parametrize("generated", sorted(GENERATED.glob("*_test.yml")), ids=lambda p: p.name)
def test_planned_items_are_the_generated_files_items(generated: Path) -> None:
    header = read_header(generated)
    assert header is not None
    rules = load_alerts((generated.parent / header.source).resolve())
    interval = choose_evaluation_interval(rules)
    made: dict[str, set[str]] = {}
    for group in load_test_file(generated).groups:
        alert, item = (group.name or "").split(": ", 1)
        made.setdefault(alert, set()).add(item)
    for gap in header.gaps:
        made.setdefault(gap.alert, set()).add(gap.item)
    for rule, label in zip(rules, rule_labels(rules), strict=True):
        siblings = [r for r in rules if r.name == rule.name and r is not rule]
        planned = {item.name for item in planned_alert(rule, interval, siblings).items}
        assert made.get(label, set()) == planned, label


def test_conditions_are_numbered_in_expression_order_whatever_their_thresholds() -> None:
    assert condition_numbers("a > 5 and b < 3") == {"a > 5": 1, "b < 3": 2}
    assert condition_numbers("a > 6 and b < 2") == {"a > 6": 1, "b < 2": 2}
    assert item_name("beyond", 2, several=True) == "fires-after-for[cond2]"
    assert item_name("beyond", 1, several=False) == "fires-after-for"
    assert item_name(None, None, several=True) == "derive"
