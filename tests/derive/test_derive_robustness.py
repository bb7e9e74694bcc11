"""Derivation never crashes, never hangs and never loses the other alerts.

Issue 15.1/15.4 and the derive items of issue 18: a bug of ours, a `for:`
beyond the horizon, an alert past its time budget, alert names that need
quoting, alerting rules sharing a name, and `generate` on files it cannot use.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from promrules.cli import command as cli
from promrules.derive import Progress, derive_rule_files, engine
from promrules.derive.context import HORIZON_STEPS
from promrules.derive.verify import verify
from promrules.promtool.binary import Promtool


def _rules(tmp_path: Path, *rules: dict[str, Any]) -> Path:
    path = tmp_path / "rules.yml"
    text = json.dumps({"groups": [{"name": "g", "rules": list(rules)}]}, indent=1)
    path.write_text(text, "utf-8")
    return path


def _lines(path: Path, name: str) -> list[int]:
    """Where rules named `name` are (the line of the `{` opening each rule)."""
    lines = path.read_text("utf-8").splitlines()
    return [n for n, line in enumerate(lines, 1) if f'"alert": {json.dumps(name)}' in line]


def _alert(name: str, expr: str, **more: Any) -> dict[str, Any]:
    return {"alert": name, "expr": expr, **more}


def _derive(path: Path, promtool: Promtool, **options: Any) -> dict[str, Any]:
    return {d.label: d for d in derive_rule_files([path], promtool, **options)[path]}


@pytest.mark.parametrize("where", ["build_context", "build_cases"])
def test_a_bug_of_ours_costs_only_its_alert_and_names_its_line(
    where: str, promtool: Promtool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _rules(tmp_path, _alert("Broken", "x > 1"), _alert("Fine", "y > 1"))
    real = getattr(engine, where)

    def failing(ctx: Any, *args: Any) -> Any:
        rule = getattr(ctx, "rule", ctx)
        if rule.name == "Broken":
            raise RuntimeError("boom")
        return real(ctx, *args)

    monkeypatch.setattr(engine, where, failing)
    derived = _derive(path, promtool)
    [gap] = derived["Broken"].not_derived
    [line] = _lines(path, "Broken")
    assert gap.reason.startswith(f"promrules bug while deriving Broken ({path}:{line - 1}): ")
    assert "RuntimeError: boom" in gap.reason
    assert not derived["Broken"].cases
    assert derived["Fine"].complete


def test_a_for_beyond_the_horizon_is_refused_not_simulated(
    promtool: Promtool, tmp_path: Path
) -> None:
    path = _rules(tmp_path, _alert("Long", "x > 1", **{"for": "200y"}), _alert("Fine", "y > 1"))
    derived = _derive(path, promtool)
    [gap] = derived["Long"].not_derived
    assert gap.reason == (
        f"for: 200y is longer than the {HORIZON_STEPS}-step horizon "
        f"({HORIZON_STEPS} evaluations of 1m)"
    )
    assert derived["Fine"].complete


def test_an_alert_past_its_time_budget_is_stopped_with_the_budget_named(
    promtool: Promtool, tmp_path: Path
) -> None:
    path = _rules(tmp_path, _alert("Slow", "x > 1"))
    derived = _derive(path, promtool, budget_s=1e-9)
    [gap] = derived["Slow"].not_derived
    assert gap.reason == "took longer than 1e-09 s (the per-alert budget)"
    assert not derived["Slow"].cases


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_alerts_done_of_total_and_the_file_on_a_terminal(
    promtool: Promtool, tmp_path: Path
) -> None:
    path = _rules(tmp_path, _alert("A", "x > 1"), _alert("B", "y > 1"))
    shown = _Terminal()
    derive_rule_files([path], promtool, progress=Progress(shown, every_s=0))
    assert f"promrules: deriving alerts 0/2, {path}" in shown.getvalue()
    assert "promrules: deriving alerts 2/2" in shown.getvalue()


def test_no_progress_when_the_stream_is_no_terminal(promtool: Promtool, tmp_path: Path) -> None:
    shown = io.StringIO()
    derive_rule_files([_rules(tmp_path, _alert("A", "x > 1"))], promtool, progress=Progress(shown))
    assert shown.getvalue() == ""


def test_alert_names_with_quotes_unicode_and_spaces_are_quoted_in_promql(
    promtool: Promtool, tmp_path: Path
) -> None:
    name = 'Disk "root" fülls up now'
    path = _rules(tmp_path, _alert(name, "x > 1", **{"for": "2m"}))
    derived = derive_rule_files([path], promtool)
    assert derived[path][0].complete, [g.render() for g in derived[path][0].not_derived]
    assert verify(promtool, list(derived.items())) == {}


def test_alerting_rules_sharing_a_name_are_derived_per_rule(
    promtool: Promtool, tmp_path: Path
) -> None:
    path = _rules(
        tmp_path,
        _alert("Errors", "x > 5", **{"for": "2m", "labels": {"severity": "warning"}}),
        _alert("Errors", "x > 10", **{"for": "2m", "labels": {"severity": "critical"}}),
    )
    derived = derive_rule_files([path], promtool)
    first, second = derived[path]
    a, b = (line - 1 for line in _lines(path, "Errors"))
    assert (first.label, second.label) == (f"Errors (rules.yml:{a})", f"Errors (rules.yml:{b})")
    assert first.complete and second.complete
    names = [c.name for d in derived[path] for c in d.cases]
    assert len(names) == len(set(names)) == 8
    assert verify(promtool, list(derived.items())) == {}


def test_rules_sharing_a_name_that_no_label_tells_apart_are_not_derived(
    promtool: Promtool, tmp_path: Path
) -> None:
    path = _rules(tmp_path, _alert("Same", "x > 5"), _alert("Same", "x > 10"))
    for derivation in derive_rule_files([path], promtool)[path]:
        [gap] = derivation.not_derived
        assert "another alerting rule named Same" in gap.reason


def test_live_mode_gives_rules_sharing_a_name_their_own_nodes(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "r.yml").write_text(
        json.dumps(
            {
                "groups": [
                    {
                        "name": "g",
                        "rules": [
                            _alert("Errors", "x > 5", labels={"severity": "warning"}),
                            _alert("Errors", "x > 10", labels={"severity": "critical"}),
                        ],
                    }
                ]
            },
            indent=1,
        )
    )
    a, b = (line - 1 for line in _lines(pytester.path / "rules" / "r.yml", "Errors"))
    result = pytester.runpytest("-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(
        [
            f"rules/r.yml::Errors (r.yml:{a})::fires-after-for PASSED*",
            f"rules/r.yml::Errors (r.yml:{b})::fires-after-for PASSED*",
        ]
    )
    result.assert_outcomes(passed=9)
    # coverage counts each rule, not each name (was "alerts 1" for the two rules)
    result.stdout.fnmatch_lines(["rules/r.yml*2*2*2*100.0%"])
    assert f"r.yml:{a} " not in result.stdout.str().split("alert coverage")[-1]


def test_generate_refuses_invalid_promql_and_a_test_file(
    pytester: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    (pytester.path / "rules").mkdir()
    (pytester.path / "rules" / "bad.yml").write_text(
        json.dumps({"groups": [{"name": "g", "rules": [_alert("Bad", "rate(x[5m] > 1")]}]})
    )
    (pytester.path / "t_test.yml").write_text(json.dumps({"rule_files": [], "tests": []}))
    assert cli.main(["--promtool", promtool_env.path, "generate", "rules"]) == 1
    err = capsys.readouterr().out
    assert "rules/bad.yml: promtool check rules rejects it: " in err
    assert "could not parse expression" in err
    assert cli.main(["--promtool", promtool_env.path, "generate", "t_test.yml"]) == 1
    assert "t_test.yml: not a rule file (no `groups:` with `rules:`); not generated" in (
        capsys.readouterr().out
    )
    assert not (pytester.path / "rule_tests").exists()


def test_generate_names_a_rule_file_without_alerts_that_promtool_rejects(
    pytester: pytest.Pytester, promtool_env: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like promtool's own bad-rules-syntax.yml fixture: only a broken recording rule.

    Every other alert is still derived and listed; the exit code is 1 because a
    rule file that promtool rejects breaks every test that loads it.
    """
    rules = pytester.path / "rules"
    rules.mkdir()
    (rules / "bad.yml").write_text(
        json.dumps({"groups": [{"name": "g", "rules": [{"record": "x", "expr": "test +"}]}]})
    )
    (rules / "good.yml").write_text(
        json.dumps({"groups": [{"name": "g", "rules": [_alert("Fine", "y > 1")]}]})
    )
    assert cli.main(["--promtool", promtool_env.path, "generate", "rules"]) == 1
    out = capsys.readouterr().out
    assert "rules/bad.yml: promtool check rules rejects it: " in out
    assert "  Fine: derived (4 cases)" in out
    assert "1 rule file(s) could not be used (named above): nothing was generated" in out
    assert (pytester.path / "rule_tests" / "generated" / "good_test.yml").is_file()


def test_a_signal_that_never_goes_below_its_threshold_has_no_short_case(
    promtool: Promtool, tmp_path: Path
) -> None:
    """`(up == bool 0) > 0` reads 0 or 1: the threshold is as low as it goes (etcd's
    etcdMembersDown has this shape); the quiet cases sit exactly on it instead."""
    path = _rules(tmp_path, _alert("Down", "(up == bool 0) > 0", **{"for": "2m"}))
    derivation = _derive(path, promtool)["Down"]
    assert derivation.complete, [g.render() for g in derivation.not_derived]
    [short] = [g for g in derivation.not_derived if g.kind == "short"]
    assert not short.applies and "cannot go past the threshold" in short.reason
    assert {c.kind for c in derivation.cases} == {"beyond", "exact", "clears"}


def test_a_rate_at_most_zero_fires_on_the_threshold(promtool: Promtool, tmp_path: Path) -> None:
    """thanos' ThanosNoRuleEvaluations: `rate() <= 0` holds only at 0, nothing lies beyond;
    the at-threshold case fires and the clearing case starts from it."""
    expr = "sum(rate(evaluations_total[5m])) <= 0 and sum(loaded_rules) > 0"
    path = _rules(tmp_path, _alert("NoEvaluations", expr, **{"for": "5m"}))
    derivation = _derive(path, promtool)["NoEvaluations"]
    assert derivation.complete, [g.render() for g in derivation.not_derived]
    rate_cases = {c.kind for c in derivation.cases if "rate" in c.condition}
    assert rate_cases == {"short", "exact", "clears"}
    [beyond] = [g for g in derivation.not_derived if g.kind == "beyond" and "rate" in g.condition]
    assert not beyond.applies and "at-threshold case is the one that fires" in beyond.reason
