"""Python scenarios count for alert coverage, like YAML cases.

A scenario that passes hands its expectations to the listener the plugin
sets around each test (authoring sits below coverage and cannot call it).
"""

from __future__ import annotations

from collections.abc import Callable

from promrules.authoring.scenario import Expectation
from promrules.coverage import CoverageReport

__all__ = ["scenario_coverage"]


def scenario_coverage(coverage: CoverageReport) -> Callable[[tuple[Expectation, ...]], None]:
    """Record a passed scenario's alerts: firing, and quiet when no labels narrow it."""

    def record(expectations: tuple[Expectation, ...]) -> None:
        for e in expectations:
            if e.kind == "firing":
                coverage.record(e.alertname, firing=True)
            elif e.kind in ("quiet", "resolved") and not e.labels:
                coverage.record(e.alertname, firing=False)

    return record
