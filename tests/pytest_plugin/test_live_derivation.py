"""Live mode derives when items run, once per rule file, and keeps it in pytest's cache.

Real promtool behind a wrapper that logs, for every derivation run, the
metric its probes read and the pytest process that asked: so the log says
which rule file was derived, by whom, and when (next to the items that ran).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.derive import Progress
from promrules.promtool.binary import Promtool

# Each derivation file (`promrules-derive-*/caseN.yml`) names the metric it probes.
WRAPPER = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    *promrules-derive-*) echo "derive $PPID $(grep -o '[a-z]*_value' "$arg" | head -1)" >> {log} ;;
  esac
done
exec {promtool} "$@"
"""

# Items write to the same log when they have run, so order can be read from it.
CONFTEST = """
def pytest_runtest_logreport(report):
    if report.when == "call":
        with open({log!r}, "a") as log:
            log.write(f"ran {{report.nodeid}}\\n")
"""


def _rules(metric: str, threshold: int = 90) -> str:
    return f"""\
groups:
  - name: {metric}
    rules:
      - alert: {metric.title().replace("_", "")}High
        expr: {metric} > {threshold} and {metric}_ok == 1
        for: 2m
"""


@pytest.fixture
def log(pytester: pytest.Pytester, promtool_env: Promtool, monkeypatch: pytest.MonkeyPatch) -> Path:
    """rules/a.yml (alpha_value) and rules/b.yml (beta_value), no tests; promtool logged."""
    rules = pytester.mkdir("rules")
    (rules / "a.yml").write_text(_rules("alpha_value"))
    (rules / "b.yml").write_text(_rules("beta_value"))
    path = pytester.path / "promtool.log"
    path.write_text("")
    wrapper = pytester.path / "logging-promtool"
    wrapper.write_text(WRAPPER.format(log=path, promtool=promtool_env.path))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PROMTOOL", str(wrapper))
    pytester.makeconftest(CONFTEST.format(log=str(path)))
    return path


def _derived(log: Path) -> dict[str, set[str]]:
    """Per metric (rule file), the pytest processes that derived it."""
    found: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        if line.startswith("derive "):
            _, pid, metric = [*line.split(), ""][:3]
            found.setdefault(metric, set()).add(pid)
    return found


def test_collect_only_names_every_item_without_deriving(
    pytester: pytest.Pytester, log: Path
) -> None:
    result = pytester.runpytest("--co", "-q")
    result.stdout.fnmatch_lines(
        [
            "rules/a.yml::AlphaValueHigh::fires-after-for[cond1]",
            "rules/a.yml::AlphaValueHigh::quiet-short-of-threshold[cond1]",
            "rules/a.yml::AlphaValueHigh::fires-after-for[cond2]",
        ]
    )
    assert _derived(log) == {}, log.read_text()


def test_ids_name_conditions_by_number_and_survive_a_threshold_edit(
    pytester: pytest.Pytester, log: Path
) -> None:
    before = pytester.runpytest("--co", "-q").stdout.lines
    (pytester.path / "rules" / "a.yml").write_text(_rules("alpha_value", threshold=85))
    after = pytester.runpytest("--co", "-q").stdout.lines
    ids = [line for line in before if "::" in line]
    assert ids and not any("alpha_value" in line for line in ids), ids
    assert ids == [line for line in after if "::" in line]


def test_a_second_run_with_the_same_rules_derives_nothing(
    pytester: pytest.Pytester, log: Path
) -> None:
    first = pytester.runpytest("-p", "no:randomly")
    first.assert_outcomes(passed=2 + 8 + 8)  # 2 checks, 4 cases for each of 2 conditions x 2
    assert set(_derived(log)) == {"alpha_value", "beta_value"}
    log.write_text("")
    second = pytester.runpytest("-p", "no:randomly")
    assert second.parseoutcomes() == first.parseoutcomes()
    assert _derived(log) == {}, "unchanged rules were derived again"

    (pytester.path / "rules" / "b.yml").write_text(_rules("beta_value", threshold=80))
    pytester.runpytest("-p", "no:randomly")
    assert set(_derived(log)) == {"beta_value"}, "only the changed file is derived again"


def test_items_run_before_the_later_rule_files_are_derived(
    pytester: pytest.Pytester, log: Path
) -> None:
    """The first results come after one rule file's derivation, not after all of them."""
    pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    lines = log.read_text().splitlines()
    first_ran = next(n for n, line in enumerate(lines) if line.startswith("ran rules/a.yml::Alpha"))
    first_beta = next(n for n, line in enumerate(lines) if line.endswith(" beta_value"))
    assert first_ran < first_beta, lines


def test_xdist_workers_do_not_derive_a_rule_file_twice(
    pytester: pytest.Pytester, log: Path
) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist is a dev extra")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=18)
    derived = _derived(log)
    assert set(derived) == {"alpha_value", "beta_value"}
    assert all(len(pids) == 1 for pids in derived.values()), derived


def test_progress_counts_the_sessions_alerts_across_rule_files() -> None:
    shown: list[str] = []
    progress = Progress(rewrite=shown.append, done_before=3, overall=10)
    progress.start([(1, Path("rules/b.yml")), (2, Path("rules/b.yml"))])
    progress.round_done({2})
    progress.finish()
    assert shown[0] == "promrules: deriving alerts 3/10, rules/b.yml"
    assert progress.line() == "promrules: deriving alerts 5/10"
