"""mutate/threshold: each threshold nudged one smallest step up and one down.

A threshold is the constant side of a comparison (`> 90`, `< 0.8`,
`> 500 * 1024 * 1024`). Its first number is nudged by the step of
`promrules.mutate.steps` (90 -> 91/89). The other numbers of a constant
expression are usually unit factors, so 500 MiB becomes 501 MiB, not
500 MiB + 1 byte. A survivor means no test looks close enough to the threshold.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.derive.comparisons import comparisons
from promrules.mutate.base import AlertSite, Mutant, operator
from promrules.mutate.expression import Expression, compared, expression
from promrules.mutate.exprtext import TextEdit
from promrules.mutate.steps import nudged, number_text


def _candidates(expr: Expression, texts: tuple[str, ...]) -> list[TextEdit]:
    return [
        TextEdit(token.start, token.end, text)
        for token in expr.tokens
        if token.kind == "number"
        for text in texts
    ]


@operator("threshold", rank=1)
def nudge_thresholds(site: AlertSite) -> Iterator[Mutant]:
    expr = expression(site)
    if expr is None:
        return
    for comparison in comparisons(expr.root):
        if comparison.literal is None:
            continue
        old = float(str(expr.shape[comparison.literal][1]))
        steps = nudged(old)
        if steps is None:
            continue
        for new in steps:
            expected = list(expr.shape)
            expected[comparison.literal] = ("number", repr(float(new)))
            candidates = _candidates(expr, (number_text(new), number_text(abs(new))))
            fallback = f"{comparison.normal_op} {comparison.threshold_text}: {old:g} -> {new}"
            yield expr.mutant("threshold", expected, candidates, compared(comparison), fallback)
