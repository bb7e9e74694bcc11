"""Ctrl-C during a run leaves no temporary files and no changed user files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from promrules.promtool import Promtool

RULES = """\
groups:
  - name: demo
    rules:
      - alert: HighValue
        expr: avg_over_time(demo_value[10m]) > 90
        for: 2m
"""

# One second evaluations over three days keep promtool busy for several seconds.
SLOW_TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1s
tests:
  - interval: 10s
    input_series:
      - series: demo_value
        values: "95x30000"
    alert_rule_test:
      - eval_time: 72h
        alertname: HighValue
        exp_alerts: []
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def long_promtool_run_started(scratch: Path, deadline: float) -> bool:
    """A promtool scratch folder still there 0.3 s after it was seen: the slow test
    files, not a quick `--version` or `check rules` whose folder is already gone."""
    while time.monotonic() < deadline:
        seen = set(scratch.glob("promrules-run-*"))
        if seen:
            time.sleep(0.3)
            if seen & set(scratch.glob("promrules-run-*")):
                return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_leaves_nothing_behind(tmp_path: Path, promtool: Promtool, workers: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "rules.yml").write_text(RULES)
    for n in range(3):
        (project / f"slow{n}_test.yml").write_text(SLOW_TEST)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    before = snapshot(project)
    env = {**os.environ, "TMPDIR": str(scratch), "PROMTOOL": promtool.path}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--promrules-workers={workers}",
        ],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert long_promtool_run_started(scratch, time.monotonic() + 30), "promtool never started"
    run.send_signal(signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    assert b"KeyboardInterrupt" in output
    assert b"Traceback" not in output
    assert list(scratch.iterdir()) == []
    assert snapshot(project) == before
