"""Find the text edit of a PromQL expression that makes one intended AST change.

promql-parser has no source positions, so an edit is found the other way
round: the operator says what the mutated AST must look like (its shape),
a small lexer proposes candidate edits (each number, each operator token,
each label matcher), and the candidate whose text parses to exactly that
shape wins. A lexer mistake can then only cost a mutant, never make a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from promrules.derive.comparisons import ExprError, Node, Signature, parse, shape

__all__ = ["TextEdit", "Token", "matcher_removals", "place", "tokenize"]

_TOKEN_RE = re.compile(
    r"""
    (?P<blank>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
    | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
    | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<name>[A-Za-z_:][\w:]*)
    | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=(){}\[\],@])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_MATCH_OPS = ("=", "!=", "=~", "!~")


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TextEdit:
    """Replace expr[start:end] with `text`."""

    start: int
    end: int
    text: str

    def apply(self, expr: str) -> str:
        return expr[: self.start] + self.text + expr[self.end :]


def tokenize(expr: str) -> list[Token]:
    """The tokens of an expression, without blanks and comments."""
    tokens = []
    for match in _TOKEN_RE.finditer(expr):
        kind = str(match.lastgroup)
        if kind not in ("blank", "comment"):
            tokens.append(Token(kind, match.start(), match.end(), match.group()))
    return tokens


def _shape_of(text: str) -> list[Signature] | None:
    try:
        root: Node = parse(text)
    except ExprError:
        return None
    return shape(root)


def place(expr: str, candidates: Iterable[TextEdit], expected: list[Signature]) -> TextEdit | None:
    """The first candidate edit whose result parses to the `expected` shape."""
    for edit in dict.fromkeys(candidates):
        if _shape_of(edit.apply(expr)) == expected:
            return edit
    return None


def _selectors(tokens: list[Token]) -> Iterator[list[list[Token]]]:
    """The matchers of each `{...}`, each matcher as its tokens, commas left out."""
    position = 0
    while position < len(tokens):
        if tokens[position].text != "{":
            position += 1
            continue
        matchers: list[list[Token]] = [[]]
        position += 1
        while position < len(tokens) and tokens[position].text != "}":
            if tokens[position].text == ",":
                matchers.append([])
            else:
                matchers[-1].append(tokens[position])
            position += 1
        yield [m for m in matchers if len(m) == 3 and m[1].text in _MATCH_OPS]


def matcher_removals(expr: str) -> list[TextEdit]:
    """Edits that each remove one label matcher, with the comma that joins it."""
    edits = []
    tokens = tokenize(expr)
    for matchers in _selectors(tokens):
        for n, matcher in enumerate(matchers):
            start, end = matcher[0].start, matcher[-1].end
            if n + 1 < len(matchers):
                edits.append(TextEdit(start, matchers[n + 1][0].start, ""))
            if n > 0:
                edits.append(TextEdit(matchers[n - 1][-1].end, end, ""))
            following = [t for t in tokens if t.start >= end][:2]
            if len(following) == 2 and following[0].text == ",":
                edits.append(TextEdit(start, following[1].start, ""))
            edits.append(TextEdit(start, end, ""))
    return edits
