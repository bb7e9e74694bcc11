"""Label values that satisfy a selector's matchers, so synthetic series are selected.

`code=~"5.."` needs a value such as "500"; `fstype!~"tmpfs|nfs"` needs one the
regex rejects. Prometheus anchors regexes at both ends, like `re.fullmatch`;
Go's RE2 and Python agree on the simple patterns rules use, and every example
is checked with `re.fullmatch` before it is used.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["example", "satisfies"]

# The standard library's own regex parser (re._parser since 3.11, untyped).
sre_parse: Any = importlib.import_module("re._parser")

_FALLBACKS = ("promrules", "x", "0", "a", "")
_MAX_REPEAT_EXAMPLE = 1


def _category_char(category: Any) -> str:
    name = str(category).upper()
    if "DIGIT" in name and "NOT" not in name:
        return "0"
    if "SPACE" in name and "NOT" not in name:
        return " "
    return "a"


def _in_char(items: list[tuple[Any, Any]]) -> str | None:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        excluded = set()
        for op, value in items:
            if str(op) == "LITERAL":
                excluded.add(chr(value))
        for candidate in "xa0_":
            if candidate not in excluded:
                return candidate
        return None
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            return chr(value)
        if name == "RANGE":
            return chr(value[0])
        if name == "CATEGORY":
            return _category_char(value)
    return None


def _render(pattern: Any) -> str | None:
    """The shortest-ish string the parsed pattern matches (None when unsure)."""
    out = []
    for op, value in pattern:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "NOT_LITERAL":
            out.append("x" if chr(value) != "x" else "y")
        elif name == "ANY":
            out.append("x")
        elif name == "IN":
            char = _in_char(value)
            if char is None:
                return None
            out.append(char)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = value
            # One repetition reads better than none ("snmp.*" -> "snmpx" is fine,
            # but ".*thanos-query.*" -> "thanos-query" is what a person would pick).
            count = low
            part = _render(sub)
            if part is None:
                return None
            out.append(part * count)
        elif name == "SUBPATTERN":
            part = _render(value[-1])
            if part is None:
                return None
            out.append(part)
        elif name == "BRANCH":
            part = _render(value[1][0])
            if part is None:
                return None
            out.append(part)
        elif name == "AT":
            continue
        elif name == "CATEGORY":
            out.append(_category_char(value))
        else:
            return None
    return "".join(out)


def _matches(regex: str, value: str) -> bool:
    try:
        return re.fullmatch(regex, value) is not None
    except re.error:
        return False


def satisfies(op: str, expected: str, value: str) -> bool:
    """Whether a label value passes one matcher (an absent label reads as "")."""
    if op == "=":
        return value == expected
    if op == "!=":
        return value != expected
    if op == "=~":
        return _matches(expected, value)
    return not _matches(expected, value)


def _candidates(op: str, expected: str) -> list[str]:
    if op == "=":
        return [expected]
    if op == "=~":
        try:
            rendered = _render(sre_parse.parse(expected))
        except (re.error, RecursionError, TypeError, ValueError):
            rendered = None
        return [rendered] if rendered is not None else []
    return []


def example(matchers: list[tuple[str, str]], preferred: str | None = None) -> str | None:
    """A value passing every (op, value) matcher on one label; "" means leave it out."""
    candidates: list[str] = []
    if preferred is not None:
        candidates.append(preferred)
    if all(op in ("!=", "!~") for op, _ in matchers):
        candidates.append("")  # leaving the label out passes most negative matchers
    for op, expected in matchers:
        candidates += _candidates(op, expected)
    candidates += list(_FALLBACKS)
    for candidate in candidates:
        if all(satisfies(op, expected, candidate) for op, expected in matchers):
            return candidate
    return None
