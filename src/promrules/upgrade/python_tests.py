"""Python tests (scenarios, property tests) under two promtools, compared test by test.

A Python test is arbitrary code, so it cannot be re-run with one change like
a promtool case: each run is a pytest process over the Python test files
with `--promtool=PATH` (the promrules_scenario fixture and session_promtool
pick it up), hypothesis seeded the same way both times, and a change is
reported with both outputs, unclassified.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules.promtool.binary import Promtool
from promrules.upgrade.outcomes import OUTCOMES_ENV

__all__ = ["ChangedTest", "PythonRun", "compare_tests", "find_python_tests", "run_python_tests"]


@dataclass(frozen=True)
class PythonRun:
    """Each Python test's status and failure text under one promtool, or why the run failed."""

    outcomes: dict[str, tuple[str, str]]
    problem: str | None = None


@dataclass(frozen=True)
class ChangedTest:
    node_id: str
    before: tuple[str, str]
    after: tuple[str, str]


def find_python_tests(paths: Iterable[Path]) -> list[Path]:
    """pytest's default test files (test_*.py, *_test.py) under paths."""
    found: dict[Path, None] = {}
    for path in paths:
        candidates = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for candidate in candidates:
            name = candidate.name
            if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
                found[candidate] = None
    return list(found)


def run_python_tests(
    promtool: Promtool, files: Sequence[Path], rootdir: Path, timeout: float
) -> PythonRun:
    if not files:
        return PythonRun({})
    with tempfile.TemporaryDirectory(prefix="promrules-upgrade-py-") as tmp:
        target = Path(tmp) / "outcomes.json"
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        argv += ["-p", "promrules.upgrade.outcomes", f"--promtool={promtool.path}"]
        if importlib.util.find_spec("hypothesis") is not None:
            argv.append("--hypothesis-seed=0")
        argv += [str(f.resolve()) for f in files]
        env = {**os.environ, OUTCOMES_ENV: str(target), "PROMTOOL": promtool.path}
        try:
            run = subprocess.run(
                argv, cwd=rootdir, env=env, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return PythonRun({}, f"pytest did not finish within {timeout:g}s")
        if not target.exists():
            tail = run.stdout.decode(errors="replace").strip().splitlines()[-3:]
            return PythonRun({}, f"pytest exited {run.returncode}: {' / '.join(tail)}")
        raw = json.loads(target.read_text(encoding="utf-8"))
    return PythonRun({node: (status, text) for node, (status, text) in raw.items()})


def compare_tests(before: PythonRun, after: PythonRun) -> list[ChangedTest]:
    """Tests whose status differs (a test only one run has counts as changed)."""
    missing = ("not run", "")
    changed = []
    for node in sorted(before.outcomes.keys() | after.outcomes.keys()):
        old = before.outcomes.get(node, missing)
        new = after.outcomes.get(node, missing)
        if old[0] != new[0]:
            changed.append(ChangedTest(node, old, new))
    return changed
