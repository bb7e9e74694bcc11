"""mutate/comparison: each comparison operator flipped, `>` <-> `>=` and `<` <-> `<=`.

The flip moves the alert only at values exactly on the threshold, so it
survives unless a test puts the input exactly there and expects silence
(for `>`) or an alert (for `>=`). `==` and `!=` are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.derive.comparisons import comparisons
from promrules.mutate.base import AlertSite, Mutant, operator
from promrules.mutate.expression import compared, expression
from promrules.mutate.exprtext import TextEdit

FLIPS = {">": ">=", ">=": ">", "<": "<=", "<=": "<"}


@operator("comparison", rank=2)
def flip_comparisons(site: AlertSite) -> Iterator[Mutant]:
    expr = expression(site)
    if expr is None:
        return
    for comparison in comparisons(expr.root):
        flipped = FLIPS.get(comparison.op)
        if flipped is None:
            continue
        expected = list(expr.shape)
        kind, _op, modifier, arity = expected[comparison.index]
        expected[comparison.index] = (kind, flipped, modifier, arity)
        candidates = [
            TextEdit(t.start, t.end, flipped) for t in expr.tokens if t.text == comparison.op
        ]
        fallback = f"{comparison.op} -> {flipped}"
        yield expr.mutant("comparison", expected, candidates, compared(comparison), fallback)
