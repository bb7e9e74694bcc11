"""Ctrl-C during a run leaves no temporary files and no changed user files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from promrules.promtool.binary import ProcessGroups, Promtool, PromtoolError

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


def promtools_running(scratch: Path) -> list[str]:
    """Processes still running with a TMPDIR inside `scratch` (promtool's private one)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"TMPDIR={scratch}".encode() in environ.read_bytes():
                found.append(environ.parent.name)
        except OSError:
            continue
    return found


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_leaves_nothing_behind(
    tmp_path: Path, promtool: Promtool, workers: str, stop: signal.Signals
) -> None:
    """SIGTERM (how CI cancels a job) is handled as Ctrl-C is: pytest's interrupt exit."""
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
    run.send_signal(stop)
    output, _ = run.communicate(timeout=600)
    assert run.returncode == pytest.ExitCode.INTERRUPTED, output.decode()
    assert b"KeyboardInterrupt" in output
    assert promtools_running(scratch) == []
    assert b"Traceback" not in output
    assert list(scratch.iterdir()) == []
    assert snapshot(project) == before


def test_a_stop_while_a_process_starts_ends_that_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop that lands after `run` checked the flag but before it registered the new
    process used to miss it, which then ran to its end: it is killed at once now."""
    groups = ProcessGroups()
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen_then_stop(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)
        started.append(process)
        groups.stop()  # the signal lands here: started, not registered yet
        return process

    monkeypatch.setattr("promrules.promtool.binary.subprocess.Popen", popen_then_stop)
    with pytest.raises(PromtoolError, match="stopped while the process was starting"):
        groups.run(["sleep", "120"], cwd=None, env=dict(os.environ), timeout=300)
    assert started[0].returncode == -signal.SIGKILL
