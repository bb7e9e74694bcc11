"""Mutation testing: minimal mutants in temporary copies, a score, and a clean stop."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from promrules.cli import command as cli
from promrules.mutate import (
    OPERATORS,
    Mutant,
    MutateError,
    MutationReport,
    MutationRun,
    Outcome,
    discover,
    mutants,
    nudged,
    run_mutants,
)
from promrules.mutate.steps import number_text
from promrules.mutate.yamltext import Edit
from promrules.promtool.binary import Promtool

REPO = Path(__file__).resolve().parent.parent.parent

RULES = """\
# Demo rules: this comment, the quoting and the layout must survive every mutant.
groups:
  - name: demo
    interval: 1m
    rules:
      - alert: HighValue
        expr: demo_value{job="demo"} > 90
        for: 2m  # two evaluations
        labels:
          severity: critical
        annotations:
          summary: "value is {{ $value }}"
"""

# Kills every mutant of RULES: one step beyond the threshold, exactly at it,
# one evaluation before `for:` has elapsed, and another job's series.
STRONG_TEST = """\
rule_files: [../rules/demo.yml]
evaluation_interval: 1m
tests:
  - name: fires-one-step-above
    interval: 1m
    input_series:
      - series: 'demo_value{job="demo"}'
        values: "91x10"
    alert_rule_test:
      - {eval_time: 1m, alertname: HighValue, exp_alerts: []}
      - eval_time: 2m
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical, job: demo}
            exp_annotations: {summary: "value is 91"}
  - name: quiet-at-the-threshold
    interval: 1m
    input_series:
      - series: 'demo_value{job="demo"}'
        values: "90x10"
      - series: 'demo_value{job="other"}'
        values: "95x10"
    alert_rule_test:
      - {eval_time: 5m, alertname: HighValue, exp_alerts: []}
"""

# Far from the threshold: the `for` and severity mutants die, the others live.
WEAK_TEST = """\
rule_files: [../rules/demo.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'demo_value{job="demo"}'
        values: "100x10"
    alert_rule_test:
      - {eval_time: 1m, alertname: HighValue, exp_alerts: []}
      - eval_time: 2m
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical, job: demo}
            exp_annotations: {summary: "value is 100"}
"""


def make_project(root: Path, test: str, rules: str = RULES) -> Path:
    (root / "rules").mkdir(parents=True)
    (root / "rule_tests").mkdir()
    (root / "rules" / "demo.yml").write_text(rules)
    (root / "rule_tests" / "demo_test.yml").write_text(test)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("value", "up", "down", "why"),
    [
        (90, "91", "89", "integers of 10 and more move by 1"),
        (600, "601", "599", "also when their second digit is a zero"),
        (0.1, "0.11", "0.09", "one digit: a tenth of its place"),
        (0.05, "0.051", "0.049", "small fractions the same"),
        (69.9, "70", "69.8", "the last written digit when finer"),
        (5, "5.1", "4.9", "single digits: a tenth"),
        (0, "1", "-1", "zero has no magnitude: 1"),
        (-5, "-4.9", "-5.1", "negative thresholds by their size"),
    ],
)
def test_a_threshold_is_nudged_by_its_smallest_step(
    value: float, up: str, down: str, why: str
) -> None:
    steps = nudged(value)
    assert steps is not None, why
    assert (number_text(steps[0]), number_text(steps[1])) == (up, down), why


TRICKY_RULES = """\
groups:
  - name: tricky
    interval: 30s
    rules:
      # A block expression with a comment above it.
      - alert: Block
        expr: |
          sum by (job) (rate(errors_total{job="api", code=~"5.."}[5m]))
            > 500 * 1024
        for: 1m
        labels:
          severity: warning
      - alert: Quoted
        expr: "demo_value{job=\\"demo\\"} <= 0.05"
        keep_firing_for: 5m
        labels: {severity: info}
      - expr: demo_value > 1
        alert: KeyOrder
"""

TRICKY_MUTANTS = [
    ("Block", "threshold", "> 500 * 1024 -> > 501 * 1024"),
    ("Block", "threshold", "> 500 * 1024 -> > 499 * 1024"),
    ("Block", "comparison", "> 500 * 1024 -> >= 500 * 1024"),
    ("Block", "for", "for: 1m -> 1m30s"),
    ("Block", "for", "for: 1m -> 30s"),
    ("Block", "for", "for: 1m removed"),
    ("Block", "severity", "severity: warning -> critical"),
    ("Block", "matcher", 'dropped job="api" from errors_total'),
    ("Block", "matcher", 'dropped code=~"5.." from errors_total'),
    ("Quoted", "threshold", 'demo_value{job="demo"} <= 0.05 -> <= 0.051'),
    ("Quoted", "threshold", 'demo_value{job="demo"} <= 0.05 -> <= 0.049'),
    ("Quoted", "comparison", 'demo_value{job="demo"} <= 0.05 -> < 0.05'),
    ("Quoted", "for", "for: 30s added"),
    ("Quoted", "keep-firing-for", "keep_firing_for: 5m -> 5m30s"),
    ("Quoted", "keep-firing-for", "keep_firing_for: 5m -> 4m30s"),
    ("Quoted", "keep-firing-for", "keep_firing_for: 5m removed"),
    ("Quoted", "severity", "severity: info -> warning"),
    ("Quoted", "matcher", 'dropped job="demo" from demo_value'),
    ("KeyOrder", "threshold", "demo_value > 1 -> > 1.1"),
    ("KeyOrder", "threshold", "demo_value > 1 -> > 0.9"),
    ("KeyOrder", "comparison", "demo_value > 1 -> >= 1"),
    ("KeyOrder", "for", "for: 30s added"),
]


def test_every_operator_places_minimal_edits_in_any_yaml_style(tmp_path: Path) -> None:
    make_project(tmp_path, STRONG_TEST, rules=TRICKY_RULES)
    found = mutants(discover(tmp_path / "rules", tmp_path / "rule_tests"))
    assert sorted((m.alert, m.operator, m.description) for m in found) == sorted(TRICKY_MUTANTS)
    for mutant in found:
        assert mutant.edit is not None, mutant
        changed = mutant.edit.apply(TRICKY_RULES)
        diff = [
            line
            for line in difflib.ndiff(TRICKY_RULES.splitlines(), changed.splitlines())
            if line[:1] in "+-"
        ]
        assert len(diff) <= 2, (mutant.description, diff)  # one line changed, added or gone
        yaml.safe_load(changed)


def test_mutated_expressions_read_as_described(tmp_path: Path) -> None:
    make_project(tmp_path, STRONG_TEST, rules=TRICKY_RULES)
    found = mutants(discover(tmp_path / "rules", tmp_path / "rule_tests"), ["threshold"])
    block = [m for m in found if m.alert == "Block"]
    assert block[0].edit is not None
    rules = yaml.safe_load(block[0].edit.apply(TRICKY_RULES))["groups"][0]["rules"]
    assert rules[0]["expr"].split() == [
        "sum", "by", "(job)", "(rate(errors_total{job=\"api\",", 'code=~"5.."}[5m]))',
        ">", "501", "*", "1024",
    ]  # fmt: skip
    assert block[0].line == 9


def test_a_strong_suite_kills_every_mutant(tmp_path: Path, promtool: Promtool) -> None:
    project = make_project(tmp_path / "project", STRONG_TEST)
    before = snapshot(project)
    suite = discover(project / "rules", project / "rule_tests")
    run = run_mutants(promtool, suite, mutants(suite), workers=2)
    report = MutationReport(run, list(OPERATORS))
    assert [(o.mutant.description, o.status) for o in run.outcomes if o.status != "killed"] == []
    assert report.score == 100.0
    assert len(run.outcomes) == 8
    killers = {o.mutant.description: o.detail for o in run.outcomes}
    assert killers["for: 2m -> 3m"] == "rule_tests/demo_test.yml (fires-one-step-above)"
    assert killers['demo_value{job="demo"} > 90 -> > 89'] == (
        "rule_tests/demo_test.yml (quiet-at-the-threshold)"
    )
    assert snapshot(project) == before


def test_rules_edited_while_a_run_starts_stop_it(tmp_path: Path, promtool: Promtool) -> None:
    project = make_project(tmp_path, STRONG_TEST)
    suite = discover(project / "rules", project / "rule_tests")
    found = mutants(suite)
    (project / "rules" / "demo.yml").write_text(RULES.replace("> 90", "> 80"))
    with pytest.raises(MutateError, match=r"rules/demo.yml changed while the mutation run"):
        run_mutants(promtool, suite, found)
    with pytest.raises(MutateError, match=r"rules/demo.yml changed while the mutation run"):
        mutants(suite)


def test_a_weak_suite_reports_the_survivors_per_alert(
    tmp_path: Path, promtool: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, WEAK_TEST)
    code = cli.main(
        ["--promtool", promtool.path, "mutate", "--rules", f"{project}/rules",
         "--tests", f"{project}/rule_tests", "--fail-under", "100"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    table = "  HighValue  0/2        0/1         3/3    -                1/1       0/1"
    assert table in out.splitlines()
    assert 'rules/demo.yml:7  HighValue  threshold: demo_value{job="demo"} > 90 -> > 91' in out
    assert "Mutation score: 4/8 killed (50.0%), 4 survived, 0 errors" in out
    assert "  threshold        0/2  0.0%" in out.splitlines()
    assert "  for              3/3  100.0%" in out.splitlines()
    assert "  keep-firing-for  0/0  -" in out.splitlines()
    assert "FAIL: mutation score 50.0% is under --fail-under=100" in out


def test_fail_under_passes_when_the_score_reaches_it(
    tmp_path: Path, promtool: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, WEAK_TEST)
    argv = ["--promtool", promtool.path, "mutate", "--operators", "for,severity"]
    argv += ["--rules", f"{project}/rules", "--tests", f"{project}/rule_tests"]
    assert cli.main([*argv, "--fail-under", "100"]) == 0
    assert "Mutation score: 4/4 killed (100.0%)" in capsys.readouterr().out


def test_a_suite_that_fails_unmutated_is_an_error(
    tmp_path: Path, promtool: Promtool, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, WEAK_TEST.replace("value is 100", "value is 99"))
    argv = ["--promtool", promtool.path, "mutate", "--rules", f"{project}/rules"]
    assert cli.main([*argv, "--tests", f"{project}/rule_tests"]) == 2
    err = capsys.readouterr().err
    assert "the test suite does not pass without mutants: rule_tests/demo_test.yml:\n" in err
    assert "alertname: HighValue, time: 2m" in err


@pytest.mark.slow
def test_python_tests_can_kill_what_promtool_tests_miss(tmp_path: Path, promtool: Promtool) -> None:
    project = make_project(tmp_path, WEAK_TEST)
    (project / "rule_tests" / "test_threshold.py").write_text(
        "from pathlib import Path\n\n"
        "def test_the_threshold_is_90():\n"
        "    rules = Path(__file__).parent.parent / 'rules' / 'demo.yml'\n"
        "    assert '> 90' in rules.read_text()\n"
    )
    suite = discover(project / "rules", project / "rule_tests")
    chosen = mutants(suite, ["threshold", "matcher"])
    without = run_mutants(promtool, suite, chosen)
    with_python = run_mutants(promtool, suite, chosen, python=True)
    assert [o.status for o in without.outcomes] == ["survived"] * 3
    assert [o.status for o in with_python.outcomes] == ["killed", "killed", "survived"]
    assert with_python.outcomes[0].detail == "the Python tests"


def test_only_test_files_that_load_the_rule_file_run(tmp_path: Path) -> None:
    project = make_project(tmp_path, STRONG_TEST)
    (project / "rules" / "other.yml").write_text(RULES.replace("HighValue", "Other"))
    other = STRONG_TEST.replace("demo.yml", "other.yml").replace("HighValue", "Other")
    (project / "rule_tests" / "other_test.yml").write_text(other)
    suite = discover(project / "rules", project / "rule_tests")
    loaders = {suite.shown(r).as_posix(): [suite.shown(t).as_posix() for t in ts]
               for r, ts in suite.loaders.items()}  # fmt: skip
    assert loaders == {
        "rules/demo.yml": ["rule_tests/demo_test.yml"],
        "rules/other.yml": ["rule_tests/other_test.yml"],
    }


def test_an_absolute_rule_files_path_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path, STRONG_TEST)
    absolute = STRONG_TEST.replace("../rules/demo.yml", str(project / "rules" / "demo.yml"))
    (project / "rule_tests" / "demo_test.yml").write_text(absolute)
    with pytest.raises(MutateError, match=r"demo_test.yml:1: .* absolute path"):
        discover(project / "rules", project / "rule_tests")


def test_every_operator_has_a_docs_page_and_every_page_an_operator() -> None:
    pages = {p.stem for p in (REPO / "docs" / "mutate").glob("*.md")}
    assert pages == set(OPERATORS)


# Twelve hours of one-second evaluations keep each promtool run busy for seconds.
SLOW_TEST = """\
rule_files: [../rules/demo.yml]
evaluation_interval: 1s
tests:
  - interval: 10s
    input_series:
      - series: 'demo_value{job="demo"}'
        values: "95x5000"
    alert_rule_test:
      - eval_time: 12h
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical, job: demo}
            exp_annotations: {summary: "value is 95"}
"""


def mutant_processes(scratch: Path) -> list[str]:
    """Processes whose command line names a mutant's copy under `scratch`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes()
            if f"{scratch}/promrules-mutate-".encode() in line and b"/mutant-" in line:
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


def git_status(repo: Path) -> str:
    """Everything git would report, untracked and ignored files included."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    argv = ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"]
    return subprocess.run(
        argv, cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout


def commit_all(repo: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=promrules", "-c", "user.email=promrules@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "rules and tests"]):
        subprocess.run(["git", *identity, *args], cwd=repo, env=env, check=True)


@pytest.mark.slow
@pytest.mark.parametrize("python", [False, True], ids=["promtool-tests", "with-python-tests"])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_leaves_git_status_clean(
    tmp_path: Path, promtool: Promtool, stop: signal.Signals, python: bool
) -> None:
    """Stop `promrules mutate` while mutants run: no copy is left, and git sees no change.

    The project is a git repository; the run is stopped once a mutant's copy
    exists (so promtool processes are running), and then `git status` with
    untracked and ignored files must be empty, and every byte the same.
    """
    project = make_project(tmp_path / "project", SLOW_TEST)
    if python:
        (project / "rule_tests" / "test_slow.py").write_text("def test_nothing():\n    pass\n")
    commit_all(project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = snapshot(project)
    env = {**os.environ, "TMPDIR": str(scratch), "PROMTOOL": promtool.path}
    argv = [sys.executable, "-m", "promrules.cli.command", "mutate", "--workers", "2"]
    run = subprocess.Popen(
        [*argv, *(["--python"] if python else [])],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # The event to wait for: a process running on a mutant's copy (not just the copy).
    deadline = time.monotonic() + 600  # a bound for a broken run, not a speed assumption
    while not mutant_processes(scratch) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mutant_processes(scratch), "no mutant ever ran"
    run.send_signal(stop)
    output, _ = run.communicate(timeout=600)
    assert run.returncode == 130, output.decode()
    assert b"interrupted; no file was changed" in output
    assert b"Traceback" not in output
    assert list(scratch.iterdir()) == []
    assert git_status(project) == ""
    assert snapshot(project) == before


def test_mutants_that_could_not_be_placed_are_listed_but_not_scored() -> None:
    placed = Mutant("for", Path("rules/demo.yml"), "A", 3, "for: 2m -> 3m", Edit(0, 1, "x"))
    unplaced = Mutant("threshold", Path("rules/demo.yml"), "A", 2, "> 9 -> > 10", None, "no edit")
    run = MutationRun(
        (Outcome(placed, "killed", "t.yml"), Outcome(unplaced, "skipped", "no edit")), 1.0, 1, "3"
    )
    report = MutationReport(run, ["threshold", "for"])
    lines = list(report.lines())
    assert report.score == 100.0
    assert "Not placed (1):" in lines
    assert "  rules/demo.yml:2  A  threshold: > 9 -> > 10" in lines
    assert "  A      -          1/1" in lines


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("--fail-under=101", "--fail-under='101': give a percentage, 0 to 100"),
        ("--workers=0", "--workers='0': give a whole number, 1 or more"),
        ("--operators=threshold,typo", "--operators='threshold,typo': choose from threshold,"),
    ],
)
def test_bad_option_values_are_quoted_back(
    argument: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["mutate", argument])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
