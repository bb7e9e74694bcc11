"""Run derived cases with bare promtool and say which fail, case by case.

Each case is written as its own test file (the rule file by absolute path),
and many such files share one promtool process, so a failure is attributed
to exactly one case without a second run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from promrules.derive.batches import run_documents
from promrules.derive.model import AlertDerivation
from promrules.files.durations import format_duration
from promrules.promtool.binary import Promtool

__all__ = ["verify"]

_CHUNK = 100


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
    documents = [
        {
            "rule_files": [str(rule_file.resolve())],
            "evaluation_interval": format_duration(interval),
            "tests": [case.group],
        }
        for rule_file, interval, case in items
    ]
    failures: dict[tuple[Path, str], str] = {}
    answers = run_documents(promtool, documents, _CHUNK, workers)
    for (rule_file, _interval, case), answer in zip(items, answers, strict=True):
        if isinstance(answer, str):
            failures[(rule_file, case.name)] = answer
        elif answer.failed:
            text = "\n".join(f.text for f in answer.failures)
            failures[(rule_file, case.name)] = text or "failed"
    return failures
