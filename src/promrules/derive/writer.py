"""Write derived cases as a plain promtool test file.

The file needs nothing but promtool: `rule_files` relative to the file,
`evaluation_interval`, and one group per case with its own `interval:`.
Groups keep the order of the rule file (alert, condition, case) and every
mapping a fixed key order, so regenerating an unchanged rule file gives the
same bytes, and a diff of the file is a diff of behaviour.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from promrules.derive.cases import CaseDraft, Expectation
from promrules.derive.model import AlertDerivation
from promrules.files.durations import format_duration, parse_duration

__all__ = ["case_group", "render_test_file", "write_test_file"]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _series_text(labels: dict[str, str]) -> str:
    name = labels.get("__name__", "")
    rest = ", ".join(f"{k}={_quote(v)}" for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def _entries(e: Expectation) -> list[tuple[dict[str, str], dict[str, str], float]]:
    if e.found is not None:
        return e.found
    return [(labels, {}, 1.0) for labels in e.derived]


def _alert_test(alert: str, e: Expectation) -> dict[str, Any]:
    expected: list[dict[str, Any]] = []
    for labels, notes, _value in sorted(_entries(e), key=lambda x: sorted(x[0].items())):
        entry: dict[str, Any] = {
            "exp_labels": {k: v for k, v in sorted(labels.items()) if k != "alertname"}
        }
        if notes:
            entry["exp_annotations"] = dict(sorted(notes.items()))
        expected.append(entry)
    return {"eval_time": format_duration(e.eval_ms), "alertname": alert, "exp_alerts": expected}


def _expr_test(e: Expectation) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    for labels, _notes, value in sorted(_entries(e), key=lambda x: sorted(x[0].items())):
        number: float | int = int(value) if value == int(value) else value
        samples.append({"labels": _series_text(labels), "value": number})
    return {"expr": e.expr, "eval_time": format_duration(e.eval_ms), "exp_samples": samples}


def case_group(draft: CaseDraft) -> dict[str, Any]:
    """The promtool test group of one derived case."""
    group: dict[str, Any] = {
        "name": draft.name,
        "interval": format_duration(draft.interval_ms),
        "input_series": [{"series": s, "values": v} for s, v in draft.series],
    }
    alerts = [_alert_test(draft.alert, e) for e in draft.expectations if e.kind == "alert"]
    exprs = [_expr_test(e) for e in draft.expectations if e.kind == "expr"]
    if alerts:
        group["alert_rule_test"] = sorted(alerts, key=lambda a: _ms(a["eval_time"]))
    if exprs:
        group["promql_expr_test"] = sorted(exprs, key=lambda a: _ms(a["eval_time"]))
    return group


def _ms(text: str) -> int:
    return parse_duration(text)


def _header(rule_file: str, derivations: Sequence[AlertDerivation]) -> list[str]:
    lines = [
        f"# Boundary tests derived from {rule_file} by promrules.derive.",
        "# Generated: edit the rules, not this file; regenerate to update it.",
    ]
    for derivation in derivations:
        for gap in derivation.not_derived:
            lines.append(f"# {derivation.alert}: {gap.render()}")
    return lines


def render_test_file(
    derivations: Sequence[AlertDerivation], rule_file: str | Path, out_path: str | Path
) -> str:
    """The text of a promtool test file for the derivations of one rule file."""
    out_dir = Path(out_path).resolve().parent
    relative = os.path.relpath(Path(rule_file).resolve(), out_dir)
    intervals = {d.evaluation_interval_ms for d in derivations}
    if len(intervals) > 1:
        raise ValueError(
            f"derivations of {rule_file} use different evaluation intervals {sorted(intervals)}; "
            "derive the whole rule file at once"
        )
    interval = intervals.pop() if intervals else 60_000
    document = {
        "rule_files": [relative],
        "evaluation_interval": format_duration(interval),
        "tests": [case.group for d in derivations for case in d.cases],
    }
    body = yaml.safe_dump(
        document, sort_keys=False, default_flow_style=False, width=1 << 20, allow_unicode=True
    )
    return "\n".join([*_header(relative, derivations), body])


def write_test_file(
    derivations: Sequence[AlertDerivation], rule_file: str | Path, out_path: str | Path
) -> Path:
    """Write the promtool test file for one rule file's derivations; returns its path."""
    path = Path(out_path)
    path.write_text(render_test_file(derivations, rule_file, path), encoding="utf-8")
    return path
