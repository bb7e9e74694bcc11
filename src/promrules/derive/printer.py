"""Print a promql-parser tree as PromQL that parses back to the same tree.

promql-parser's own printer loses meaning: it writes a regex `a\\.b` back
as `a\\.b` with one backslash (no longer a valid string), drops quotes and
newlines inside strings, turns the subquery `x[10m:]` into the range
`x[10m]`, drops the quotes of UTF-8 names and mangles `or` matchers. Every
expression derivation builds from a parsed one goes through `to_text`, so
what promtool reads is what the rule says. Parentheses are added only where
a rebuilt tree needs them (the parser keeps the ones written as nodes).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

import promql_parser as pp

__all__ = ["duration_text", "number_text", "string_text", "to_text"]

Node = Any

_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MATCH_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}
# Binding strength of binary operators, loosest first (Prometheus' grammar).
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "unless": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "atan2": 5,
    "^": 6,
}


def string_text(value: str) -> str:
    """A double-quoted PromQL string literal whose value is exactly `value`."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def number_text(value: float) -> str:
    """The shortest text that parses back to exactly `value` (1000, 0.1, 1e+20, Inf, NaN)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value)) if value or math.copysign(1, value) > 0 else "-0"
    return repr(value)


def duration_text(delta: timedelta) -> str:
    """A PromQL duration (`1h30m`, `1500ms`); negative durations get a leading `-`."""
    total_ms = round(delta.total_seconds() * 1000)
    sign = "-" if total_ms < 0 else ""
    total_ms = abs(total_ms)
    if total_ms == 0:
        return "0s"
    parts = []
    for unit, size in (("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000),
                       ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):  # fmt: skip
        if total_ms >= size:
            count, total_ms = divmod(total_ms, size)
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def _name(text: str, pattern: re.Pattern[str]) -> str:
    """A label name as is; quoted (Prometheus 3 only) when it is not a plain name."""
    return text if pattern.match(text) else string_text(text)


def _operator(node: Node) -> str:
    return str(node.op).strip().lower()


def _matcher(matcher: Any) -> str:
    op = _MATCH_OPS[str(matcher.op).split(".")[-1]]
    return f"{_name(matcher.name, _LABEL_RE)}{op}{string_text(matcher.value)}"


def _selector(node: Node) -> str:
    matchers = list(node.matchers.matchers)
    groups = [list(g) for g in (node.matchers.or_matchers or [])]
    name = node.name
    named = name is not None and _NAME_RE.match(name) is not None
    if named:
        matchers = [m for m in matchers if not (m.name == "__name__" and m.value == name)]
    if groups:
        inside = " or ".join(", ".join(_matcher(m) for m in g) for g in groups)
    else:
        inside = ", ".join(_matcher(m) for m in matchers)
    if name is not None and not named and not any(m.name == "__name__" for m in matchers):
        # A UTF-8 metric name: the __name__ matcher reads the same on 2.x and 3.x.
        inside = ", ".join([f"__name__={string_text(name)}", *filter(None, [inside])])
    if named:
        return str(name) + ("{" + inside + "}" if inside else "")
    return "{" + inside + "}"


def _at(at: Any) -> str:
    kind = str(at.type).split(".")[-1]
    if kind == "Start":
        return " @ start()"
    if kind == "End":
        return " @ end()"
    moment = at.at
    seconds = moment.timestamp() if isinstance(moment, datetime) else float(moment)
    return f" @ {number_text(round(seconds, 3))}"


def _modifiers(node: Node) -> str:
    text = ""
    if getattr(node, "at", None) is not None:
        text += _at(node.at)
    if getattr(node, "offset", None) is not None:
        text += f" offset {duration_text(node.offset)}"
    return text


def _labels(labels: Any) -> str:
    return "(" + ", ".join(_name(label, _LABEL_RE) for label in (labels or [])) + ")"


def _bin_modifier(node: Node) -> str:
    modifier = node.modifier
    if modifier is None:
        return ""
    text = " bool" if modifier.return_bool else ""
    matching = modifier.matching
    if matching is not None:
        kind = "ignoring" if "exclude" in str(matching.type).lower() else "on"
        text += f" {kind} {_labels(matching.labels)}"
    card = str(modifier.card).split(".")[-1]
    if card == "ManyToOne":
        text += f" group_left {_labels(modifier.group_labels)}"
    elif card == "OneToMany":
        text += f" group_right {_labels(modifier.group_labels)}"
    return text


def _side(kid: Node, op: str, right: bool) -> str:
    """An operand of a binary operator, in parentheses when it binds more loosely."""
    text = to_text(kid)
    if isinstance(kid, pp.BinaryExpr):
        mine, theirs = _PRECEDENCE[op], _PRECEDENCE[_operator(kid)]
        loose = theirs < mine or (theirs == mine and (right != (op == "^")))
        return f"({text})" if loose else text
    if isinstance(kid, pp.UnaryExpr) and op == "^" and not right:
        return f"({text})"
    if isinstance(kid, pp.NumberLiteral) and op == "^" and not right and text.startswith("-"):
        return f"({text})"
    return text


def to_text(node: Node) -> str:
    """PromQL for any promql-parser node (raises TypeError for a node type it does not know)."""
    if isinstance(node, pp.NumberLiteral):
        return number_text(float(node.val))
    if isinstance(node, pp.StringLiteral):
        return string_text(node.val)
    if isinstance(node, pp.VectorSelector):
        return _selector(node) + _modifiers(node)
    if isinstance(node, pp.MatrixSelector):
        selector = node.vector_selector
        return f"{_selector(selector)}[{duration_text(node.range)}]{_modifiers(selector)}"
    if isinstance(node, pp.SubqueryExpr):
        queried = to_text(node.expr)
        if isinstance(node.expr, (pp.BinaryExpr, pp.UnaryExpr)):
            queried = f"({queried})"
        step = duration_text(node.step) if node.step is not None else ""
        window = duration_text(node.range) if node.range is not None else "0s"
        return f"{queried}[{window}:{step}]{_modifiers(node)}"
    if isinstance(node, pp.ParenExpr):
        return f"({to_text(node.expr)})"
    if isinstance(node, pp.UnaryExpr):
        operand = to_text(node.expr)
        loose = isinstance(node.expr, pp.BinaryExpr) and _operator(node.expr) != "^"
        return f"-({operand})" if loose or operand.startswith("-") else f"-{operand}"
    if isinstance(node, pp.Call):
        return f"{node.func.name}({', '.join(to_text(arg) for arg in node.args)})"
    if isinstance(node, pp.AggregateExpr):
        args = [to_text(node.param)] if isinstance(node.param, pp.Expr) else []
        args.append(to_text(node.expr))
        grouping = ""
        if node.modifier is not None:
            kind = "without" if "without" in str(node.modifier.type).lower() else "by"
            grouping = f" {kind} {_labels(node.modifier.labels)}"
        spacer = " " if grouping else ""
        return f"{_operator(node)}{grouping}{spacer}({', '.join(args)})"
    if isinstance(node, pp.BinaryExpr):
        op = _operator(node)
        lhs, rhs = _side(node.lhs, op, False), _side(node.rhs, op, True)
        return f"{lhs} {op}{_bin_modifier(node)} {rhs}"
    raise TypeError(f"no PromQL printing for {type(node).__name__}")
