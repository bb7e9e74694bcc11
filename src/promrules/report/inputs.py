"""A test group's input series as chartable lines, expanded from promtool's notation.

Missing samples and stale markers break the line; native histograms cannot be
drawn on a value axis and are named in a note instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from promrules import notation
from promrules.report.model import Line

MAX_LINES = 8


def input_lines(
    group: Mapping[str, Any], step_ms: int, end_ms: int
) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """Lines of the group's `input_series` up to end_ms, and notes on what was left out."""
    lines: list[Line] = []
    notes: list[str] = []
    entries = group.get("input_series") or []
    for entry in entries:
        if not isinstance(entry, Mapping):
            notes.append(f"input series entry {entry!r} is not a mapping")
            continue
        selector = str(entry.get("series", ""))
        try:
            values = notation.expand(str(entry.get("values", "")))
        except notation.NotationError as exc:
            notes.append(f"input series {selector} not charted: {exc}")
            continue
        if any(isinstance(v, notation.Histogram) for v in values):
            notes.append(f"input series {selector} not charted: native histogram samples")
            continue
        points: list[tuple[int, float | None]] = []
        for index, value in enumerate(values):
            ms = index * step_ms
            if ms > end_ms:
                break
            number = value if isinstance(value, float) and math.isfinite(value) else None
            points.append((ms, number))
        lines.append(Line(selector, tuple(points)))
    if len(lines) > MAX_LINES:
        notes.append(f"{len(lines) - MAX_LINES} more input series not drawn")
        lines = lines[:MAX_LINES]
    return tuple(lines), tuple(notes)
