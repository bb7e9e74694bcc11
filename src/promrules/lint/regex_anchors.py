"""lint/regex-anchors: no `^` or `$` around regex matchers.

Prometheus anchors every regex matcher (and label_replace's regex) at both
ends already: `=~"^foo$"` is `=~"foo"`. The extra anchors suggest the
regex would otherwise match a substring, which misleads the next reader.
"""

from __future__ import annotations

from collections.abc import Iterator

import promql_parser as pp

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import call_name, tree, unwrap, walk

_OPS = ((pp.MatchOp.Re, "=~"), (pp.MatchOp.NotRe, "!~"))  # MatchOp is not hashable


def _anchored(regex: str) -> list[str]:
    """The anchors at the regex's ends (`\\$` is a literal dollar, not an anchor)."""
    found = ["^"] if regex.startswith("^") else []
    if regex.endswith("$"):
        head = regex[:-1]
        if (len(head) - len(head.rstrip("\\"))) % 2 == 0:
            found.append("$")
    return found


def _regexes(root: object) -> Iterator[str]:
    for node, _ in walk(root):
        if isinstance(node, pp.VectorSelector):
            for m in node.matchers.matchers:
                shown = next((text for op, text in _OPS if m.op == op), None)
                if shown:
                    yield f'{m.name}{shown}"{m.value}"'
        elif call_name(node) == "label_replace" and len(node.args) == 5:
            regex = unwrap(node.args[4])
            if isinstance(regex, pp.StringLiteral):
                yield f'label_replace regex "{regex.val}"'


@check("regex-anchors")
def regexes_are_not_anchored(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.rules_of(path):
        root = tree(rule)
        if root is None:
            continue
        for shown in _regexes(root):
            regex = shown[shown.index('"') + 1 : -1]
            anchors = _anchored(regex)
            if anchors:
                yield Finding.at(
                    rule,
                    f"redundant {' and '.join(anchors)} in {shown}",
                    line=rule.expr_line,
                    details="Prometheus anchors regexes at both ends already",
                )
