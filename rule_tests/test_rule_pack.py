"""The shipped rule pack matches the seed: 30 alerts, their files, severities and labels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from promrules.files.model import RuleFile

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
EXPECTED_FILES = {"test_watcher.yml": 7, "audit_agent.yml": 7, "api.yml": 8, "system.yml": 8}
EXPECTED_SEVERITIES = {"critical": 9, "warning": 16, "info": 5}
REQUIRED_ANNOTATIONS = {"summary", "description", "runbook_url"}


def alert_rules() -> list[tuple[str, dict[str, object]]]:
    rules = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules += [(path.name, rule) for rule in group["rules"] if "alert" in rule]
    return rules


def test_each_file_has_its_alerts(rule_pack: dict[str, RuleFile]) -> None:
    assert {name: len(f.alerts) for name, f in rule_pack.items()} == EXPECTED_FILES


def test_severities_are_as_in_the_seed_rule_lists() -> None:
    counts = Counter(str(rule["labels"]["severity"]) for _file, rule in alert_rules())  # type: ignore[index]
    assert dict(counts) == EXPECTED_SEVERITIES


def test_alert_names_are_unique() -> None:
    names = [rule["alert"] for _file, rule in alert_rules()]
    assert len(names) == len(set(names)) == 30


@pytest.mark.parametrize(
    ("file", "rule"),
    alert_rules(),
    ids=lambda v: str(v.get("alert", v)) if isinstance(v, dict) else v,
)
def test_every_alert_has_labels_and_annotations(file: str, rule: dict[str, object]) -> None:
    labels = rule.get("labels") or {}
    annotations = rule.get("annotations") or {}
    assert isinstance(labels, dict) and isinstance(annotations, dict)
    assert labels.get("component") == file.removesuffix(".yml")
    assert set(annotations) >= REQUIRED_ANNOTATIONS
    assert "$value" in str(annotations["description"]), "description must show the value"
    anchor = str(rule["alert"]).lower()
    assert str(annotations["runbook_url"]).endswith(f"docs/runbook.md#{anchor}")
