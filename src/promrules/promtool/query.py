"""Ask promtool what PromQL expressions return at given times.

promtool 2.42 cannot print a query result, but a failing `promql_expr_test`
prints everything it got, values in shortest round-trip form. So each probe
expects a sample no query returns and reads promtool's `got:`. Timelines and
checks built on this show what promtool evaluated, never a re-implementation
of PromQL.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from promrules.promtool.binary import Promtool
from promrules.promtool.goquote import GoQuoteError, label_pairs
from promrules.promtool.output import parse_test_output

__all__ = ["ProbeError", "Sample", "query"]

NEVER = '{__promrules_probe__="never"}'
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_SAMPLE_RE = re.compile(
    rf"(\{{(?:[^{{}}\"]|{_QUOTED})*\}}) (\{{\{{.*?\}}\}}|[^,\s]+)(?:, |$)", re.DOTALL
)


class ProbeError(Exception):
    """promtool could not evaluate the probes (bad series, rules or expression)."""


@dataclass(frozen=True)
class Sample:
    """One sample of a query result, as promtool printed it."""

    labels: tuple[tuple[str, str], ...]
    text: str  # the value as printed: '1.2E+02', 'NaN' or '{{...}}' for a histogram

    @property
    def value(self) -> float | None:
        """The float value; None for a native histogram."""
        return None if self.text.startswith("{{") else float(self.text)

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)

    def labels_text(self, *, without: Sequence[str] = ()) -> str:
        """`{a="1", b="2"}` without the named labels."""
        pairs = [f'{k}="{v}"' for k, v in self.labels if k not in without]
        return "{" + ", ".join(pairs) + "}"


def parse_samples(got: str) -> tuple[Sample, ...]:
    """promtool's `got:` text (`nil`, or `{labels} value, ...`) as samples."""
    text = got.strip()
    if text in ("nil", "[]", ""):
        return ()
    samples = []
    for labels, value in _SAMPLE_RE.findall(text):
        try:
            pairs = label_pairs(labels)
        except GoQuoteError as exc:
            raise ProbeError(f"promrules could not read promtool's result: {exc}") from None
        samples.append(Sample(pairs, value))
    if not samples:
        raise ProbeError(f"promrules could not read promtool's result: {text}")
    return tuple(samples)


def _document(
    rule_files: Sequence[str | Path],
    evaluation_interval: str,
    group: Mapping[str, Any],
    queries: Sequence[tuple[str, int]],
) -> dict[str, Any]:
    probes = [
        {"expr": expr, "eval_time": f"{ms}ms", "exp_samples": [{"labels": NEVER, "value": 0}]}
        for expr, ms in queries
    ]
    test = {k: v for k, v in group.items() if k not in ("alert_rule_test", "promql_expr_test")}
    return {
        "rule_files": [str(Path(p).resolve()) for p in rule_files],
        "evaluation_interval": evaluation_interval,
        "tests": [{**test, "promql_expr_test": probes}],
    }


def query(
    promtool: Promtool,
    queries: Sequence[tuple[str, int]],
    *,
    group: Mapping[str, Any],
    rule_files: Sequence[str | Path] = (),
    evaluation_interval: str = "1m",
) -> dict[tuple[str, int], tuple[Sample, ...]]:
    """What each (expression, time in ms) returns with these series and rules loaded.

    `group` is a test group as a mapping (`interval`, `input_series`, ...); its
    own cases are left out. One promtool process answers every query.
    """
    wanted = list(dict.fromkeys(queries))
    if not wanted:
        return {}
    document = _document(rule_files, evaluation_interval, group, wanted)
    with tempfile.TemporaryDirectory(prefix="promrules-probe-") as tmp:
        path = Path(tmp) / "probe.yml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, width=1_000_000))
        run = promtool.test_rules(path)
    reports = parse_test_output(run.output)
    if run.crashed or len(reports) != 1:
        raise ProbeError(
            f"promtool could not run the probes (exit {run.returncode}):\n{run.output}"
        )
    answers: dict[tuple[str, int], tuple[Sample, ...]] = {}
    for failure in reports[0].failures:
        if failure.kind != "expr" or failure.subject is None or failure.time_ms is None:
            raise ProbeError(failure.text.strip())
        if failure.error is not None:
            raise ProbeError(f"{failure.subject} at {failure.time_ms}ms: {failure.error}")
        answers[(failure.subject, failure.time_ms)] = parse_samples(failure.got or "nil")
    missing = [q for q in wanted if q not in answers]
    if missing:
        raise ProbeError(f"promtool gave no answer for {missing[:3]} (output:\n{run.output})")
    return answers
