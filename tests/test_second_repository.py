"""A second repository that has only installed promrules gets its features, with no file of ours.

promrules is built into a wheel and installed into a folder of its own, and a
repository is written in tmp_path from nothing: rules, one hand-written test,
an Alertmanager configuration with routing cases, a lint policy. pytest runs
there in a subprocess, importing promrules from that folder (checked), so a
feature that works only thanks to a file of this repository (a conftest.py, a
package file missing from the wheel, a path into the source tree) fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

RULES = """\
groups:
- name: app
  rules:
  - alert: HighErrorRate
    expr: app_errors_per_second > 5
    for: 5m
    labels:
      severity: critical
    annotations:
      summary: "{{ $labels.instance }} has {{ $value }} errors per second"
"""

HAND_WRITTEN_TEST = """\
rule_files: [../rules/app.yml]
evaluation_interval: 1m
tests:
- name: errors
  interval: 1m
  input_series:
  - series: 'app_errors_per_second{instance="web-1"}'
    values: '9x10'
  alert_rule_test:
  - alertname: HighErrorRate
    eval_time: 3m
    exp_alerts: []
  - alertname: HighErrorRate
    eval_time: 6m
    exp_alerts:
    - exp_labels: {severity: critical, instance: web-1}
      exp_annotations: {summary: web-1 has 9 errors per second}
"""

ALERTMANAGER = """\
route:
  receiver: chat
  group_by: [alertname]
  routes:
  - matchers: ['severity="critical"']
    receiver: pager
receivers:
- name: chat
- name: pager
"""

ROUTING_CASES = """\
config: alertmanager.yml
rules: ../rules/*.yml
cases:
- name: critical-pages
  labels: {alertname: HighErrorRate, severity: critical}
  receivers: [{critical}]
- name: others-chat
  labels: {alertname: Something, severity: info}
  receivers: [chat]
"""

PYPROJECT = """\
[tool.pytest.ini_options]
testpaths = ["rules", "rule_tests", "alerting"]

[tool.promrules.lint]
required_labels = ["severity", "team"]
"""


def _pip(*args: str) -> None:
    argv = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, f"{' '.join(argv)}\n{run.stdout}{run.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """promrules from a wheel built from this checkout, installed into a folder of its own."""
    where = tmp_path_factory.mktemp("installed")
    _pip("wheel", "--no-deps", "-w", str(where / "wheel"), str(REPO))
    wheels = sorted((where / "wheel").glob("pytest_promrules-*.whl"))
    assert len(wheels) == 1, wheels
    _pip("install", "--no-deps", "--target", str(where / "site"), str(wheels[0]))
    return where / "site"


def write_repository(root: Path, critical_receiver: str = "pager") -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "rules/app.yml": RULES,
        "rule_tests/app_test.yml": HAND_WRITTEN_TEST,
        "alerting/alertmanager.yml": ALERTMANAGER,
        "alerting/routing_cases.yml": ROUTING_CASES.replace("{critical}", critical_receiver),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def run_pytest(root: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PROMRULES_"))}
    env["PYTHONPATH"] = str(site)  # before the environment's own (editable) promrules
    env["PROMTOOL"] = os.environ.get("PROMTOOL") or str(REPO / ".tools/bin/promtool")
    env["AMTOOL"] = os.environ.get("AMTOOL") or str(REPO / ".tools/bin/amtool")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-rA",
            *args,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_promrules_is_imported_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    run = subprocess.run(
        [sys.executable, "-c", "import promrules.pytest_plugin.plugin as p; print(p.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(run.stdout.strip()).is_relative_to(installed), run.stdout


def test_a_fresh_repository_gets_cases_routing_lint_coverage_and_the_report(
    installed: Path, tmp_path: Path
) -> None:
    write_repository(tmp_path)
    run = run_pytest(
        tmp_path, installed, "--promrules-html=report.html", "--promrules-cov-json=cov.json"
    )
    out = run.stdout + run.stderr
    # The one finding: `team` is required and missing; everything else passes.
    assert run.returncode == 1, out
    assert "FAILED rules/app.yml::lint/required-labels" in out, out
    assert "Problem: missing required label(s) team (lint/required-labels)" in out, out
    assert "---> rules/app.yml:4 -> HighErrorRate" in out, out
    for passed in (
        "PASSED rule_tests/app_test.yml::errors::HighErrorRate@3m",
        "PASSED rule_tests/app_test.yml::errors::HighErrorRate@6m",
        "PASSED alerting/routing_cases.yml::check-config",
        "PASSED alerting/routing_cases.yml::critical-pages",
        "PASSED alerting/routing_cases.yml::others-chat",
        "PASSED alerting/routing_cases.yml::rule-alerts-reach-severity-receivers",
        "PASSED rules/app.yml::lint/",
        "PASSED rules/app.yml::HighErrorRate::",  # a derived boundary case
    ):
        assert passed in out, f"{passed!r} not in:\n{out}"
    assert "rules/app.yml       1       1      1             1        1   100.0%" in out, out
    coverage = json.loads((tmp_path / "cov.json").read_text())
    assert "HighErrorRate" in json.dumps(coverage), coverage
    page = (tmp_path / "report.html").read_text()
    assert "HighErrorRate" in page and "errors per second" in page


def test_a_wrong_routing_expectation_fails_there_with_the_receivers(
    installed: Path, tmp_path: Path
) -> None:
    write_repository(tmp_path, critical_receiver="chat")
    run = run_pytest(tmp_path, installed, "alerting")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "FAILED alerting/routing_cases.yml::critical-pages" in out, out
    assert "pager" in out.split("critical-pages", 1)[-1], out
