"""Exact labels and annotations of derived alerts, read from one calibration run.

Whether and when an alert fires is derived; what its labels and annotations
say (templates, `$value`, labels the expression carries) is promtool's to
render. So every case is run once with the real rule file and placeholder
expectations, and the labels promtool reports at the ticks the case asserts
are written into the case. When promtool reports a different number of
alerts than derived, the derived labels stay, and the case will fail and show it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promrules.derive.batches import run_documents
from promrules.derive.cases import CaseDraft, Expectation
from promrules.derive.probe import parse_samples
from promrules.files.durations import format_duration
from promrules.promtool.binary import Promtool
from promrules.promtool.goquote import GoQuoteError, label_pairs
from promrules.promtool.output import Failure

__all__ = ["calibrate_labels", "parse_alerts"]

_PLACEHOLDER = {"promrules_placeholder": "calibration"}
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_LABELSET = rf"\{{(?:[^{{}}\"]|{_QUOTED})*\}}"
_ALERT_RE = re.compile(rf"Labels:({_LABELSET})\s*\n?\s*Annotations:({_LABELSET})")
_CHUNK = 300

Alert = tuple[dict[str, str], dict[str, str]]


def parse_alerts(text: str) -> list[Alert] | None:
    """promtool's printed alert list: (labels, annotations) per alert; None if unreadable."""
    try:
        alerts = [
            (dict(label_pairs(labels)), dict(label_pairs(notes)))
            for labels, notes in _ALERT_RE.findall(text)
        ]
    except GoQuoteError:
        return None
    if not alerts and text.strip() not in ("[]", ""):
        return None
    return alerts


def _placeholder_group(draft: CaseDraft) -> dict[str, Any]:
    alerts = [
        {
            "eval_time": format_duration(e.eval_ms),
            "alertname": draft.alert,
            "exp_alerts": [{"exp_labels": dict(_PLACEHOLDER)}],
        }
        for e in draft.expectations
        if e.kind == "alert" and e.count
    ]
    exprs = [
        {
            "expr": e.expr,
            "eval_time": format_duration(e.eval_ms),
            "exp_samples": [{"labels": '{promrules_placeholder="calibration"}', "value": 0}],
        }
        for e in draft.expectations
        if e.kind == "expr" and e.count
    ]
    group: dict[str, Any] = {
        "name": "calibration",
        "interval": format_duration(draft.interval_ms),
        "input_series": [{"series": s, "values": v} for s, v in draft.series],
    }
    if alerts:
        group["alert_rule_test"] = alerts
    if exprs:
        group["promql_expr_test"] = exprs
    return group


def _fill(draft: CaseDraft, failures: Sequence[Failure]) -> None:
    by_key = {(f.kind, f.subject, f.time_ms): f for f in failures}
    for e in draft.expectations:
        if not e.count:
            continue
        subject = draft.alert if e.kind == "alert" else e.expr
        failure = by_key.get((e.kind, subject, e.eval_ms))
        if failure is not None and failure.got is not None:
            _take(e, failure.got)


def _take(e: Expectation, got: str) -> None:
    """Keep promtool's labels when it reports as many alerts (or samples) as derived."""
    if e.kind == "alert":
        alerts = parse_alerts(got)
        if alerts is not None and len(alerts) == e.count:
            e.found = [(labels, notes, 1.0) for labels, notes in alerts]
        return
    samples = parse_samples(got)
    if samples is not None and len(samples) == e.count:
        e.found = [(s.label_dict, {}, s.value) for s in samples]


Job = tuple[Path, int, CaseDraft]  # rule file, evaluation interval, case


def _document(job: Job) -> dict[str, Any]:
    rule_file, interval, draft = job
    return {
        "rule_files": [str(rule_file.resolve())],
        "evaluation_interval": format_duration(interval),
        "tests": [_placeholder_group(draft)],
    }


def calibrate_labels(promtool: Promtool, jobs: Sequence[Job], workers: int = 2) -> None:
    """Fill in exact labels (and annotations) of every expectation that expects something.

    A case promtool gives no report for keeps its derived labels.
    """
    needed = [job for job in jobs if any(e.count for e in job[2].expectations)]
    answers = run_documents(promtool, [_document(j) for j in needed], _CHUNK, workers)
    for (_rule_file, _interval, draft), answer in zip(needed, answers, strict=True):
        if not isinstance(answer, str):
            _fill(draft, answer.failures)
