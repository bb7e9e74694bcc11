"""The rule-PR workflow and the pre-commit hook are well-formed and do what the README says."""

from __future__ import annotations

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


def test_the_pre_commit_hook_runs_the_cli() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["promrules"]
    assert hooks[0]["entry"] == "promrules test"
    assert hooks[0]["pass_filenames"] is False
