"""Shared fixtures for the plugin's own tests: the real promtool and the corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool, PromtoolError, locate

pytest_plugins = ["pytester"]
collect_ignore = ["golden", "upgrade_examples"]  # expected outputs and example files, not tests

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"

# The suite's own amtool and Alertmanager (`make tools`), for the repositories the tests
# build in tmp_path: there `.tools/bin` under the rootdir does not exist, and on a fresh
# machine neither is on PATH. A test of a missing binary sets the variable itself.
for _variable, _tool in (("AMTOOL", "amtool"), ("ALERTMANAGER", "alertmanager")):
    if _variable not in os.environ and (REPO / ".tools" / "bin" / _tool).is_file():
        os.environ[_variable] = str(REPO / ".tools" / "bin" / _tool)


@pytest.fixture(scope="session")
def promtool() -> Promtool:
    """The promtool this run tests against (PROMTOOL, else the project's, else PATH)."""
    try:
        return locate(rootdir=REPO)
    except PromtoolError as exc:
        pytest.fail(f"the test suite needs a real promtool: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"real-world corpus not found at {CORPUS} (it sits beside the repo in CI)")
    return CORPUS


@pytest.fixture
def promtool_env(promtool: Promtool, monkeypatch: pytest.MonkeyPatch) -> Promtool:
    """Point in-process pytester runs at the same promtool as the suite."""
    monkeypatch.setenv("PROMTOOL", promtool.path)
    return promtool


def pytest_report_header() -> str:
    return f"promrules tests: PROMTOOL={os.environ.get('PROMTOOL', '(unset)')}"
