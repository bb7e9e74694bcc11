"""Derivation's batch runner: one answer per generated file, even when promtool crashes.

The crash comes from a wrapper around the real promtool (the real one does not
crash on demand): it dies whenever one of its files holds the marker, and runs
the real promtool otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promrules.derive.batches import run_documents
from promrules.promtool.binary import Promtool

CRASHING = """#!/bin/sh
for f in "$@"; do
  if [ -f "$f" ] && grep -q CRASH_ME "$f"; then echo "panic: boom"; exit 2; fi
done
exec {real} "$@"
"""


def document(name: str, value: int) -> dict[str, Any]:
    """One group checking `vector(1)`: passes when value is 1."""
    case = {
        "expr": "vector(1)",
        "eval_time": "0m",
        "exp_samples": [{"labels": "{}", "value": value}],
    }
    return {"tests": [{"name": name, "promql_expr_test": [case]}]}


@pytest.fixture
def crashing(tmp_path: Path, promtool: Promtool) -> Promtool:
    wrapper = tmp_path / "crashing-promtool"
    wrapper.write_text(CRASHING.format(real=promtool.path))
    wrapper.chmod(0o755)
    return Promtool(str(wrapper), promtool.version, "test")


@pytest.mark.parametrize("workers", [1, 2])
def test_every_document_gets_its_own_answer_in_order(promtool: Promtool, workers: int) -> None:
    documents = [document(f"g{n}", 1 if n % 3 else 2) for n in range(7)]
    answers = run_documents(promtool, documents, chunk=3, workers=workers)
    assert [not isinstance(a, str) and a.failed for a in answers] == [n % 3 == 0 for n in range(7)]


def test_a_crash_costs_only_the_answer_of_the_file_behind_it(crashing: Promtool) -> None:
    documents = [document("CRASH_ME" if n == 4 else f"g{n}", 1) for n in range(6)]
    answers = run_documents(crashing, documents, chunk=6, workers=1)
    assert isinstance(answers[4], str) and "panic: boom" in answers[4]
    others = [a for n, a in enumerate(answers) if n != 4]
    assert all(not isinstance(a, str) and not a.failed for a in others)
