"""`promrules diff`: alert changes between git revisions, in the terms a reviewer asks about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promrules.cli import command as cli
from promrules.diff.changes import Change, DiffError, diff_alerts, read_alerts
from promrules.diff.render import markdown_lines, text_lines
from promrules.diff.revisions import diff_revisions
from promrules.promtool.binary import Promtool

GOLDEN = Path(__file__).parent.parent / "golden"

BASE = """\
groups:
  - name: demo
    interval: 1m
    rules:
      - alert: HighValue
        expr: demo_value > 90
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: value is high
      - alert: LowValue
        expr: demo_value < 10
        for: 5m
        labels: {severity: warning}
      - alert: OldName
        expr: up{job="demo"} == 0
        for: 1m
        labels: {severity: critical}
      - alert: Gone
        expr: absent(up{job="demo"})
        labels: {severity: info}
"""

HEAD = """\
groups:
  - name: demo
    interval: 1m
    rules:
      - alert: HighValue
        expr: demo_value > 85
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: value is too high
      - alert: LowValue
        expr: avg_over_time(demo_value[5m]) < 10
        for: 5m
        labels: {severity: warning}
      - alert: NewName
        expr: up{job="demo"}   ==   0
        for: 60s
        labels: {severity: critical}
      - alert: Added
        expr: demo_value > 1000
        keep_firing_for: 10m
        labels: {severity: critical}
"""


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=promrules", "-c", "user.email=promrules@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose first commit has BASE as rules/demo.yml."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "demo.yml").write_text(BASE)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "rules")
    git(tmp_path, "commit", "-q", "-m", "rules")
    return tmp_path


def commit(repo: Path, text: str) -> None:
    (repo / "rules" / "demo.yml").write_text(text)
    git(repo, "commit", "-q", "-a", "-m", "change")


def only_change(base: str, head: str) -> tuple[Change, ...]:
    old, _ = read_alerts({"rules/demo.yml": base}, "base")
    new, _ = read_alerts({"rules/demo.yml": head}, "head")
    found = diff_alerts(old, new)
    assert (found.added, found.removed, found.renamed) == ((), (), ())
    assert len(found.changed) == 1
    return found.changed[0][2]


def test_a_changed_threshold_says_when_the_alert_now_fires(repo: Path) -> None:
    commit(repo, BASE.replace("demo_value > 90", "demo_value > 85"))
    found = diff_revisions(repo, "HEAD~1", "HEAD")
    assert [(old.name, changes) for old, _new, changes in found.changed] == [
        (
            "HighValue",
            (
                Change(
                    "threshold",
                    "",
                    "demo_value > 90",
                    "demo_value > 85",
                    "now fires when demo_value > 85 (was > 90): sooner, from lower values on",
                ),
            ),
        )
    ]


@pytest.mark.parametrize(
    ("old", "new", "kind", "note"),
    [
        ("demo_value < 10", "demo_value < 20", "threshold",
         "now fires when demo_value < 20 (was < 10): sooner, from higher values on"),
        ("demo_value > 90", "demo_value > 95", "threshold",
         "now fires when demo_value > 95 (was > 90): later, from higher values on"),
        ("90 < demo_value", "85 < demo_value", "threshold",
         "now fires when demo_value > 85 (was > 90): sooner, from lower values on"),
        ("demo_value > 90", "demo_value >= 90", "operator",
         "now fires when demo_value >= 90 (was > 90)"),
        ("a < 70 and b > 5", "a < 70 and b > 6", "threshold",
         "now fires when b > 6 (was > 5): later, from higher values on"),
        ("x > 500 * 1024", "x > 400 * 1024", "threshold",
         "now fires when x > 400 * 1024 (was > 500 * 1024): sooner, from lower values on"),
        ("demo_value > 90", "max_over_time(demo_value[5m]) > 90", "expr", ""),
    ],
    ids=["below", "above-raised", "constant-on-the-left", "operator", "second-comparison",
         "constant-expression", "expression"],
)  # fmt: skip
def test_each_kind_of_expression_change(old: str, new: str, kind: str, note: str) -> None:
    rule = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: {}\n"
    (change,) = only_change(rule.format(old), rule.format(new))
    assert (change.kind, change.note) == (kind, note)


@pytest.mark.parametrize(
    ("old", "new", "note"),
    [
        ("for: 2m", "for: 5m", "now fires once the condition has held for 5m (was 2m)"),
        ("for: 2m", "", "now fires as soon as the condition holds (was after 2m)"),
        ("", "for: 2m", "now fires once the condition has held for 2m (was at once)"),
        ("keep_firing_for: 5m", "keep_firing_for: 10m",
         "now keeps firing for 10m after the condition clears (was 5m)"),
    ],
    ids=["longer", "removed", "added", "keep-firing-for"],
)  # fmt: skip
def test_a_changed_duration_says_the_new_duration(old: str, new: str, note: str) -> None:
    rule = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        {}\n"
    (change,) = only_change(rule.format(old), rule.format(new))
    assert change.note == note


def test_reformatting_changes_nothing() -> None:
    old, _ = read_alerts({"r.yml": BASE}, "base")
    new, _ = read_alerts({"r.yml": BASE.replace("demo_value > 90", "demo_value>90")}, "head")
    assert diff_alerts(old, new).empty


def test_added_removed_renamed_and_changed_alerts(repo: Path) -> None:
    commit(repo, HEAD)
    found = diff_revisions(repo, "HEAD~1", "HEAD")
    assert [a.name for a in found.added] == ["Added"]
    assert [a.name for a in found.removed] == ["Gone"]
    assert [(old.name, new.name, changes) for old, new, changes in found.renamed] == [
        ("OldName", "NewName", ())
    ]
    changed = {old.name: [(c.kind, c.key) for c in cs] for old, _new, cs in found.changed}
    assert changed == {
        "HighValue": [("threshold", ""), ("for", ""), ("label", "severity"),
                      ("annotation", "summary")],
        "LowValue": [("expr", "")],
    }  # fmt: skip


@pytest.mark.parametrize(("form", "golden"), [("text", "diff.txt"), ("markdown", "diff.md")])
def test_rendered_diff_matches_the_golden_file(repo: Path, form: str, golden: str) -> None:
    commit(repo, HEAD)
    found = diff_revisions(repo, "HEAD~1", "HEAD")
    render = text_lines if form == "text" else markdown_lines
    rendered = "\n".join(render(found, "HEAD~1", "HEAD")) + "\n"
    assert rendered == (GOLDEN / golden).read_text()


def test_the_working_tree_is_the_default_head(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "rules" / "demo.yml").write_text(BASE.replace("for: 2m", "for: 3m"))
    assert cli.main(["diff", "-C", str(repo), "HEAD", "--no-derive"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Alert rule changes from HEAD to working tree: 1 changed",
        "  changed  HighValue  (rules/demo.yml)",
        "    for: 2m -> 3m",
        "      now fires once the condition has held for 3m (was 2m)",
    ]


def test_no_changes_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", "-C", str(repo), "HEAD", "--format", "markdown"]) == 0
    assert "No alert rule changes." in capsys.readouterr().out


def test_an_unknown_revision_is_a_clear_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["diff", "-C", str(repo), "no-such-branch"]) == 2
    assert capsys.readouterr().err == "promrules diff: unknown revision 'no-such-branch'\n"


def test_invalid_yaml_at_a_revision_names_the_file_and_revision(repo: Path) -> None:
    commit(repo, "groups: [\n")
    with pytest.raises(DiffError, match=r"rules/demo.yml \(HEAD\): invalid YAML"):
        diff_revisions(repo, "HEAD~1", "HEAD")


# The firing point: each changed alert derived with promtool at both revisions.


def diff_output(repo: Path, promtool: str, *args: str) -> list[str]:
    """`promrules diff` run as a user would, on HEAD~1 against HEAD."""
    argv = ["--promtool", promtool, "diff", "-C", str(repo), "HEAD~1", "HEAD", *args]
    done = subprocess.run(
        [sys.executable, "-m", "promrules.cli.command", *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    return done.stdout.splitlines()


def test_a_commit_changing_a_threshold_prints_the_change_and_the_new_firing_point(
    repo: Path, promtool: Promtool
) -> None:
    commit(repo, BASE.replace("demo_value > 90", "demo_value > 85"))
    assert diff_output(repo, promtool.path) == [
        "Alert rule changes from HEAD~1 to HEAD: 1 changed",
        "  changed  HighValue  (rules/demo.yml)",
        "    threshold: demo_value > 90 -> demo_value > 85",
        "      now fires when demo_value > 85 (was > 90): sooner, from lower values on",
        "    firing point: fires when demo_value > 85 (was > 90), firing 2m after the condition "
        "first holds (unchanged); derived with the signal at 85.1 (was 90.1)",
    ]


def test_a_commit_changing_for_prints_the_new_firing_delay_in_markdown(
    repo: Path, promtool: Promtool
) -> None:
    commit(repo, BASE.replace("for: 2m", "for: 5m"))
    lines = diff_output(repo, promtool.path, "--format", "markdown")
    assert lines[-3:] == [
        "- `HighValue` in `rules/demo.yml`",
        "  - for: `2m` → `5m`. Now fires once the condition has held for 5m (was 2m).",
        "  - Firing point: fires when demo_value > 90 (unchanged), firing 5m after the condition "
        "first holds (was 2m); derived with the signal at 90.1.",
    ]


def test_the_firing_point_is_derived_not_read_from_the_text(repo: Path, promtool: Promtool) -> None:
    """`for: 90s` in a group evaluated every 1m fires 2m after onset, as `for: 2m` did."""
    commit(repo, BASE.replace("for: 2m", "for: 90s"))
    assert diff_output(repo, promtool.path)[-1] == (
        "    firing point: fires when demo_value > 90 (unchanged), firing 2m after the condition "
        "first holds (unchanged); derived with the signal at 90.1"
    )


def test_each_condition_gets_its_own_firing_point(tmp_path: Path, promtool: Promtool) -> None:
    rule = "groups:\n  - name: g\n    interval: 1m\n    rules:\n      - alert: A\n"
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yml").write_text(rule + "        expr: a < 70 and b > 5\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "rules")
    git(tmp_path, "commit", "-q", "-m", "rules")
    (tmp_path / "rules" / "a.yml").write_text(
        rule + "        expr: a < 70 and b > 6\n        for: 1m\n"
    )
    git(tmp_path, "commit", "-q", "-a", "-m", "change")
    assert [line for line in diff_output(tmp_path, promtool.path) if "firing point" in line] == [
        "    firing point: fires when a < 70 (unchanged), firing 1m after the condition first "
        "holds (was at once); derived with the signal at 69.9",
        "    firing point: fires when b > 6 (was > 5), firing 1m after the condition first "
        "holds (was at once); derived with the signal at 6.01 (was 5.01)",
    ]


def test_an_alert_derive_cannot_handle_still_shows_its_change(
    repo: Path, promtool: Promtool
) -> None:
    commit(repo, BASE.replace("demo_value > 90\n        for: 2m", "demo_value\n        for: 3m"))
    assert diff_output(repo, promtool.path)[-3:] == [
        "    for: 2m -> 3m",
        "      now fires once the condition has held for 3m (was 2m)",
        "    firing point: not derived: the expression has no threshold comparison and no absent() "
        "(before: fired when demo_value > 90, 2m after the condition first holds)",
    ]


def test_without_promtool_the_diff_says_so_and_shows_the_change(repo: Path) -> None:
    commit(repo, BASE.replace("demo_value > 90", "demo_value > 85"))
    missing = str(repo / "no-promtool")
    assert diff_output(repo, missing)[-1] == (
        f"    firing point: not derived: no promtool: promtool not found at '{missing}' "
        "(from --promtool)"
    )
