"""A test group's input series as chartable lines, expanded from promtool's notation.

Missing samples and stale markers break the line; native histograms cannot be
drawn on a value axis and are named in a note instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from promrules.files import notation
from promrules.report.model import Line

MAX_LINES = 8


def input_lines(
    group: Mapping[str, Any], step_ms: int, end_ms: int
) -> tuple[tuple[Line, ...], tuple[str, ...], str]:
    """Lines of the group's `input_series` up to end_ms, notes on what was left out,
    and what all the lines' selectors share (their labels keep only what differs)."""
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
    short, common = short_labels([line.label for line in lines])
    shortened = tuple(
        Line(label, line.points, line.label) for label, line in zip(short, lines, strict=True)
    )
    return shortened, tuple(notes), common


_SELECTOR = re.compile(r"^\s*([A-Za-z_:][A-Za-z0-9_:]*)?\s*(?:\{(.*)\})?\s*$", re.S)
_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')


def _parts(selector: str) -> tuple[str, dict[str, str]] | None:
    match = _SELECTOR.match(selector)
    if not match:
        return None
    return match[1] or "", dict(_PAIR.findall(match[2] or ""))


def short_labels(selectors: list[str]) -> tuple[list[str], str]:
    """Each series by what tells it apart from the others, and what they all share.

    Ten buckets of one histogram read `le="0.5"`, `le="1"`, ... with the name and
    the shared labels said once. Selectors that cannot be read are kept whole.
    """
    parsed = [_parts(s) for s in selectors]
    if len(selectors) < 2 or any(p is None for p in parsed):
        return list(selectors), ""
    read = [p for p in parsed if p is not None]
    names = {name for name, _ in read}
    keys = sorted({k for _, labels in read for k in labels})
    differing = [k for k in keys if len({labels.get(k) for _, labels in read}) > 1]
    shared = {k: read[0][1][k] for k in keys if k not in differing and k in read[0][1]}
    short = []
    for name, labels in read:
        pairs = ", ".join(f'{k}="{labels[k]}"' for k in differing if k in labels)
        head = name if len(names) > 1 else ""
        short.append(f"{head}{{{pairs}}}" if pairs else head or "{}")
    common = ", ".join(f'{k}="{v}"' for k, v in shared.items())
    common_name = next(iter(names)) if len(names) == 1 else ""
    return short, f"{common_name}{{{common}}}" if common else common_name
