"""One chart per (test group, alert), from a single promtool run per test file.

For every group that checks an alert, the compared value (`threshold.target`)
and `ALERTS{alertname=...}` are probed at every evaluation step up to the
group's last checked time (`probes.query_groups`); the input series are
expanded from their notation (`inputs`), without promtool.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from promrules.derive.printer import string_text
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import DurationError, parse_duration
from promrules.files.model import Case, TestFile, TestGroup
from promrules.promtool.binary import Promtool
from promrules.promtool.query import ProbeError, Sample
from promrules.report.inputs import input_lines
from promrules.report.model import Chart, Line, RanCase, Span, State
from promrules.report.probes import GroupQueries, query_groups
from promrules.report.threshold import Target, target

MAX_STEPS = 240
MAX_COMPARED_LINES = 6
DEFAULT_INTERVAL_MS = 60_000


def _duration(text: object, default: int) -> int:
    try:
        return parse_duration(str(text)) if text else default
    except DurationError:
        return default


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
        alerts_query=f"ALERTS{{alertname={string_text(alert)}}}",
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


def charts_for_file(
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
