"""The coverage gates (--promrules-cov-fail-under, hand-written cases required) and the
coverage lines of the terminal summary.

A run that selected part of the suite (-k, --lf, ...) gets neither gate nor
table, only a note why: see `partial_run`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from promrules.coverage import CoverageReport
from promrules.pytest_plugin import partial_run

__all__ = ["gate_failures", "require_hand_written", "summary_lines"]


def require_hand_written(config: pytest.Config) -> bool:
    """The option, else ini promrules_cov_require_hand_written."""
    option = config.getoption("promrules_cov_require_hand_written")
    if option is None:
        option = config.getini("promrules_cov_require_hand_written")
    return bool(option)


def gate_failures(config: pytest.Config, coverage: CoverageReport) -> list[str]:
    """The FAIL line of each coverage gate the run does not pass."""
    failures = []
    threshold = config.getoption("promrules_cov_fail_under")
    if threshold is not None and coverage.percent < threshold:
        failures.append(
            f"FAIL: alert coverage {coverage.percent:.1f}% is below "
            f"--promrules-cov-fail-under={threshold:g}"
        )
    lacking = len(coverage.without_hand_written())
    if require_hand_written(config) and lacking:
        failures.append(
            f"FAIL: {lacking} alert{'s have' if lacking != 1 else ' has'} no passing "
            "hand-written case (promrules_cov_require_hand_written)"
        )
    return failures


def summary_lines(config: pytest.Config, coverage: CoverageReport) -> Iterator[tuple[str, bool]]:
    """(line, whether it is a failure) for the terminal summary."""
    if partial := partial_run.partial_reason(config):
        yield (
            f"promrules: alert coverage not computed: this run is part of the suite "
            f"({partial}); coverage gates apply to full runs",
            False,
        )
        return
    for line in coverage.lines(require_hand_written=require_hand_written(config)):
        yield line, False
    for line in gate_failures(config, coverage):
        yield line, True
