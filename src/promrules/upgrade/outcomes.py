"""A pytest plugin for the upgrade check's Python runs: each test's outcome, written as JSON.

Loaded with `-p promrules.upgrade.outcomes` into a pytest run the check
starts; the file named by PROMRULES_UPGRADE_OUTCOMES gets `{node id:
[status, text]}` at the end of the session (status: passed, skipped, failed,
or error for a failed set-up or tear-down).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

__all__ = ["OUTCOMES_ENV"]

OUTCOMES_ENV = "PROMRULES_UPGRADE_OUTCOMES"
_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


class _Recorder:
    def __init__(self, target: Path) -> None:
        self.target = target
        self.seen: dict[str, list[str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        status: str = report.outcome
        if status == "failed" and report.when != "call":
            status = "error"
        previous = self.seen.setdefault(report.nodeid, ["passed", ""])
        if _RANK[status] > _RANK[previous[0]]:
            self.seen[report.nodeid] = [status, report.longreprtext]

    def pytest_sessionfinish(self) -> None:
        self.target.write_text(json.dumps(self.seen), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get(OUTCOMES_ENV)
    if target:
        config.pluginmanager.register(_Recorder(Path(target)), "promrules-upgrade-outcomes")
