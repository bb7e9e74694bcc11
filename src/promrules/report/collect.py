"""Gather the report's data: coverage, each alert's rule and cases, and one chart per group.

Charts come from promtool: for every test group that checks an alert, the
compared value (`threshold.target`) and `ALERTS{alertname=...}` are probed at
every evaluation step up to the group's last checked time, one promtool run
per test file (`probes.query_groups`). The input series are expanded from
their notation (`inputs`), without promtool.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from promrules import yamlnodes as yn
from promrules.alerts import AlertDefinition, load_alerts
from promrules.coverage import CoverageReport
from promrules.durations import DurationError, format_duration, parse_duration
from promrules.model import Case, TestFile, TestGroup
from promrules.probe import ProbeError, Sample
from promrules.promtool import Promtool
from promrules.report.inputs import input_lines
from promrules.report.model import (
    AlertView,
    CaseView,
    Chart,
    FileRow,
    Line,
    ReportData,
    Span,
    State,
)
from promrules.report.probes import GroupQueries, query_groups
from promrules.report.threshold import Target, target

MAX_STEPS = 240
MAX_COMPARED_LINES = 6
DEFAULT_INTERVAL_MS = 60_000


@dataclass(frozen=True)
class RanCase:
    """One case the run judged, as the plugin hands it over."""

    test_file: TestFile
    group: TestGroup
    case: Case
    status: str


def _duration(text: object, default: int) -> int:
    try:
        return parse_duration(str(text)) if text else default
    except DurationError:
        return default


def _shown(path: Path, rootdir: Path) -> str:
    try:
        return str(path.resolve().relative_to(rootdir))
    except ValueError:
        return str(path)


def _annotations(path: Path) -> dict[tuple[str, int], tuple[tuple[str, str], ...]]:
    """Each alert's annotations, keyed by (name, line)."""
    try:
        root = yn.compose_file(path)
    except (yn.YamlError, OSError):
        return {}
    found = {}
    for group in yn.sequence(yn.get(root, "groups")):
        for rule in yn.sequence(yn.get(group, "rules")):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is None:
                continue
            node = yn.get(rule, "annotations")
            pairs = tuple((k, yn.scalar(yn.get(node, k)) or "") for k in yn.keys(node))
            found[(name, yn.line_of(rule))] = pairs
    return found


def _alert_views(coverage: CoverageReport, rootdir: Path) -> list[AlertView]:
    views = []
    for shown, entries in coverage.by_file().items():
        path = Path(shown) if Path(shown).is_absolute() else rootdir / shown
        try:
            definitions = {(d.name, d.line): d for d in load_alerts(path)}
        except (yn.YamlError, OSError):
            definitions = {}
        annotations = _annotations(path)
        for entry in entries:
            definition = definitions.get((entry.alert, entry.line))
            views.append(
                AlertView(
                    rule_file=shown,
                    name=entry.alert,
                    line=entry.line,
                    expr=definition.expr if definition else "",
                    for_text=_for_text(definition),
                    labels=definition.labels if definition else (),
                    annotations=annotations.get((entry.alert, entry.line), ()),
                    firing=entry.firing,
                    quiet=entry.quiet,
                )
            )
    return views


def _for_text(definition: AlertDefinition | None) -> str:
    if definition is None or not definition.for_ms:
        return "0s"
    return format_duration(definition.for_ms)


def _rows(coverage: CoverageReport) -> list[FileRow]:
    rows = []
    for shown, entries in coverage.by_file().items():
        covered = sum(e.covered for e in entries)
        rows.append(
            FileRow(
                rule_file=shown,
                alerts=len(entries),
                firing=sum(e.firing for e in entries),
                quiet=sum(e.quiet for e in entries),
                percent=100.0 * covered / len(entries),
                uncovered=tuple(e.alert for e in entries if not e.covered),
            )
        )
    return rows


@dataclass
class _ChartPlan:
    alert: str
    target: Target
    step_ms: int
    end_ms: int
    times: tuple[int, ...]
    alerts_query: str


def _plan(
    alert: str, definitions: Sequence[AlertDefinition], cases: Sequence[Case], file_step: int
) -> _ChartPlan:
    step = next((d.group_interval_ms for d in definitions if d.group_interval_ms), file_step)
    known = [c.eval_ms for c in cases if c.eval_ms is not None]
    end = (max(known) if known else 10 * step) + 2 * step
    stride = step * max(1, math.ceil(end / step / MAX_STEPS))
    expr = definitions[0].expr if definitions else ""
    return _ChartPlan(
        alert=alert,
        target=target(expr) if expr else Target((), None, "none", ("no rule defines this alert",)),
        step_ms=stride,
        end_ms=end,
        times=tuple(range(0, end + 1, stride)),
        alerts_query=f'ALERTS{{alertname="{alert}"}}',
    )


def _state(samples: Sequence[Sample]) -> State:
    states = {s.label("alertstate") for s in samples}
    if "firing" in states:
        return "firing"
    return "pending" if "pending" in states else "inactive"


def _spans(
    plan: _ChartPlan, answers: dict[tuple[str, int], tuple[Sample, ...]]
) -> tuple[Span, ...]:
    spans: list[Span] = []
    for t in plan.times:
        state = _state(answers.get((plan.alerts_query, t), ()))
        if state == "inactive":
            continue
        end = min(t + plan.step_ms, plan.end_ms)
        if spans and spans[-1].state == state and spans[-1].end_ms == t:
            spans[-1] = Span(state, spans[-1].start_ms, end)
        else:
            spans.append(Span(state, t, end))
    return tuple(spans)


def _compared(
    plan: _ChartPlan, answers: dict[tuple[str, int], tuple[Sample, ...]]
) -> tuple[tuple[Line, ...], list[str]]:
    by_labels: dict[str, dict[int, float | None]] = {}
    histograms = False
    several = len(plan.target.exprs) > 1
    for t, (n, expr) in itertools.product(plan.times, enumerate(plan.target.exprs, 1)):
        for sample in answers.get((expr, t), ()):
            key = sample.labels_text(without=("__name__",))
            key = f"[{n}] {key}" if several else key
            value = sample.value
            if value is None:
                histograms = True
            by_labels.setdefault(key, {})[t] = (
                value if value is not None and math.isfinite(value) else None
            )
    notes = []
    if histograms:
        notes.append("the compared value is a native histogram at some steps: not drawn")
    if len(by_labels) > MAX_COMPARED_LINES:
        notes.append(f"{len(by_labels) - MAX_COMPARED_LINES} more compared series not drawn")
    lines = tuple(
        Line(labels, tuple((t, values.get(t)) for t in plan.times))
        for labels, values in list(by_labels.items())[:MAX_COMPARED_LINES]
    )
    if not lines:
        notes.append("the compared expression returned nothing at every step")
    return lines, notes


def _numbered(exprs: Sequence[str]) -> str:
    if len(exprs) == 1:
        return exprs[0]
    return "; ".join(f"[{n}] {expr}" for n, expr in enumerate(exprs, 1))


def _chart(
    plan: _ChartPlan,
    group: dict[str, Any],
    input_step: int,
    answers: dict[tuple[str, int], tuple[Sample, ...]] | ProbeError,
) -> Chart:
    inputs, input_notes, common = input_lines(group, input_step, plan.end_ms)
    notes = list(plan.target.notes) + list(input_notes)
    if isinstance(answers, ProbeError):
        notes.insert(0, f"promtool could not evaluate this group for the chart: {answers}")
        compared: tuple[Line, ...] = ()
        spans: tuple[Span, ...] = ()
    else:
        compared, compared_notes = _compared(plan, answers)
        notes += compared_notes
        spans = _spans(plan, answers)
    return Chart(
        end_ms=plan.end_ms,
        step_ms=plan.step_ms,
        compared=compared,
        compared_text=_numbered(plan.target.exprs),
        threshold=plan.target.threshold,
        threshold_text=plan.target.text,
        inputs=inputs,
        inputs_common=common,
        spans=spans,
        notes=tuple(notes),
        evaluated=not isinstance(answers, ProbeError),
    )


def _charts_for_file(
    promtool: Promtool, test_file: TestFile, ran: Sequence[RanCase]
) -> tuple[dict[tuple[int, str], Chart], int]:
    """Charts keyed by (group index, alert), from one promtool run for the whole file."""
    file_step = _duration(
        yn.scalar(yn.get(test_file.root, "evaluation_interval")), DEFAULT_INTERVAL_MS
    )
    interval_text = yn.scalar(yn.get(test_file.root, "evaluation_interval")) or "1m"
    if _duration(interval_text, -1) < 0:
        interval_text = "1m"  # promtool reports the bad interval in the test run itself
    rule_files = [Path(p) for paths in test_file.resolve_rule_files().values() for p in paths]
    definitions: dict[str, list[AlertDefinition]] = {}
    for path in rule_files:
        try:
            for definition in load_alerts(path):
                definitions.setdefault(definition.name, []).append(definition)
        except (yn.YamlError, OSError):
            continue
    by_group: dict[int, dict[str, list[Case]]] = {}
    groups: dict[int, TestGroup] = {}
    for entry in ran:
        groups[entry.group.index] = entry.group
        by_group.setdefault(entry.group.index, {}).setdefault(entry.case.subject, []).append(
            entry.case
        )
    plans: list[tuple[int, dict[str, Any], list[_ChartPlan]]] = []
    for index, alerts in by_group.items():
        group = yaml.safe_load(yaml.serialize(groups[index].node)) or {}
        if not isinstance(group, dict):
            group = {}
        group_plans = [
            _plan(alert, definitions.get(alert, []), cases, file_step)
            for alert, cases in alerts.items()
        ]
        plans.append((index, group, group_plans))
    batch = query_groups(
        promtool,
        rule_files,
        interval_text,
        [
            GroupQueries(
                group,
                tuple(
                    dict.fromkeys(
                        (expr, t)
                        for plan in group_plans
                        for t in plan.times
                        for expr in (*plan.target.exprs, plan.alerts_query)
                        if expr
                    )
                ),
            )
            for _, group, group_plans in plans
        ],
    )
    charts = {}
    for (index, group, group_plans), answers in zip(plans, batch.answers, strict=True):
        input_step = _duration(group.get("interval"), file_step)
        for plan in group_plans:
            charts[(index, plan.alert)] = _chart(plan, group, input_step, answers)
    return charts, batch.runs


def collect(
    coverage: CoverageReport, ran: Sequence[RanCase], promtool: Promtool | None, rootdir: Path
) -> ReportData:
    """Everything the page shows; promtool None leaves every case without a chart."""
    alerts = _alert_views(coverage, rootdir)
    data = ReportData(
        rows=_rows(coverage),
        total_alerts=len(coverage.alerts),
        total_percent=coverage.percent,
        alerts=alerts,
    )
    alert_cases = [r for r in ran if r.case.kind == "alert"]
    by_file: dict[Path, list[RanCase]] = {}
    files: dict[Path, TestFile] = {}
    for entry in alert_cases:
        by_file.setdefault(entry.test_file.path, []).append(entry)
        files[entry.test_file.path] = entry.test_file
    charts: dict[tuple[Path, int, str], Chart] = {}
    if promtool is not None and by_file:
        # One promtool run per test file, side by side as the test runs are.
        with ThreadPoolExecutor(max_workers=min(len(by_file), os.cpu_count() or 1)) as pool:
            done = pool.map(
                lambda item: (item[0], _charts_for_file(promtool, files[item[0]], item[1])),
                by_file.items(),
            )
            for path, (found, runs) in done:
                data.promtool_runs += runs
                charts.update({(path, i, a): c for (i, a), c in found.items()})
    for entry in alert_cases:
        view = _view_for(alerts, entry, rootdir)
        view.cases.append(
            CaseView(
                test_file=_shown(entry.test_file.path, rootdir),
                line=entry.case.line,
                group=entry.group.label,
                name=entry.case.label,
                eval_ms=entry.case.eval_ms,
                eval_time=entry.case.eval_time,
                expects_firing=entry.case.expected_alerts > 0,
                status=entry.status,
                chart=charts.get((entry.test_file.path, entry.group.index, entry.case.subject)),
            )
        )
    return data


def _view_for(alerts: list[AlertView], entry: RanCase, rootdir: Path) -> AlertView:
    """The alert a case tests: in one of its test file's rule files, else by name alone."""
    rule_files = {
        _shown(Path(p), rootdir) for ps in entry.test_file.resolve_rule_files().values() for p in ps
    }
    named = [a for a in alerts if a.name == entry.case.subject]
    for view in named:
        if view.rule_file in rule_files:
            return view
    if named:
        return named[0]
    orphan = AlertView(
        rule_file="(no rule file of the run defines it)",
        name=entry.case.subject,
        line=0,
        expr="",
        for_text="",
        labels=(),
        annotations=(),
        firing=False,
        quiet=False,
    )
    alerts.append(orphan)
    return orphan
