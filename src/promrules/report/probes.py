"""Ask promtool about many test groups of one test file in a single run.

`probe.query` answers for one group; a report needs every group's values at
every step. Each probe expression gets a PromQL comment naming its group
(promtool prints expressions as written, comment included, and ignores the
comment when evaluating), so one run can answer for all groups. When that run
cannot be read (one group's series are bad), each group is asked alone, so
that only the bad group goes without a chart.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promrules.promtool.binary import Promtool, PromtoolError
from promrules.promtool.output import parse_test_output
from promrules.promtool.query import NEVER, ProbeError, Sample, parse_samples, query

Answers = dict[tuple[str, int], tuple[Sample, ...]]


@dataclass(frozen=True)
class GroupQueries:
    group: Mapping[str, Any]  # the test group as a mapping; its own cases are left out
    queries: tuple[tuple[str, int], ...]


@dataclass
class BatchResult:
    answers: list[Answers | ProbeError]
    runs: int = 0
    notes: list[str] = field(default_factory=list)


def _tag(expr: str, index: int) -> str:
    return f"{expr}\n# promrules report group {index}"


def _document(
    rule_files: Sequence[Path], evaluation_interval: str, groups: Sequence[GroupQueries]
) -> dict[str, Any]:
    tests = []
    for index, wanted in enumerate(groups):
        base = {
            k: v
            for k, v in wanted.group.items()
            if k not in ("alert_rule_test", "promql_expr_test", "name")
        }
        probes = [
            {
                "expr": _tag(expr, index),
                "eval_time": f"{ms}ms",
                "exp_samples": [{"labels": NEVER, "value": 0}],
            }
            for expr, ms in wanted.queries
        ]
        tests.append({**base, "promql_expr_test": probes})
    return {
        "rule_files": [str(p.resolve()) for p in rule_files],
        "evaluation_interval": evaluation_interval,
        "tests": tests,
    }


def _one_run(
    promtool: Promtool,
    rule_files: Sequence[Path],
    evaluation_interval: str,
    groups: Sequence[GroupQueries],
) -> list[Answers]:
    document = _document(rule_files, evaluation_interval, groups)
    with tempfile.TemporaryDirectory(prefix="promrules-report-") as tmp:
        path = Path(tmp) / "report-probes.yml"
        # JSON is YAML to promtool, and writes thousands of probes far faster than PyYAML.
        path.write_text(json.dumps(document))
        run = promtool.test_rules(path)
    reports = parse_test_output(run.output)
    if run.crashed or len(reports) != 1:
        raise ProbeError(f"promtool could not run the probes (exit {run.returncode})")
    answers: list[Answers] = [{} for _ in groups]
    for failure in reports[0].failures:
        if failure.kind != "expr" or failure.subject is None or failure.time_ms is None:
            raise ProbeError(failure.text.strip())
        expr, _, tag = failure.subject.rpartition("\n# promrules report group ")
        if not tag.isdigit() or int(tag) >= len(groups):
            raise ProbeError(f"unexpected probe in promtool's output: {failure.subject!r}")
        if failure.error is not None:
            raise ProbeError(f"{expr} at {failure.time_ms}ms: {failure.error}")
        answers[int(tag)][(expr, failure.time_ms)] = parse_samples(failure.got or "nil")
    for wanted, got in zip(groups, answers, strict=True):
        if any(q not in got for q in wanted.queries):
            raise ProbeError("promtool gave no answer for some probes")
    return answers


def query_groups(
    promtool: Promtool,
    rule_files: Sequence[Path],
    evaluation_interval: str,
    groups: Sequence[GroupQueries],
) -> BatchResult:
    """Each group's answers, or the error that kept promtool from giving them."""
    result = BatchResult(answers=[])
    if not groups:
        return result
    result.runs += 1
    try:
        result.answers = list(_one_run(promtool, rule_files, evaluation_interval, groups))
        return result
    except (ProbeError, PromtoolError):
        pass
    for wanted in groups:
        result.runs += 1
        try:
            result.answers.append(
                query(
                    promtool,
                    list(wanted.queries),
                    group=wanted.group,
                    rule_files=rule_files,
                    evaluation_interval=evaluation_interval,
                )
            )
        except (ProbeError, PromtoolError) as exc:
            result.answers.append(ProbeError(str(exc)))
    return result
