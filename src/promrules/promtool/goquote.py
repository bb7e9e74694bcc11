"""Read the Go-quoted strings and label sets that promtool prints.

promtool quotes expressions with Go's `%q` and prints label sets as
`{name="value", ...}` with each value (and, in 3.x, each name that is not a
plain identifier) quoted the same way. Python's `ast.literal_eval` reads most
of that, but it is the wrong tool: Go and Python escapes differ (`\\x` is a raw
byte in Go), and CPython 3.11's AST constructor is not thread-safe
(`SystemError: AST constructor recursion depth mismatch` when a garbage
collection runs another thread's code mid-parse), while promtool output is
parsed in worker threads. This module is a small parser of its own.
"""

from __future__ import annotations

__all__ = ["GoQuoteError", "label_pairs", "read_quoted", "unquote"]

_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_OCTAL = "01234567"


class GoQuoteError(ValueError):
    """Text that is not a Go double-quoted string or label set; says where."""


def read_quoted(text: str, start: int = 0) -> tuple[str, int]:
    """The Go double-quoted string at `text[start]`, unquoted, and the index after it.

    Escapes follow Go's spec: `\\a \\b \\f \\n \\r \\t \\v \\\\ \\' \\"`, `\\xHH`
    and `\\NNN` (bytes), `\\uHHHH` and `\\UHHHHHHHH` (code points). Bytes that
    are not UTF-8 become U+FFFD, as promtool's output is decoded elsewhere.
    """
    if text[start : start + 1] != '"':
        raise GoQuoteError(f"expected '\"' at offset {start} of {text!r}")
    out = bytearray()
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return out.decode("utf-8", errors="replace"), i + 1
        if char == "\n":
            break
        if char != "\\":
            out += char.encode("utf-8", errors="surrogatepass")
            i += 1
            continue
        i = _escape(text, i + 1, out)
    raise GoQuoteError(f"unterminated quoted string at offset {start} of {text!r}")


def _escape(text: str, i: int, out: bytearray) -> int:
    """Append the escape whose letter is at `text[i]`; the index after the escape."""
    kind = text[i : i + 1]
    if kind in _SIMPLE:
        out += _SIMPLE[kind].encode()
        return i + 1
    if kind in _HEX_DIGITS:
        digits = text[i + 1 : i + 1 + _HEX_DIGITS[kind]]
        if len(digits) != _HEX_DIGITS[kind] or not _is_hex(digits):
            raise GoQuoteError(f"bad \\{kind} escape at offset {i - 1} of {text!r}")
        value = int(digits, 16)
        if kind == "x":
            out.append(value)
        elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise GoQuoteError(f"bad code point \\{kind}{digits} in {text!r}")
        else:
            out += chr(value).encode()
        return i + 1 + len(digits)
    digits = text[i : i + 3]
    if len(digits) == 3 and all(d in _OCTAL for d in digits) and int(digits, 8) < 256:
        out.append(int(digits, 8))
        return i + 3
    raise GoQuoteError(f"unknown escape \\{kind} at offset {i - 1} of {text!r}")


def _is_hex(digits: str) -> bool:
    return all(d in "0123456789abcdefABCDEF" for d in digits)


def unquote(quoted: str) -> str:
    """A whole Go double-quoted string, unquoted; GoQuoteError if it is anything more or less."""
    value, end = read_quoted(quoted)
    if end != len(quoted):
        raise GoQuoteError(f"text after the closing quote at offset {end} of {quoted!r}")
    return value


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


def _name(text: str, i: int) -> tuple[str, int]:
    if text[i : i + 1] == '"':
        return read_quoted(text, i)
    end = i
    while end < len(text) and text[end] not in '=,{}" \t\n':
        end += 1
    if end == i:
        raise GoQuoteError(f"expected a label name at offset {i} of {text!r}")
    return text[i:end], end


def label_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """`{a="1", "b.c"="2"}` (or the same without braces) as ((name, value), ...), in order."""
    body = text.strip()
    if body.startswith("{"):
        if not body.endswith("}"):
            raise GoQuoteError(f"unclosed label set {text!r}")
        body = body[1:-1]
    pairs: list[tuple[str, str]] = []
    i = _skip_spaces(body, 0)
    while i < len(body):
        name, i = _name(body, i)
        if body[i : i + 1] != "=":
            raise GoQuoteError(f"expected '=' after label {name!r} in {text!r}")
        value, i = read_quoted(body, i + 1)
        pairs.append((name, value))
        i = _skip_spaces(body, i)
        if i < len(body):
            if body[i] != ",":
                raise GoQuoteError(f"expected ',' at offset {i} of {text!r}")
            i = _skip_spaces(body, i + 1)
    return tuple(pairs)
