"""An alert's `expr:` as the expression operators see it: text, AST, shape, tokens.

It turns "this AST change" into a mutant of the rule file: find the text
edit inside the expression (exprtext), then the file edit for it (yamltext).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from promrules.derive.comparisons import (
    Comparison,
    ExprError,
    Node,
    Signature,
    comparisons,
    parse,
    shape,
)
from promrules.files import yamlnodes as yn
from promrules.mutate import yamltext
from promrules.mutate.base import AlertSite, Mutant, MutateError
from promrules.mutate.exprtext import TextEdit, Token, place, tokenize

__all__ = ["Expression", "compared", "expression"]


@dataclass(frozen=True)
class Expression:
    site: AlertSite
    text: str
    root: Node
    shape: list[Signature]
    tokens: list[Token]

    def mutant(
        self,
        name: str,
        expected: list[Signature],
        candidates: Iterable[TextEdit],
        describe: Callable[[Node], str],
        fallback: str,
    ) -> Mutant:
        """The mutant whose expression has the `expected` shape.

        `describe` gets the mutated AST; `fallback` describes a mutant that
        could not be placed.
        """
        found = place(self.text, candidates, expected)
        if found is None:
            return self.site.unplaced(name, fallback, "no edit of the expression text gives it")
        changed = found.apply(self.text)
        node = self.site.value("expr")
        edit = yamltext.value_edit(self.site.text, node, found.start, found.end, found.text)
        return self.site.mutant(name, describe(parse(changed)), edit, ("expr",), changed)


def expression(site: AlertSite) -> Expression | None:
    """The alert's expression; None when it has none (promtool reports that)."""
    text = yn.scalar(site.value("expr"))
    if text is None:
        return None
    try:
        root = parse(text)
    except ExprError as exc:
        raise MutateError(f"{site.path}:{site.line}: {site.name}: expr: {exc}") from exc
    return Expression(site, text, root, shape(root), tokenize(text))


def compared(before: Comparison) -> Callable[[Node], str]:
    """Describes a mutated comparison as "before -> after", from the mutated AST."""

    def describe(root: Node) -> str:
        after = next(c for c in comparisons(root) if c.index == before.index)
        if after.threshold_text is None:
            return f"{before.op} -> {after.op} in {before.subject}"
        return f"{before.brief} -> {after.normal_op} {after.threshold_text}"

    return describe
