"""Plain data of the HTML report: what was collected, before any HTML is written.

Collection (`collect`) fills these; rendering (`page`, `svg`) only reads them,
so the page can be tested against the data and the data against the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from promrules.files.model import Case, TestFile, TestGroup

State = Literal["inactive", "pending", "firing"]


@dataclass(frozen=True)
class RanCase:
    """One case the run judged, as the plugin hands it over."""

    test_file: TestFile
    group: TestGroup
    case: Case
    status: str  # passed, failed, error, not run
    detail: str = ""  # what the terminal showed when it failed: the diff


@dataclass(frozen=True)
class Line:
    """One plotted series: its label text and (ms, value) points; None breaks the line."""

    label: str
    points: tuple[tuple[int, float | None], ...]
    title: str = ""  # the whole name when `label` is shortened


@dataclass(frozen=True)
class Span:
    """A stretch [start_ms, end_ms) in which the alert was pending or firing."""

    state: State
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chart:
    """The compared value against the threshold, the input series, and the alert's states.

    `notes` say what could not be drawn (no constant threshold, a native
    histogram, promtool could not evaluate the group); a chart that cannot be
    drawn at all has no lines and says why in `notes`.
    """

    end_ms: int
    step_ms: int
    compared: tuple[Line, ...]
    compared_text: str
    threshold: float | None
    threshold_text: str
    inputs: tuple[Line, ...]
    spans: tuple[Span, ...]
    notes: tuple[str, ...] = ()

    inputs_common: str = ""  # what every input series shares, said once in the legend
    evaluated: bool = True  # False when promtool could not evaluate the group

    @property
    def drawable(self) -> bool:
        return bool(self.compared or self.inputs)

    def state_at(self, ms: int) -> State | None:
        """The alert's state at `ms` as promtool evaluated it; None when unknown."""
        if not self.evaluated or not 0 <= ms <= self.end_ms:
            return None
        for span in self.spans:
            if span.start_ms <= ms < span.end_ms or ms == span.end_ms == self.end_ms:
                return span.state
        return "inactive"


@dataclass(frozen=True)
class CaseView:
    """One alert_rule_test case as it ran, with the chart of its test group."""

    test_file: str
    line: int
    group: str
    name: str
    eval_ms: int | None
    eval_time: str
    expects_firing: bool
    status: str  # passed, failed, error (as the run judged it)
    chart: Chart | None
    detail: str = ""  # the failure as the terminal showed it
    charted: bool = True  # False: no chart asked for (a passing case, charts of failures only)

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "error")


@dataclass
class AlertView:
    """One alert of a rule file: its rule, its coverage, and the cases that tested it."""

    rule_file: str
    name: str
    line: int
    expr: str
    for_text: str
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    firing: bool
    quiet: bool
    cases: list[CaseView] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return self.firing and self.quiet

    @property
    def state(self) -> str:
        """For the index and its filter: failed, not-covered or ok."""
        if any(case.failed for case in self.cases):
            return "failed"
        return "ok" if self.covered else "not-covered"


@dataclass(frozen=True)
class FileRow:
    """One row of the coverage table."""

    rule_file: str
    alerts: int
    firing: int
    quiet: int
    percent: float
    uncovered: tuple[str, ...]


@dataclass
class ReportData:
    rows: list[FileRow]
    total_alerts: int
    total_percent: float
    alerts: list[AlertView]
    promtool_runs: int = 0
    charts: str = "failures"  # which cases have a chart: "failures" or "all"
    partial: str | None = None  # why the run was part of the suite (-k, --lf): no coverage

    @property
    def cases(self) -> list[CaseView]:
        return [case for alert in self.alerts for case in alert.cases]
