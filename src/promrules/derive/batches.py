"""Run many small generated test files through promtool, a few processes for all.

Derivation asks promtool thousands of small questions (probes, label
calibration, verification), each a one-group test file. They go in chunks,
one promtool process per chunk, chunks side by side. When a chunk's output
does not give one report per file (a crash, a timeout, output not
understood), the chunk is split in halves until the file behind it is named,
so one bad file costs only its own answer.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from promrules.promtool.binary import Promtool, PromtoolError
from promrules.promtool.output import FileReport, parse_test_output

__all__ = ["Answer", "run_documents"]

# A file's report, or why promtool gave none for it.
Answer = FileReport | str


def _run_chunk(promtool: Promtool, documents: Sequence[dict[str, Any]]) -> list[Answer]:
    with tempfile.TemporaryDirectory(prefix="promrules-derive-") as tmp:
        paths = []
        for n, document in enumerate(documents):
            path = Path(tmp) / f"case{n}.yml"
            path.write_text(json.dumps(document))  # JSON is YAML promtool reads as written
            paths.append(path)
        try:
            run = promtool.test_rules(*paths)
        except PromtoolError as exc:
            if len(documents) == 1:
                return [str(exc)]
            return _halves(promtool, documents)
    reports: list[Answer] = list(parse_test_output(run.output))
    if len(reports) == len(documents):
        return reports
    if len(documents) == 1:
        return [f"promtool output not understood (exit {run.returncode}):\n{run.output[-3000:]}"]
    return _halves(promtool, documents)


def _halves(promtool: Promtool, documents: Sequence[dict[str, Any]]) -> list[Answer]:
    half = len(documents) // 2
    return _run_chunk(promtool, documents[:half]) + _run_chunk(promtool, documents[half:])


def run_documents(
    promtool: Promtool, documents: Sequence[dict[str, Any]], chunk: int, workers: int = 2
) -> list[Answer]:
    """One answer per test document, in order; `chunk` documents per promtool process."""
    chunks = [documents[i : i + chunk] for i in range(0, len(documents), chunk)]
    if workers <= 1 or len(chunks) <= 1:
        answers = [_run_chunk(promtool, c) for c in chunks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            answers = list(pool.map(lambda c: _run_chunk(promtool, c), chunks))
    return [answer for chunk_answers in answers for answer in chunk_answers]
