"""Run derived cases with bare promtool and say which fail, case by case.

Each case is written as its own test file (the rule file by absolute path),
and many such files share one promtool process, so a failure is attributed
to exactly one case without a second run.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from promrules.derive.model import AlertDerivation, DerivedCase
from promrules.durations import format_duration
from promrules.output import parse_test_output
from promrules.promtool import Promtool, PromtoolError

__all__ = ["verify"]

_CHUNK = 100


def _run(promtool: Promtool, items: Sequence[tuple[Path, int, DerivedCase]]) -> dict[int, str]:
    failed: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="promrules-verify-") as tmp:
        paths = []
        for n, (rule_file, interval, case) in enumerate(items):
            document = {
                "rule_files": [str(rule_file.resolve())],
                "evaluation_interval": format_duration(interval),
                "tests": [case.group],
            }
            path = Path(tmp) / f"case{n}.yml"
            path.write_text(json.dumps(document))
            paths.append(path)
        try:
            run = promtool.test_rules(*paths)
        except PromtoolError as exc:
            # A crash or a timeout stops the whole run: split it, so the one case
            # behind it is named and the others still count.
            if len(items) == 1:
                return {0: str(exc)}
            return _halves(promtool, items)
    reports = parse_test_output(run.output)
    if len(reports) != len(items):
        if len(items) == 1:
            return {0: f"promtool output not understood:\n{run.output[-3000:]}"}
        return _halves(promtool, items)
    for n, report in enumerate(reports):
        if report.failed:
            failed[n] = "\n".join(f.text for f in report.failures) or "failed"
    return failed


def _halves(promtool: Promtool, items: Sequence[tuple[Path, int, DerivedCase]]) -> dict[int, str]:
    half = len(items) // 2
    first = _run(promtool, items[:half])
    second = _run(promtool, items[half:])
    return {**first, **{n + half: text for n, text in second.items()}}


def verify(
    promtool: Promtool,
    derived: Sequence[tuple[Path, Sequence[AlertDerivation]]],
    workers: int = 2,
) -> dict[tuple[Path, str], str]:
    """Failing cases as {(rule file, case name): promtool's failure text}; {} when all pass."""
    items = [
        (rule_file, d.evaluation_interval_ms, case)
        for rule_file, derivations in derived
        for d in derivations
        for case in d.cases
    ]
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(lambda chunk: _run(promtool, chunk), chunks))
    failures: dict[tuple[Path, str], str] = {}
    for chunk, failed in zip(chunks, outcomes, strict=True):
        for n, text in failed.items():
            rule_file, _interval, case = chunk[n]
            failures[(rule_file, case.name)] = text
    return failures
