"""The committed generated tests are current and notice every threshold, operator and for: change.

Every threshold, operator and `for:` mutant that `promrules mutate` makes of
the seed rules is applied to a copy of its rule file; the copy's alert must
differ from the signature recorded in rule_tests/generated/, and the change
must be named the way a reviewer reads it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules import mutate
from promrules.files.alerts import load_alerts
from promrules.snapshot import AlertSignature, describe_changes, read_header, snapshot_path

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules"
GENERATED = REPO / "rule_tests" / "generated"
NAMED = {"threshold": "threshold ", "comparison": "operator ", "for": "for: "}


def _recorded(rule_file: Path) -> dict[str, AlertSignature]:
    header = read_header(snapshot_path(rule_file, [RULES], REPO, GENERATED))
    assert header is not None, f"{rule_file.name} has no generated file: run `promrules generate`"
    assert not header.problems, header.problems
    return header.signatures


@pytest.mark.parametrize("rule_file", sorted(RULES.glob("*.yml")), ids=lambda p: p.name)
def test_the_generated_file_matches_the_rules(rule_file: Path) -> None:
    recorded = _recorded(rule_file)
    current = {rule.name: AlertSignature.of(rule) for rule in load_alerts(rule_file)}
    assert list(recorded) == list(current), "alerts added, removed or reordered since generating"
    for name, signature in current.items():
        assert describe_changes(recorded[name], signature) == [], name


def test_every_threshold_operator_and_for_mutant_is_named(tmp_path: Path) -> None:
    suite = mutate.discover(RULES, REPO / "rule_tests")
    mutants = [m for m in mutate.mutants(suite, list(NAMED)) if m.edit is not None]
    assert len(mutants) >= 90, "expected a threshold, operator and for mutant per seed alert"
    for mutant in mutants:
        original = RULES / Path(mutant.path).name
        copy = tmp_path / original.name
        copy.write_text(mutant.edit.apply(original.read_text()))
        after = {rule.name: rule for rule in load_alerts(copy)}[mutant.alert]
        changes = describe_changes(_recorded(original)[mutant.alert], AlertSignature.of(after))
        assert any(c.startswith(NAMED[mutant.operator]) for c in changes), (
            f"{mutant.where} {mutant.description}: named as {changes}"
        )
