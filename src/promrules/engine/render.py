"""Turn a case's failures into a message a person can read at a glance.

promtool prints alert lists and sample lists on a few long lines; here they
become one line per alert label, annotation or sample, and a unified diff of
expected against got, so the one label that differs stands out.
"""

from __future__ import annotations

import difflib
import re

from promrules.promtool.output import Failure

__all__ = ["alert_labelsets", "render_failure"]

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_LABELSET = rf"\{{(?:[^{{}}\"]|{_QUOTED})*\}}"
_PAIR_RE = re.compile(rf"([^\s=,{{}}]+)=({_QUOTED})")
_ALERT_RE = re.compile(rf"Labels:({_LABELSET})\s*\n?\s*Annotations:({_LABELSET})")
_SAMPLE_RE = re.compile(rf"({_LABELSET}) (\S+)")


def _pairs(labelset: str) -> list[str]:
    return [f"{name}={value}" for name, value in _PAIR_RE.findall(labelset)]


def alert_labelsets(text: str) -> list[tuple[str, str]] | None:
    """Each alert of promtool's list as its (labels, annotations) label-set texts."""
    alerts: list[tuple[str, str]] = _ALERT_RE.findall(text)
    if not alerts and text.strip() not in ("[]", ""):
        return None
    return alerts


def alert_lines(text: str) -> list[str] | None:
    """One line per label and annotation of each alert in promtool's list."""
    alerts = alert_labelsets(text)
    if alerts is None:
        return None
    lines = []
    for number, (labels, notes) in enumerate(alerts, start=1):
        lines.append(f"alert {number}:")
        lines += [f"  label      {pair}" for pair in _pairs(labels)]
        lines += [f"  annotation {pair}" for pair in _pairs(notes)]
    return lines


def sample_lines(text: str) -> list[str] | None:
    """One line per sample (labels, then value) of promtool's sample list."""
    if text.strip() == "nil":
        return []
    samples = _SAMPLE_RE.findall(text)
    if not samples:
        return None
    return [f"{labels} {value}" for labels, value in samples]


def _count(lines: list[str], noun: str) -> str:
    n = sum(1 for line in lines if not line.startswith(" ")) if noun == "alert" else len(lines)
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _diff(expected: list[str], got: list[str]) -> list[str]:
    diff = difflib.unified_diff(expected, got, "expected", "got", lineterm="", n=1000)
    return [line for line in diff if not line.startswith("@@")]


def render_failure(failure: Failure) -> str:
    """A readable explanation of one failure, falling back to promtool's own text."""
    if failure.error:
        return failure.error
    if failure.expected is None or failure.got is None:
        return failure.text
    if failure.kind == "alert":
        parse, noun, what = alert_lines, "alert", "firing alerts"
    else:
        parse, noun, what = sample_lines, "sample", "result samples"
    expected, got = parse(failure.expected), parse(failure.got)
    if expected is None or got is None:
        return failure.text
    head = f"the {what} differ: expected {_count(expected, noun)}, got {_count(got, noun)}"
    if expected == got:  # printed alike: the difference is in how promtool compares
        return "\n".join([head, *_alike(expected)])
    return "\n".join([head, *_diff(expected, got)])


def _alike(lines: list[str]) -> list[str]:
    """Why lists that print the same can differ, with the lines themselves."""
    shown = [f"  expected and got: {line}" for line in lines]
    if any(line.rsplit(" ", 1)[-1] == "NaN" for line in lines):
        why = (
            "promtool never finds NaN equal to NaN, so an expected NaN sample always fails; "
            "test for NaN with `x != bool x` instead (1 only where x is NaN)"
        )
    else:
        why = "they print alike, but promtool compared them as different (a rounded value?)"
    return [*shown, why]
