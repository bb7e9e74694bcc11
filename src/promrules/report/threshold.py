"""What an alert's chart compares: the side of its first constant comparison, and the constant.

`sum(rate(x[5m])) > 0.05` is charted as `sum(rate(x[5m]))` against 0.05, since
the raw counter would not be on the threshold's scale. An expression without
a constant comparison (`absent(x)`, `a > b`) is charted as its own value, and
the page says there is no threshold line.
"""

from __future__ import annotations

from dataclasses import dataclass

from promrules.comparisons import ExprError, comparisons, parse


@dataclass(frozen=True)
class Target:
    expr: str  # what to ask promtool for, over time
    threshold: float | None
    text: str  # `> 90`, or why there is no line
    notes: tuple[str, ...] = ()


def target(expr: str) -> Target:
    """The expression to chart and its threshold, read from the alert's expression."""
    try:
        found = comparisons(parse(expr))
    except ExprError as exc:
        return Target(expr, None, "none", (f"no threshold: the expression does not parse ({exc})",))
    constant = [c for c in found if c.threshold is not None]
    if not constant:
        why = (
            "it compares two series"
            if found
            else "it has no comparison (the alert fires whenever the expression returns a series)"
        )
        return Target(expr, None, "none", (f"no threshold line: {why}; the chart shows its value",))
    first = constant[0]
    notes: tuple[str, ...] = ()
    if len(found) > 1:
        others = ", ".join(c.brief for c in found if c is not first)
        notes = (f"charted the first of {len(found)} comparisons; also: {others}",)
    text = f"{first.normal_op} {first.threshold_text}"
    return Target(first.subject, first.threshold, text, notes)
