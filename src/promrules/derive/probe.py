"""Ask promtool what an expression returns for synthetic series: calibration.

Derivation never computes PromQL itself. A probe is one test group with
input series and queries at chosen times, each expecting a placeholder
sample that cannot match; promtool then prints what it got, which is read
back as labelled values. Each probe is its own file, so a probe that
promtool rejects (a bad series, an unknown function) fails alone, and many
probes share one promtool process; processes run side by side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from promrules.derive.batches import run_documents
from promrules.files.durations import format_duration
from promrules.promtool.binary import Promtool
from promrules.promtool.goquote import GoQuoteError, label_pairs

__all__ = ["Probe", "QueryResult", "Sample", "parse_samples", "run_probes"]

PLACEHOLDER = '{promrules_placeholder="calibration"}'
_TAG_RE = re.compile(r"# promrules-q(\d+)\s*$")
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_SAMPLE_RE = re.compile(rf"\{{((?:[^{{}}\"]|{_QUOTED})*)\}} (\S+?)(?:, |$)")
_CHUNK = 400  # probes per promtool process


@dataclass(frozen=True)
class Sample:
    labels: tuple[tuple[str, str], ...]
    value: float

    @property
    def label_dict(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True)
class QueryResult:
    """What one query returned: samples, or promtool's error text."""

    samples: tuple[Sample, ...] = ()
    error: str | None = None

    @property
    def value(self) -> float | None:
        """The value when there is exactly one sample."""
        return self.samples[0].value if len(self.samples) == 1 else None


@dataclass
class Probe:
    """One calibration group: series, their notation step, and (expr, time) queries."""

    series: list[tuple[str, str]]
    interval_ms: int
    queries: list[tuple[str, int]]
    evaluation_interval_ms: int = 60_000
    results: list[QueryResult] = field(default_factory=list)


def parse_samples(text: str) -> tuple[Sample, ...] | None:
    """promtool's sample list (`{a="b"} 1E+00, {...} NaN` or `nil`); None if unreadable."""
    text = text.strip()
    if text in ("nil", "[]", ""):
        return ()
    found = []
    for match in _SAMPLE_RE.finditer(text):
        try:
            labels = label_pairs(match[1])
            value = float(match[2])
        except (GoQuoteError, ValueError):
            return None
        found.append(Sample(labels, value))
    return tuple(found) if found else None


def _group(probe: Probe, number_base: int) -> dict[str, Any]:
    return {
        "interval": format_duration(probe.interval_ms),
        "input_series": [{"series": s, "values": v} for s, v in probe.series],
        "promql_expr_test": [
            {
                "expr": f"{expr} # promrules-q{number_base + n}",
                "eval_time": format_duration(t),
                "exp_samples": [{"labels": PLACEHOLDER, "value": 0}],
            }
            for n, (expr, t) in enumerate(probe.queries)
        ],
    }


def _read(probe: Probe, report_failures: Sequence[Any]) -> list[QueryResult]:
    results: dict[int, QueryResult] = {}
    other = []
    for failure in report_failures:
        match = _TAG_RE.search(failure.subject or "") if failure.kind == "expr" else None
        if match is None:
            other.append(failure.text.strip())
            continue
        number = int(match[1])
        if failure.error:
            results[number] = QueryResult(error=failure.error.strip())
            continue
        samples = parse_samples(failure.got or "")
        if samples is None:
            results[number] = QueryResult(error=f"unreadable result: {failure.got}")
        else:
            results[number] = QueryResult(samples)
    missing = "; ".join(other) or "promtool gave no result for this query"
    return [results.get(n, QueryResult(error=missing)) for n in range(len(probe.queries))]


def _document(probe: Probe) -> dict[str, Any]:
    return {
        "evaluation_interval": format_duration(probe.evaluation_interval_ms),
        "tests": [_group(probe, 0)],
    }


def run_probes(promtool: Promtool, probes: Sequence[Probe], workers: int = 2) -> None:
    """Fill in `results` of every probe, running promtool on chunks side by side."""
    answers = run_documents(promtool, [_document(p) for p in probes], _CHUNK, workers)
    for probe, answer in zip(probes, answers, strict=True):
        if isinstance(answer, str):
            probe.results = [QueryResult(error=answer)] * len(probe.queries)
        else:
            probe.results = _read(probe, answer.failures)
