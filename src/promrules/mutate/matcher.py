"""mutate/matcher: one label matcher dropped from a selector of the expression.

`up{job="api"} == 0` becomes `up == 0`: the alert now also sees every
other job. A survivor means no test feeds a series the matcher should
keep out. The metric name (`__name__`) is never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from promrules.derive.comparisons import Node
from promrules.mutate.base import AlertSite, Mutant, operator
from promrules.mutate.expression import expression
from promrules.mutate.exprtext import matcher_removals


def _fixed(text: str) -> Callable[[Node], str]:
    return lambda _root: text


@operator("matcher", rank=6)
def drop_matchers(site: AlertSite) -> Iterator[Mutant]:
    expr = expression(site)
    if expr is None:
        return
    removals = matcher_removals(expr.text)
    for index, signature in enumerate(expr.shape):
        if signature[0] != "selector":
            continue
        kind, name, labels, alternatives, offset, at = signature
        assert isinstance(labels, tuple)
        if name is None and len(labels) < 2:
            continue  # `{job="x"}` without its matcher would select nothing at all
        for label, op, value in labels:
            if label == "__name__":
                continue
            kept = tuple(m for m in labels if m != (label, op, value))
            expected = list(expr.shape)
            expected[index] = (kind, name, kept, alternatives, offset, at)
            text = f"dropped {label}{op}{json.dumps(value)} from {name or 'a selector'}"
            yield expr.mutant("matcher", expected, removals, _fixed(text), text)
