"""A pytest plugin the benchmark loads to read collection time and peak memory.

Peak memory is the pytest process's own, and the largest promtool process it
waited for (RUSAGE_CHILDREN's maximum RSS is that of the largest child).

It writes one JSON object to the file named by PROMRULES_PROBE_OUT.
"""

from __future__ import annotations

import json
import os
import resource
import time

import pytest

_marks: dict[str, float] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _marks["start"] = time.perf_counter()


def pytest_collection_finish(session: pytest.Session) -> None:
    _marks["collected"] = time.perf_counter()
    _marks["items"] = len(session.items)


def pytest_unconfigure(config: pytest.Config) -> None:
    out = os.environ.get("PROMRULES_PROBE_OUT")
    if not out or "collected" not in _marks:
        return
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(out, "w") as handle:
        json.dump(
            {
                "collect_seconds": _marks["collected"] - _marks["start"],
                "items": _marks["items"],
                "peak_mib": peak_kib / 1024,
                "promtool_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            },
            handle,
        )
