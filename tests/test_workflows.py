"""The rule-PR workflow and the pre-commit hook are well-formed and do what the README says."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def load(path: str) -> Any:
    return yaml.safe_load((REPO / path).read_text())


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return found


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_rule_tests_runs_on_pull_requests_touching_rules_tests_or_routing() -> None:
    paths = triggers(load(".github/workflows/rule-tests.yml"))["pull_request"]["paths"]
    assert set(paths) == {"rules/**", "rule_tests/**", "alertmanager/**"}


def test_rule_tests_runs_make_check_with_full_coverage_and_publishes_junit() -> None:
    workflow = load(".github/workflows/rule-tests.yml")
    commands = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make check" in commands
    assert "--promrules-cov-fail-under=100" in commands
    assert "--junitxml=rule-tests.xml" in commands
    uploads = [
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert uploads and "rule-tests.xml" in uploads[0]["with"]["path"]


def test_ci_runs_make_test_through_ci_run() -> None:
    workflow = load(".github/workflows/ci.yml")
    assert any(".ci/run" in step.get("run", "") for step in steps(workflow))
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_pre_commit_hook_gets_the_staged_yaml_files() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["promrules"]
    assert hooks[0]["entry"] == "promrules pre-commit"
    assert hooks[0]["pass_filenames"] is True  # the command decides what is a rule or test file
    assert hooks[0]["types_or"] == ["yaml"]
    assert hooks[0]["require_serial"] is True  # one suite run, not one per file batch


def _step(workflow: dict[str, Any], name_part: str) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if name_part in s.get("name", "")]
    return found


def test_rule_tests_posts_the_rule_diff_against_the_base_commit() -> None:
    workflow = load(".github/workflows/rule-tests.yml")
    assert "pull_request" in triggers(workflow)
    assert workflow["permissions"]["pull-requests"] == "write"
    (checkout,) = [
        s for s in steps(workflow) if str(s.get("uses", "")).startswith("actions/checkout")
    ]
    assert checkout["with"]["fetch-depth"] == 0  # the base commit must be in the clone
    diff = _step(workflow, "Rule diff")
    assert diff["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    command = next(line for line in diff["run"].splitlines() if "promrules diff" in line)
    assert command.split()[:5] == [".venv/bin/promrules", "diff", '"$BASE_SHA"', "HEAD", "--format"]
    assert "markdown" in command and "> rule-diff.md" in command
    comment = _step(workflow, "Post the rule diff")
    assert comment["uses"].startswith("actions/github-script@v")  # a pinned major version
    assert comment["with"]["github-token"] == "${{ secrets.GITHUB_TOKEN }}"
    assert "steps.diff.outcome == 'success'" in comment["if"]
    script = comment["with"]["script"]
    assert 'readFileSync("rule-diff.md"' in script
    assert "updateComment" in script and "createComment" in script  # one comment, kept current
    order = [s.get("name", "") for s in steps(workflow)]
    assert order.index(diff["name"]) < order.index(comment["name"])


def test_rule_diff_command_of_the_workflow_runs(tmp_path: Path) -> None:
    """The workflow's command line, run on a real two-commit repository, prints markdown."""
    import shutil
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    (tmp_path / "rules").mkdir()
    shutil.copy(REPO / "rules" / "system.yml", tmp_path / "rules" / "system.yml")
    git("add", "rules")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    text = (tmp_path / "rules" / "system.yml").read_text()
    changed = text.replace("system_cpu_usage_percent > 90", "system_cpu_usage_percent > 95", 1)
    assert changed != text
    (tmp_path / "rules" / "system.yml").write_text(changed)
    git("commit", "-qam", "raise the CPU threshold")
    diff = _step(load(".github/workflows/rule-tests.yml"), "Rule diff")
    command = next(line for line in diff["run"].splitlines() if "promrules diff" in line)
    argv = command.split(">")[0].split()
    argv[0] = str(Path(sys.executable).parent / "promrules")
    argv = [base if a == '"$BASE_SHA"' else a for a in argv]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### Alert rule changes")
    assert "HighCPUUsage" in done.stdout and "95" in done.stdout


def test_ci_keeps_the_test_artifacts() -> None:
    for path in (".github/workflows/ci.yml", ".github/workflows/rule-tests.yml"):
        uploads = [
            s
            for s in steps(load(path))
            if str(s.get("uses", "")).startswith("actions/upload-artifact")
        ]
        assert any("test-artifacts/" in u["with"]["path"] for u in uploads), path
        assert all(u.get("if") == "always()" for u in uploads), path
    assert "test-artifacts/" in (REPO / ".gitignore").read_text().splitlines()


def test_readme_says_how_to_make_rule_tests_a_required_check() -> None:
    readme = (REPO / "README.md").read_text()
    assert "required status check" in readme.lower()
    assert "`rule-tests`" in readme
