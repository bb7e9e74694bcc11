"""One case's chart as inline SVG: compared value, threshold, alert states, input series.

Plain SVG with no script or external reference, so the page stays one file
and renders the same everywhere. Every text that comes from a user's file
is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from promrules.files.durations import format_duration
from promrules.files.notation import format_number
from promrules.report.model import Chart, Line

WIDTH = 560
LEFT = 56
RIGHT = 12
TOP_HEIGHT = 130
INPUT_HEIGHT = 56
GAP = 34
COLOURS = ("#1f6feb", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#0a7ea4")
INPUT_COLOURS = ("#57606a", "#8c959f", "#6e7781", "#424a53")
SPAN_STYLE = {"pending": ("#f2cc60", "0.45"), "firing": ("#ff8182", "0.4")}


def colour(index: int, *, inputs: bool = False) -> str:
    palette = INPUT_COLOURS if inputs else COLOURS
    return palette[index % len(palette)]


def _range(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _label(value: float, spread: float) -> str:
    """Enough digits that the two ends of an axis differ (9.992 and 10.01, not 10 and 10)."""
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-4):
        return f"{value:.3g}"
    digits = max(0, 2 - math.floor(math.log10(spread))) if spread > 0 else 2
    text = format_number(round(value, digits))
    while len(text) > 8 and digits > 0:  # the margin holds about eight characters
        digits -= 1
        text = format_number(round(value, digits))
    return text


class _Frame:
    """Maps (ms, value) to pixels within one panel."""

    def __init__(self, end_ms: int, top: float, height: float, low: float, high: float) -> None:
        self.end_ms = max(end_ms, 1)
        self.top, self.height, self.low, self.high = top, height, low, high

    def x(self, ms: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * ms / self.end_ms

    def y(self, value: float) -> float:
        return self.top + self.height * (self.high - value) / (self.high - self.low)


def _polylines(frame: _Frame, line: Line, stroke: str, width: float) -> list[str]:
    """One polyline per unbroken run of points (a missing sample breaks the line)."""
    runs: list[list[str]] = [[]]
    for ms, value in line.points:
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{frame.x(ms):.1f},{frame.y(value):.1f}")
    out = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0].split(",")
            out.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{stroke}"/>')
        elif run:
            out.append(
                f'<polyline fill="none" stroke="{stroke}" stroke-width="{width}" '
                f'points="{" ".join(run)}">'
                f"<title>{escape(line.title or line.label)}</title></polyline>"
            )
    return out


def _y_axis(frame: _Frame) -> list[str]:
    bottom = frame.top + frame.height
    spread = frame.high - frame.low
    return [
        f'<line x1="{LEFT}" y1="{frame.top}" x2="{LEFT}" y2="{bottom}" stroke="#8c959f"/>',
        f'<text x="{LEFT - 4}" y="{frame.top + 9}" text-anchor="end">{_label(frame.high, spread)}'
        "</text>",
        f'<text x="{LEFT - 4}" y="{bottom}" text-anchor="end">{_label(frame.low, spread)}</text>',
    ]


def _x_axis(frame: _Frame, chart: Chart, at: float) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{at}" x2="{WIDTH - RIGHT}" y2="{at}" stroke="#8c959f"/>']
    ticks = max(1, min(8, chart.end_ms // max(chart.step_ms, 1)))
    every = max(chart.step_ms, math.ceil(chart.end_ms / ticks / chart.step_ms) * chart.step_ms)
    for ms in range(0, chart.end_ms + 1, every):
        x = frame.x(ms)
        parts.append(f'<line x1="{x:.1f}" y1="{at}" x2="{x:.1f}" y2="{at + 3}" stroke="#8c959f"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{at + 13}" text-anchor="middle">{format_duration(ms)}</text>'
        )
    return parts


def render(chart: Chart, eval_ms: int | None, expects_firing: bool) -> str:
    """The chart with the case's evaluation time marked; '' when nothing can be drawn."""
    if not chart.drawable:
        return ""
    height = TOP_HEIGHT + GAP + (INPUT_HEIGHT + GAP if chart.inputs else 0) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img">'
    ]
    values = [v for line in chart.compared for _, v in line.points if v is not None]
    if chart.threshold is not None and math.isfinite(chart.threshold):
        values.append(chart.threshold)
    top = _Frame(chart.end_ms, 4, TOP_HEIGHT, *_range(values or [0.0]))
    for span in chart.spans:
        fill, opacity = SPAN_STYLE[span.state]
        x0, x1 = top.x(span.start_ms), top.x(span.end_ms)
        parts.append(
            f'<rect class="span-{span.state}" x="{x0:.1f}" y="{top.top}" width="{x1 - x0:.1f}" '
            f'height="{top.height}" fill="{fill}" fill-opacity="{opacity}">'
            f"<title>{span.state} {format_duration(span.start_ms)} to "
            f"{format_duration(span.end_ms)}</title></rect>"
        )
    parts += _y_axis(top)
    if chart.threshold is not None and math.isfinite(chart.threshold):
        y = top.y(chart.threshold)
        parts.append(
            f'<line class="threshold" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#cf222e" stroke-dasharray="5 3"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT - 2}" y="{y - 3:.1f}" text-anchor="end" fill="#cf222e">'
            f"{escape(chart.threshold_text)}</text>"
        )
    for index, line in enumerate(chart.compared):
        parts += _polylines(top, line, colour(index), 2)
    parts += _x_axis(top, chart, top.top + top.height)
    if eval_ms is not None and 0 <= eval_ms <= chart.end_ms:
        x = top.x(eval_ms)
        want = "expects firing" if expects_firing else "expects quiet"
        parts.append(
            f'<line class="eval" x1="{x:.1f}" y1="{top.top}" x2="{x:.1f}" '
            f'y2="{top.top + top.height}" stroke="#24292f" stroke-width="1.5"/>'
        )
        anchor = "end" if x > WIDTH / 2 else "start"
        dx = -3 if anchor == "end" else 3
        parts.append(
            f'<text x="{x + dx:.1f}" y="{top.top + 11}" text-anchor="{anchor}" '
            f'font-weight="bold">{format_duration(eval_ms)}: {want}</text>'
        )
    if chart.inputs:
        input_values = [v for line in chart.inputs for _, v in line.points if v is not None]
        frame = _Frame(
            chart.end_ms, TOP_HEIGHT + GAP + 4, INPUT_HEIGHT, *_range(input_values or [0.0])
        )
        parts.append(f'<text x="{LEFT + 4}" y="{frame.top - 3}" fill="#57606a">input series</text>')
        parts += _y_axis(frame)
        for index, line in enumerate(chart.inputs):
            parts += _polylines(frame, line, colour(index, inputs=True), 1.5)
        parts += _x_axis(frame, chart, frame.top + frame.height)
    parts.append("</svg>")
    return "".join(parts)
