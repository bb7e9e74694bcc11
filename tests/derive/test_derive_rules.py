"""Derived cases exist for every pattern, and bare promtool passes every one of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from promrules.derive import AlertDerivation, derive_rule_file, write_test_file
from promrules.derive.verify import verify
from promrules.promtool.binary import Promtool
from tests.derive_support import ALERTS, RULES, by_name


@pytest.fixture(scope="module")
def derived(
    promtool: Promtool, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[AlertDerivation]]:
    folder = tmp_path_factory.mktemp("derive")
    rules = folder / "rules.yml"
    shutil.copy(RULES, rules)
    return rules, derive_rule_file(rules, promtool)


def test_every_alert_of_the_file_is_reported(derived: tuple[Path, list[AlertDerivation]]) -> None:
    _rules, derivations = derived
    assert [d.alert for d in derivations] == list(ALERTS)


@pytest.mark.parametrize("alert", list(ALERTS), ids=list(ALERTS))
def test_every_applicable_case_is_derived(
    derived: tuple[Path, list[AlertDerivation]], alert: str
) -> None:
    """Each pattern (see ALERTS for what it exercises) gets all its cases."""
    derivation = by_name(derived[1])[alert]
    assert derivation.complete, "\n".join(g.render() for g in derivation.failures)
    kinds = {case.kind for case in derivation.cases}
    assert {"beyond", "clears"} <= kinds
    for gap in derivation.not_derived:
        assert not gap.applies and gap.reason


@pytest.mark.slow
def test_bare_promtool_passes_every_derived_case(
    promtool: Promtool, derived: tuple[Path, list[AlertDerivation]]
) -> None:
    rules, derivations = derived
    out = rules.parent / "rules_test.yml"
    write_test_file(derivations, rules, out)
    run = promtool.test_rules(out, cwd=out.parent)
    assert run.returncode == 0, run.output[-4000:]
    assert verify(promtool, [(rules, derivations)]) == {}


def test_cases_assert_pending_then_firing_exactly_for_later(
    derived: tuple[Path, list[AlertDerivation]],
) -> None:
    """GaugeHigh (for: 2m): pending at the first true tick, quiet one tick before firing."""
    beyond = next(c for c in by_name(derived[1])["GaugeHigh"].cases if c.kind == "beyond")
    pending = next(t for t in beyond.group["promql_expr_test"] if "pending" in t["expr"])
    alerts = beyond.group["alert_rule_test"]
    firing = [a for a in alerts if a["exp_alerts"]]
    quiet = [a for a in alerts if not a["exp_alerts"]]
    assert len(firing) == 1 and len(quiet) == 1
    to_s = {"s": 1, "m": 60, "h": 3600}

    def seconds(text: str) -> int:
        return int(text[:-1]) * to_s[text[-1]] if not text.endswith("0s") else 0

    assert seconds(firing[0]["eval_time"]) - seconds(pending["eval_time"]) == 120
    assert seconds(firing[0]["eval_time"]) - seconds(quiet[0]["eval_time"]) == 60
    assert firing[0]["exp_alerts"][0]["exp_labels"]["severity"] == "warning"
    assert firing[0]["exp_alerts"][0]["exp_annotations"]["summary"] == "queue at 90.1"


def test_exact_case_follows_the_operator(derived: tuple[Path, list[AlertDerivation]]) -> None:
    """`>` does not fire exactly on the threshold; `<=` does."""
    found = by_name(derived[1])
    strict = next(c for c in found["GaugeHigh"].cases if c.kind == "exact")
    inclusive = next(c for c in found["GaugeLowInclusive"].cases if c.kind == "exact")
    assert not any(a["exp_alerts"] for a in strict.group["alert_rule_test"])
    assert any(a["exp_alerts"] for a in inclusive.group["alert_rule_test"])


def test_keep_firing_for_holds_the_alert_after_it_clears(
    derived: tuple[Path, list[AlertDerivation]],
) -> None:
    clears = next(c for c in by_name(derived[1])["KeepsFiring"].cases if c.kind == "clears")
    firing = [a for a in clears.group["alert_rule_test"] if a["exp_alerts"]]
    assert len(firing) == 2, "firing when it clears, and still just before keep_firing_for ends"


def test_several_thresholds_each_get_their_own_cases(
    derived: tuple[Path, list[AlertDerivation]],
) -> None:
    conditions = {c.condition for c in by_name(derived[1])["HotAndBusy"].cases}
    assert conditions == {"cpu_temp_celsius > 80", "cpu_busy_ratio > 0.9", "fan_failed == 1"}


def test_count_varies_the_label_the_inner_aggregation_groups_by(
    derived: tuple[Path, list[AlertDerivation]],
) -> None:
    """count(count by (version) (x)) > 1 needs two versions, not two copies of one."""
    beyond = next(c for c in by_name(derived[1])["VersionsDiffer"].cases if c.kind == "beyond")
    names = [s["series"] for s in beyond.group["input_series"]]
    assert len(names) == 2, names
    assert 'version="' in names[1] and "promrules_copy" not in names[1], names
