"""What an alert's chart compares: the side of its first constant comparison, and the constant.

`sum(rate(x[5m])) > 0.05` is charted as `sum(rate(x[5m]))` against 0.05, since
the raw counter would not be on the threshold's scale. Every comparison with
the first one's operator and constant is charted (`a > 10 or b > 10`); the
others are named in a note. An expression without
a constant comparison (`absent(x)`, `a > b`) is charted as its own value, and
the page says there is no threshold line.
"""

from __future__ import annotations

from dataclasses import dataclass

from promrules.derive.comparisons import ExprError, comparisons, parse


@dataclass(frozen=True)
class Target:
    exprs: tuple[str, ...]  # what to ask promtool for, over time
    threshold: float | None
    text: str  # `> 90`, or why there is no line
    notes: tuple[str, ...] = ()


def target(expr: str) -> Target:
    """The expression to chart and its threshold, read from the alert's expression."""
    try:
        found = comparisons(parse(expr))
    except ExprError as exc:
        return Target(
            (expr,), None, "none", (f"no threshold: the expression does not parse ({exc})",)
        )
    constant = [c for c in found if c.threshold is not None]
    if not constant:
        why = (
            "it compares two series"
            if found
            else "it has no comparison (the alert fires whenever the expression returns a series)"
        )
        return Target(
            (expr,), None, "none", (f"no threshold line: {why}; the chart shows its value",)
        )
    first = constant[0]
    # `a > 10 or b > 10` (one copy per provider, say): both sides share the line.
    same = [c for c in constant if (c.normal_op, c.threshold) == (first.normal_op, first.threshold)]
    notes: tuple[str, ...] = ()
    others = [c for c in found if c not in same]
    if others:
        also = ", ".join(c.condition if c.threshold is None else c.brief for c in others)
        notes = (f"charted {len(same)} of {len(found)} comparisons; not charted: {also}",)
    text = f"{first.normal_op} {first.threshold_text}"
    subjects = tuple(dict.fromkeys(c.subject for c in same))
    return Target(subjects, first.threshold, text, notes)
