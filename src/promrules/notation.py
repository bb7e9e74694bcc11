"""`promrules.notation` as users import it; the code lives in `promrules.files.notation`."""

from promrules.files.notation import (
    STALE,
    Histogram,
    Missing,
    Notation,
    NotationError,
    Run,
    Single,
    Stale,
    Term,
    Value,
    expand,
    format,
    format_number,
    parse,
)

__all__ = [
    "STALE",
    "Histogram",
    "Missing",
    "Notation",
    "NotationError",
    "Run",
    "Single",
    "Stale",
    "Term",
    "Value",
    "expand",
    "format",
    "format_number",
    "parse",
]
