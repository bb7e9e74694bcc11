"""What a generated test file promises about each alert, and what has changed since.

A generated file records, per alert, the parts of the rule its cases were
derived from: thresholds and operators, `for:`, `keep_firing_for:`, static
labels and the expression. Comparing that record with the rule as it is now
turns "the cases fail" into "threshold 90 -> 85", which is what a reviewer
needs to decide whether to accept the change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from promrules.derive.conditions import find_conditions
from promrules.derive.promql import ExprError, parse, text
from promrules.files.alerts import AlertDefinition
from promrules.files.durations import format_duration, parse_duration

__all__ = ["AlertSignature", "describe_changes", "number_text"]


def number_text(value: float) -> str:
    """A threshold as people write it: 90, not 90.0; 0.05, not 5e-02."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _duration_text(ms: int) -> str:
    return format_duration(ms) if ms else "none"


def _normal_expr(expr: str) -> str:
    return " ".join(expr.split())


_EMPTY_BRACES = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\{\}")


def _signal_text(signal: str) -> str:
    """The signal as written: promql-parser prints `{}` after bare metric names."""
    return _EMPTY_BRACES.sub(r"\1", _normal_expr(signal))


@dataclass(frozen=True)
class Comparison:
    """One comparison of the expression: `signal op threshold` (threshold None: a vector)."""

    signal: str
    op: str
    threshold: float | None

    def text(self) -> str:
        right = number_text(self.threshold) if self.threshold is not None else "…"
        return f"{self.signal} {self.op} {right}"


@dataclass(frozen=True)
class AlertSignature:
    alert: str
    expr: str
    for_ms: int
    keep_firing_for_ms: int
    labels: tuple[tuple[str, str], ...]
    comparisons: tuple[Comparison, ...]

    @classmethod
    def of(cls, rule: AlertDefinition) -> AlertSignature:
        try:
            conditions = find_conditions(parse(rule.expr))
        except ExprError:
            conditions = []
        comparisons = tuple(
            Comparison(_signal_text(c.signal), c.op, c.threshold)
            for c in conditions
            if c.kind in ("threshold", "reference")
        )
        return cls(
            alert=rule.name,
            expr=_normal_expr(rule.expr),
            for_ms=rule.for_ms,
            keep_firing_for_ms=rule.keep_firing_for_ms,
            labels=tuple(sorted(rule.static_labels.items())),
            comparisons=comparisons,
        )

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "alert": self.alert,
            "for": _duration_text(self.for_ms),
            "keep_firing_for": _duration_text(self.keep_firing_for_ms),
            "labels": dict(self.labels),
            "comparisons": [[c.signal, c.op, c.threshold] for c in self.comparisons],
            "expr": self.expr,
        }
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))

    @classmethod
    def from_json(cls, text: str) -> AlertSignature:
        """Raises ValueError (json.JSONDecodeError is one) for a damaged record."""
        data = json.loads(text)
        try:
            return cls(
                alert=str(data["alert"]),
                expr=str(data["expr"]),
                for_ms=_ms(data["for"]),
                keep_firing_for_ms=_ms(data["keep_firing_for"]),
                labels=tuple(sorted((str(k), str(v)) for k, v in data["labels"].items())),
                comparisons=tuple(
                    Comparison(str(s), str(op), None if t is None else float(t))
                    for s, op, t in data["comparisons"]
                ),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"incomplete alert record ({exc})") from None


def _ms(text: str) -> int:
    return 0 if text == "none" else parse_duration(text)


def _same_signal(before: str, after: str) -> bool:
    """Whether two signals are one expression, whichever printer wrote each.

    Older generated files hold promql-parser's printing, newer ones promrules'
    own: both are read back and printed one way before comparing.
    """
    if before == after:
        return True
    try:
        return text(parse(before)) == text(parse(after))
    except ExprError:
        return False


def _comparison_changes(old: AlertSignature, new: AlertSignature) -> list[str] | None:
    """Threshold and operator changes, or None when the comparisons no longer line up."""
    if len(old.comparisons) != len(new.comparisons):
        return None
    changes = []
    for before, after in zip(old.comparisons, new.comparisons, strict=True):
        if not _same_signal(before.signal, after.signal):
            return None
        if before.op != after.op:
            changes.append(f"operator {before.op} → {after.op} in `{after.text()}`")
        if before.threshold != after.threshold:
            was = "…" if before.threshold is None else number_text(before.threshold)
            now = "…" if after.threshold is None else number_text(after.threshold)
            changes.append(f"threshold {was} → {now} in `{after.text()}`")
    return changes


def _label_changes(old: AlertSignature, new: AlertSignature) -> list[str]:
    before, after = dict(old.labels), dict(new.labels)
    changes = []
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            changes.append(f"label {key}={before[key]!r} removed")
        elif key not in before:
            changes.append(f"label {key}={after[key]!r} added")
        elif before[key] != after[key]:
            changes.append(f"label {key} {before[key]!r} → {after[key]!r}")
    return changes


def describe_changes(old: AlertSignature, new: AlertSignature) -> list[str]:
    """What changed in the rule, in the reader's terms; [] when nothing did."""
    changes = _comparison_changes(old, new)
    if changes is None or (not changes and not _same_signal(old.expr, new.expr)):
        changes = [f"expression `{old.expr}` → `{new.expr}`"]
    if old.for_ms != new.for_ms:
        changes.append(f"for: {_duration_text(old.for_ms)} → {_duration_text(new.for_ms)}")
    if old.keep_firing_for_ms != new.keep_firing_for_ms:
        was, now = _duration_text(old.keep_firing_for_ms), _duration_text(new.keep_firing_for_ms)
        changes.append(f"keep_firing_for: {was} → {now}")
    return changes + _label_changes(old, new)
