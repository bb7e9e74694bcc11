"""What the terminal showed for each failed item, kept for the HTML report's failures.

Read from the test reports (`pytest_runtest_logreport`), so the page shows the
same text as the terminal, and in the xdist controller the text its workers
sent, without running anything again.
"""

from __future__ import annotations

import pytest

__all__ = ["FailureTexts", "failure_texts"]

_KEY = pytest.StashKey["FailureTexts"]()


class FailureTexts:
    """A pytest plugin object: the failure text of each failed or erroring item, by node id."""

    def __init__(self) -> None:
        self.by_nodeid: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and report.nodeid not in self.by_nodeid:
            self.by_nodeid[report.nodeid] = report.longreprtext


def failure_texts(config: pytest.Config) -> FailureTexts:
    """This session's texts; registered on first use (in pytest_configure)."""
    if _KEY not in config.stash:
        config.stash[_KEY] = FailureTexts()
        config.pluginmanager.register(config.stash[_KEY], "promrules-failure-texts")
    return config.stash[_KEY]
