"""The workflows and the pre-commit hook: valid, safe as shipped, and doing what docs/ci.md says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
REUSABLE = ".github/workflows/promrules.yml"
FULL_SHA = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: str | Path) -> Any:
    return yaml.safe_load((REPO / path).read_text())


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict)
    return {name: value or {} for name, value in found.items()}


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step(workflow: dict[str, Any], name_part: str) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if name_part in s.get("name", "")]
    return found


def _uses(workflow: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow) if str(s.get("uses", "")).startswith(action + "@")]


def test_every_workflow_passes_the_github_workflow_schema() -> None:
    """check-jsonschema's vendored copy of the SchemaStore schema for workflow files."""
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_full_commit_sha_with_its_version(path: Path) -> None:
    text = path.read_text()
    for step in steps(load(path)):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert FULL_SHA.match(uses), f"{path.name}: {uses} is not pinned by commit SHA"
        assert re.search(re.escape(uses) + r" # v\d+\.\d+\.\d+\b", text), f"{uses}: say the tag"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_every_workflow_a_concurrency_group(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        if "uses" in job:  # a call: the called workflow's job has the timeout
            continue
        assert isinstance(job.get("timeout-minutes"), int), f"{path.name}: job {name}"
        assert "concurrency" in workflow or "concurrency" in job, f"{path.name}: job {name}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_trigger_has_a_paths_filter(path: Path) -> None:
    """A required check filtered by paths never reports on other pull requests."""
    for name, trigger in triggers(load(path)).items():
        assert "paths" not in trigger and "paths-ignore" not in trigger, f"{path.name}: {name}"


def test_ci_runs_once_per_pull_request() -> None:
    on = triggers(load(".github/workflows/ci.yml"))
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"], "a push to a PR branch would run it twice"


def test_ci_runs_make_test_through_ci_run_with_a_cache() -> None:
    workflow = load(".github/workflows/ci.yml")
    assert any(".ci/run" in step.get("run", "") for step in steps(workflow))
    assert "make test" in (REPO / ".ci" / "run").read_text()
    (cache,) = _uses(workflow, "actions/cache")
    assert cache["with"]["path"].split() == [".venv", ".tools/promtool-3"]
    assert "hashFiles('pyproject.toml', 'scripts/install-tools.sh')" in cache["with"]["key"]


def test_the_rule_check_calls_the_reusable_workflow_with_this_checkout() -> None:
    workflow = load(".github/workflows/rule-tests.yml")
    assert set(triggers(workflow)) == {"pull_request", "merge_group"}
    (job,) = workflow["jobs"].values()
    assert job["uses"] == "./" + REUSABLE
    assert job["with"]["package"] == "."
    assert "--promrules-cov-fail-under=100" in job["with"]["pytest-args"]
    assert {"rules/", "rule_tests/", "alertmanager/"} <= set(job["with"]["paths"].split())
    assert workflow["permissions"] == {
        "contents": "read",
        "checks": "write",
        "pull-requests": "write",
    }


def test_the_reusable_workflow_is_callable_and_its_inputs_are_documented() -> None:
    workflow = load(REUSABLE)
    inputs = triggers(workflow)["workflow_call"]["inputs"]
    assert set(triggers(workflow)) == {"workflow_call"}
    docs = (REPO / "docs" / "ci.md").read_text()
    assert "uses: promrules/promrules/.github/workflows/promrules.yml@v" in docs
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert f"`{name}`" in docs, f"docs/ci.md does not describe the input {name}"
    assert "permissions" not in workflow, "a called workflow takes the caller's permissions"


def test_every_step_after_the_change_filter_is_gated_by_it() -> None:
    job_steps = steps(load(REUSABLE))
    names = [s.get("name", s.get("uses", "")) for s in job_steps]
    first = names.index("Did rules, tests or settings change?")
    assert first == 1  # right after the checkout
    for step in job_steps[first + 1 :]:
        gate = step.get("if", "")
        assert "steps.changes.outputs.run == 'true'" in gate or "steps.diff.outcome" in gate, step


def test_reporting_to_the_pull_request_is_skipped_for_forks_and_never_fatal() -> None:
    workflow = load(REUSABLE)
    fork_check = "github.event.pull_request.head.repo.full_name == github.repository"
    for name in ("Show failures on the pull request", "Post the rule diff on the pull request"):
        step = _step(workflow, name)
        assert fork_check in " ".join(step["if"].split()), name
        assert step["continue-on-error"] is True, name
    assert _step(workflow, "Show failures")["with"]["fail_on_failure"] is False


def test_the_venv_and_promtool_are_cached() -> None:
    caches = _uses(load(REUSABLE), "actions/cache")
    paths = sorted(c["with"]["path"] for c in caches)
    assert paths == ["~/.cache/promrules", "~/.cache/promrules-venv"]
    keys = " ".join(c["with"]["key"] for c in caches)
    assert "steps.python.outputs.python-version" in keys and "inputs.promtool-version" in keys


def _run_change_filter(repo: Path, base: str, paths: str) -> tuple[str, str]:
    step = _step(load(REUSABLE), "Did rules, tests or settings change?")
    output = repo / "github_output"
    output.write_text("")
    env = {
        **os.environ,
        "EVENT": "pull_request",
        "PR_BASE": base,
        "QUEUE_BASE": "",
        "PATHS": paths,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(repo / "summary"),
        "RUNNER_TEMP": str(repo),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return output.read_text().strip(), done.stdout


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_change_filter_passes_unrelated_pull_requests_and_runs_rule_changes(
    tmp_path: Path,
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yml").write_text("groups: []\n")
    (tmp_path / "README.md").write_text("hello\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    base = _git(tmp_path, "rev-parse", "HEAD")
    default = triggers(load(REUSABLE))["workflow_call"]["inputs"]["paths"]["default"]

    (tmp_path / "README.md").write_text("hello again\n")
    _git(tmp_path, "commit", "-qam", "docs only")
    assert _run_change_filter(tmp_path, base, default)[0] == "run=false"

    (tmp_path / "rules" / "a.yml").write_text("groups: [{name: g, rules: []}]\n")
    _git(tmp_path, "commit", "-qam", "a rule change")
    result, printed = _run_change_filter(tmp_path, base, default)
    assert result == "run=true"
    assert "changed: rules/a.yml" in printed


def test_the_pre_commit_hook_gets_the_staged_yaml_files() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["promrules"]
    assert hooks[0]["entry"] == "promrules pre-commit"
    assert hooks[0]["language"] == "python"
    assert hooks[0]["pass_filenames"] is True  # the command decides what is a rule or test file
    assert hooks[0]["types_or"] == ["yaml"]
    assert hooks[0]["require_serial"] is True  # one suite run, not one per file batch
    assert set(hooks[0]) <= {
        "id", "name", "description", "entry", "language", "types_or", "pass_filenames",
        "require_serial", "files", "args",
    }  # fmt: skip


def test_rule_diff_command_of_the_workflow_runs(tmp_path: Path) -> None:
    """The workflow's command line, run on a real two-commit repository, prints markdown."""
    _git(tmp_path, "init", "-q")
    (tmp_path / "rules").mkdir()
    shutil.copy(REPO / "rules" / "system.yml", tmp_path / "rules" / "system.yml")
    _git(tmp_path, "add", "rules")
    _git(tmp_path, "commit", "-qm", "base")
    base = _git(tmp_path, "rev-parse", "HEAD")
    text = (tmp_path / "rules" / "system.yml").read_text()
    changed = text.replace("system_cpu_usage_percent > 90", "system_cpu_usage_percent > 95", 1)
    assert changed != text
    (tmp_path / "rules" / "system.yml").write_text(changed)
    _git(tmp_path, "commit", "-qam", "raise the CPU threshold")
    diff = _step(load(REUSABLE), "Rule diff")
    command = next(line for line in diff["run"].splitlines() if "promrules diff" in line)
    argv = command.split(">")[0].split()
    argv[0] = str(Path(sys.executable).parent / "promrules")
    values = {'"$BASE_SHA"': base, '"$RULES"': "rules"}
    argv = [values.get(a, a) for a in argv]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("### Alert rule changes")
    assert "HighCPUUsage" in done.stdout and "95" in done.stdout


def test_the_reports_and_test_artifacts_are_kept() -> None:
    (ci,) = _uses(load(".github/workflows/ci.yml"), "actions/upload-artifact")
    assert ci["with"]["path"] == "test-artifacts/" and ci["if"] == "always()"
    (reports,) = _uses(load(REUSABLE), "actions/upload-artifact")
    assert "always()" in reports["if"]
    assert "promrules-junit.xml" in reports["with"]["path"]
    assert "test-artifacts/" in (REPO / ".gitignore").read_text().splitlines()


def test_readme_says_how_to_make_rule_tests_a_required_check() -> None:
    readme = (REPO / "README.md").read_text()
    assert "required status check" in readme.lower()
    assert "`rule-tests / promrules`" in readme
