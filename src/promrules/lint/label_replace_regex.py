"""lint/label-replace-regex: label_replace()'s regex compiles.

`promtool check rules` accepts `label_replace(up, "dst", "$1", "src", "(.*")`;
the error comes only when the rule is evaluated ("invalid regular expression
in label_replace()"), and then the rule yields nothing. Prometheus uses Go's
RE2 syntax; the regex is compiled here with Python's `re`, which agrees
for the common syntax, plus RE2's refusals Python does not share
(lookarounds, backreferences). Where the two differ the check stays silent.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import promql_parser as pp

from promrules.lint.base import Finding, LintContext, check
from promrules.lint.expr import call_name, tree, unwrap, walk

_RE2_REFUSES = re.compile(r"\(\?<?[=!]|(?<!\\)\\[1-9]")
# Syntax RE2 has and Python 3.11 lacks or reads otherwise: flag groups, \p{..}, \z, \Q..\E.
_RE2_ONLY = re.compile(r"\\[pPzCQE]|\(\?[a-zA-Z-]+[:)]|\(\?<[A-Za-z]")


def problem(regex: str) -> str | None:
    """Why RE2 would refuse `regex`, or None when it compiles (or cannot be told here)."""
    refused = _RE2_REFUSES.search(regex)
    if refused:
        return f"RE2 does not support {refused.group(0)!r}"
    if _RE2_ONLY.search(regex):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(f"^(?:{regex})$")
    except re.error as exc:
        return str(exc)
    return None


@check("label-replace-regex")
def label_replace_regex_compiles(context: LintContext, path: str) -> Iterator[Finding]:
    for rule in context.rules_of(path):
        root = tree(rule)
        if root is None:
            continue
        for node, _ in walk(root):
            if call_name(node) != "label_replace" or len(node.args) != 5:
                continue
            regex = unwrap(node.args[4])
            if not isinstance(regex, pp.StringLiteral):
                continue
            why = problem(str(regex.val))
            if why:
                yield Finding.at(
                    rule,
                    f"label_replace regex {str(regex.val)!r} does not compile: {why}",
                    line=rule.expr_line,
                    details="the rule fails at every evaluation and returns nothing",
                )
