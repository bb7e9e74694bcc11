"""A compact timeline of one alert around a time: inputs, condition, state, expectation.

"Expected firing at 6m, got nothing" rarely says why; the steps before it do.
Every value shown comes from promtool (`probe`), evaluated on the test
group's own series and rules: the input series as the rule sees them
(lookback included), the alert's expression, and the alert's state from the
ALERTS series.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from promrules.derive.printer import string_text
from promrules.engine.trim import trimmed_rule_files
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.model import Case, TestGroup, load_test_file
from promrules.files.notation import format_number
from promrules.promtool.binary import Promtool, PromtoolError
from promrules.promtool.query import ProbeError, Sample, query

__all__ = ["Timeline", "build", "build_for_group", "failure_timeline"]

_WIDEST = 48
_HIDDEN = ("__name__", "alertname", "alertstate")


@dataclass(frozen=True)
class Timeline:
    """Rows of cells, one row per evaluation step; `render()` lays them out."""

    alertname: str
    step_ms: int
    around_ms: int
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]

    def render(self) -> str:
        header = (
            f"timeline of {self.alertname} around {format_duration(self.around_ms)}, one row "
            f"per evaluation (every {format_duration(self.step_ms)}); values and states "
            "as promtool evaluated them:"
        )
        table = [("", "time", *self.headers)] + [
            (">" if ms == self._marked() else "", format_duration(ms), *cells)
            for ms, cells in self.rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = [header]
        for row in table:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            lines.append(("  " + "  ".join(cells)).rstrip())
        return "\n".join(lines)

    def _marked(self) -> int:
        return self.around_ms - self.around_ms % self.step_ms

    def __str__(self) -> str:
        return self.render()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _WIDEST else text[: _WIDEST - 3] + "..."


def _value_cell(samples: Sequence[Sample]) -> str:
    if not samples:
        return "-"
    if len(samples) > 1:
        return f"{len(samples)} series"
    value = samples[0].value
    return "histogram" if value is None else format_number(value)


def _state_cell(samples: Sequence[Sample], shown: Sequence[str]) -> str:
    if not samples:
        return "inactive"
    parts = []
    for sample in samples:
        state = sample.label("alertstate") or "?"
        labels = [f'{k}="{v}"' for k, v in sample.labels if k in shown]
        parts.append(state + ("{" + ", ".join(labels) + "}" if labels else ""))
    return " ".join(sorted(parts))


def _differing_labels(answers: Sequence[Sequence[Sample]]) -> list[str]:
    """Label names whose values tell the alert's series apart."""
    sets = {tuple((k, v) for k, v in s.labels if k not in _HIDDEN) for ss in answers for s in ss}
    names = sorted({k for labels in sets for k, _ in labels})
    return [n for n in names if len({dict(labels).get(n) for labels in sets}) > 1]


def build_for_group(
    promtool: Promtool,
    group: Mapping[str, Any],
    rule_files: Sequence[Path],
    alertname: str,
    around_ms: int,
    *,
    evaluation_interval: str = "1m",
    expected: Mapping[int, str] | None = None,
    before: int = 5,
    after: int = 2,
    trim_into: Path | None = None,
) -> Timeline:
    """A timeline for a test group given as a mapping (`interval`, `input_series`, ...).

    `trim_into`: a folder for rule files trimmed to what the timeline's
    queries need (as test groups are trimmed; docs/user-guide.md).
    """
    definitions: list[AlertDefinition] = []
    for path in rule_files:
        definitions += [d for d in load_alerts(path) if d.name == alertname]
    step = next(
        (d.group_interval_ms for d in definitions if d.group_interval_ms),
        parse_duration(evaluation_interval),
    )
    centre = around_ms - around_ms % step
    times = [t for t in range(centre - before * step, centre + (after + 1) * step, step) if t >= 0]
    selectors = [str(entry.get("series", "")) for entry in group.get("input_series") or []]
    exprs = list(dict.fromkeys(d.expr for d in definitions if d.expr))
    alerts = f"ALERTS{{alertname={string_text(alertname)}}}"  # names may hold quotes
    columns = [*dict.fromkeys(selectors), *exprs, alerts]
    if trim_into is not None:
        rule_files = trimmed_rule_files(rule_files, alertname, columns, selectors, trim_into)
    answers = query(
        promtool,
        [(expr, t) for t in times for expr in columns],
        group=group,
        rule_files=rule_files,
        evaluation_interval=evaluation_interval,
    )
    shown = _differing_labels([answers[(alerts, t)] for t in times])
    expected = expected or {}
    rows = []
    for t in times:
        cells = [_value_cell(answers[(c, t)]) for c in columns[:-1]]
        cells.append(_state_cell(answers[(alerts, t)], shown))
        cells.append(expected.get(t, ""))
        rows.append((t, tuple(cells)))
    headers = (*(_short(c) for c in columns[:-1]), alertname, "expected")
    return Timeline(alertname, step, around_ms, headers, tuple(rows))


def build(
    promtool: Promtool,
    test_file_path: Path,
    group_index: int,
    alertname: str,
    around_ms: int,
    *,
    expected: Mapping[int, str] | None = None,
    before: int = 5,
    after: int = 2,
    trim: bool = False,
) -> Timeline:
    """A timeline of `alertname` in one group of a promtool test file on disk.

    Raises probe.ProbeError when promtool cannot evaluate the group (bad
    series or rules): then the test's own failure already says why.
    """
    test_file = load_test_file(Path(test_file_path))
    group = yaml.safe_load(yaml.serialize(test_file.groups[group_index].node))
    interval = yn.scalar(yn.get(test_file.root, "evaluation_interval")) or "1m"
    try:
        parse_duration(interval)
    except DurationError:
        interval = "1m"
    rule_files = [Path(p) for paths in test_file.resolve_rule_files().values() for p in paths]
    scratch = tempfile.TemporaryDirectory(prefix="promrules-timeline-") if trim else None
    with scratch or contextlib.nullcontext():
        return build_for_group(
            promtool,
            group,
            rule_files,
            alertname,
            around_ms,
            evaluation_interval=interval,
            expected=expected,
            before=before,
            after=after,
            trim_into=Path(scratch.name) if scratch else None,
        )


def failure_timeline(
    promtool: Promtool, path: Path, group: TestGroup, case: Case, trim: bool = False
) -> str:
    """The rendered timeline shown under a failed alert case, or why there is none."""
    if case.eval_ms is None:
        return ""
    want = "firing" if case.expected_alerts else "not firing"
    try:
        found = build(
            promtool,
            path,
            group.index,
            case.subject,
            case.eval_ms,
            expected={case.eval_ms: want},
            trim=trim,
        )
    except (ProbeError, PromtoolError, yn.YamlError, OSError) as exc:
        return f"(no timeline: {exc})"
    return found.render()
