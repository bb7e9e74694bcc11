"""Changing a threshold, an operator or a duration in the rules makes derived cases fail."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from promrules.derive import AlertDerivation, derive_rule_file, derive_rule_files
from promrules.derive.conditions import Condition, find_conditions
from promrules.derive.promql import parse, replace
from promrules.derive.solve import step_for
from promrules.derive.verify import verify
from promrules.files.alerts import load_alerts
from promrules.promtool.binary import Promtool
from tests.derive_support import RULES

# (description, text in the rule file, replacement, alert whose cases must fail)
MUTANTS = [
    ("gauge threshold up", "queue_depth > 90", "queue_depth > 91", "GaugeHigh"),
    ("gauge threshold down", "queue_depth > 90", "queue_depth > 89", "GaugeHigh"),
    ("strict becomes inclusive", "queue_depth > 90", "queue_depth >= 90", "GaugeHigh"),
    (
        "inclusive becomes strict",
        "battery_percent <= 20",
        "battery_percent < 20",
        "GaugeLowInclusive",
    ),
    (
        "longer for:",
        "for: 2m\n        labels: {severity: warning}",
        "for: 3m\n        labels: {severity: warning}",
        "GaugeHigh",
    ),
    ("equality value", 'up{job="api"} == 0', 'up{job="api"} == 1', "TargetDown"),
    ("rate threshold", "[5m]) > 0.05", "[5m]) > 0.06", "ErrorRate"),
    ("ratio threshold", "* 100 > 5", "* 100 > 6", "ErrorRatioPercent"),
    ("quantile threshold", "[5m]))) > 0.5", "[5m]))) > 0.4", "SlowRequests"),
    ("age threshold", "> 3600", "> 7200", "StaleBackup"),
    ("changes threshold", "[15m]) > 0", "[15m]) > 1", "ProcessRestarted"),
    ("offset jump", "offset 1h) > 5", "offset 1h) > 4", "JumpSinceAnHourAgo"),
    ("second threshold of an and", "cpu_busy_ratio > 0.9", "cpu_busy_ratio > 0.95", "HotAndBusy"),
    ("keep_firing_for", "keep_firing_for: 3m", "keep_firing_for: 2m", "KeepsFiring"),
]


@pytest.fixture(scope="module")
def derived(promtool: Promtool, tmp_path_factory: pytest.TempPathFactory) -> list[AlertDerivation]:
    folder = tmp_path_factory.mktemp("derive-original")
    rules = folder / "rules.yml"
    shutil.copy(RULES, rules)
    return derive_rule_file(rules, promtool)


@pytest.mark.parametrize(
    ("description", "old", "new", "alert"), MUTANTS, ids=[m[0] for m in MUTANTS]
)
def test_a_changed_rule_fails_its_derived_cases(
    promtool: Promtool,
    derived: list[AlertDerivation],
    tmp_path: Path,
    description: str,
    old: str,
    new: str,
    alert: str,
) -> None:
    text = RULES.read_text()
    assert text.count(old) == 1, f"the mutant {description!r} must change exactly one place"
    mutated = tmp_path / "rules.yml"
    mutated.write_text(text.replace(old, new))
    mine = [d for d in derived if d.alert == alert]
    failing = verify(promtool, [(mutated, mine)])
    failing_alerts = {name.split(":")[0] for _path, name in failing}
    assert alert in failing_alerts, f"no derived case of {alert} notices: {description}"


def test_the_unchanged_rules_pass(
    promtool: Promtool, derived: list[AlertDerivation], tmp_path: Path
) -> None:
    copy = tmp_path / "rules.yml"
    shutil.copy(RULES, copy)
    assert verify(promtool, [(copy, derived)]) == {}


REPO_RULES = sorted((Path(__file__).resolve().parent.parent.parent / "rules").glob("*.yml"))


# Signals that only take whole numbers: a threshold moved by less than 1 may change nothing.
_WHOLE_NUMBER = re.compile(r"^\s*(changes|resets|count)\s*\(")


def _threshold_mutants(path: Path) -> list[tuple[str, Condition, float]]:
    """(alert, condition, step) for every threshold condition derivation puts under test."""
    found = []
    for rule in load_alerts(path):
        for condition in find_conditions(parse(rule.expr)):
            if condition.kind == "threshold" and condition.testable:
                assert condition.threshold is not None
                step = step_for(condition.threshold, condition.op)
                if _WHOLE_NUMBER.search(condition.signal):
                    step = max(step, 1.0)  # `changes(x) > 0.02` is `changes(x) > 0`
                found.append((rule.name, condition, step))
    return found


def _moved(condition: Condition, value: float) -> str:
    """The comparison as PromQL with its threshold replaced by `value`."""
    op = condition.op
    return f"({condition.signal}) {op} {value!r}"


def _with_threshold(path: Path, alert: str, condition: Condition, value: float, out: Path) -> None:
    """A copy of the rule file with one condition's threshold replaced."""
    document = yaml.safe_load(path.read_text())
    for group in document["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == alert:
                root = parse(rule["expr"])
                new = parse(_moved(condition, value))
                rule["expr"] = replace(root, condition.index, lambda _node, n=new: n)
    out.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.slow
@pytest.mark.skipif(not REPO_RULES, reason="the repository has no rules/*.yml yet")
def test_moving_any_threshold_of_the_repo_rules_fails_a_derived_case(
    promtool: Promtool, tmp_path: Path
) -> None:
    """Each threshold under test, moved by two steps either way, is noticed by its cases."""
    derived = derive_rule_files(REPO_RULES, promtool)
    unnoticed = []
    for path in REPO_RULES:
        by_alert = {d.alert: d for d in derived[path]}
        for alert, condition, step in _threshold_mutants(path):
            derivation = by_alert[alert]
            mine = [c for c in derivation.cases if c.condition == condition.label]
            if not mine:
                continue  # nothing derived for it: the derivation says why
            assert condition.threshold is not None
            for value in (condition.threshold - 2 * step, condition.threshold + 2 * step):
                copy = tmp_path / path.name
                _with_threshold(path, alert, condition, value, copy)
                if not verify(promtool, [(copy, [derivation])]):
                    unnoticed.append(f"{path.name}: {alert}: {condition.label} -> {value!r}")
    assert not unnoticed, "\n".join(unnoticed)
