"""This repository's own rules: every alert is fully derived, and every case passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.derive import derive_rule_files
from promrules.derive.verify import verify
from promrules.files.model import load_rule_file
from promrules.promtool.binary import Promtool

RULES = sorted((Path(__file__).resolve().parent.parent.parent / "rules").glob("*.yml"))


@pytest.mark.slow
@pytest.mark.skipif(not RULES, reason="the repository has no rules/*.yml yet")
def test_every_alert_is_derived_or_says_why_and_every_case_passes(promtool: Promtool) -> None:
    derived = derive_rule_files(RULES, promtool)
    for path in RULES:
        names = [name for name, _line in load_rule_file(path).alerts]
        assert [d.alert for d in derived[path]] == names, f"{path.name}: an alert went missing"
        for derivation in derived[path]:
            assert derivation.cases or derivation.not_derived, derivation.alert
            for gap in derivation.not_derived:
                assert gap.reason, f"{derivation.alert}: a gap without a reason"
    incomplete = [
        f"{d.alert}: " + "; ".join(g.render() for g in d.failures)
        for ds in derived.values()
        for d in ds
        if not d.complete
    ]
    assert not incomplete, "every seed alert must be fully derived:\n" + "\n".join(incomplete)
    failing = verify(promtool, list(derived.items()))
    assert not failing, "\n\n".join(f"{name}:\n{text}" for (_p, name), text in failing.items())
