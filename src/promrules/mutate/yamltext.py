"""Edits of a rule file's text that change one YAML value and nothing else.

A mutant is the user's file with one small edit, so that a survivor reads
like a one-line review comment and every comment, quote and indent stays
as written. Re-emitting the YAML would lose all that. Each edit is checked
by reading the changed text back: it must change exactly the one value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from promrules.files import yamlnodes as yn

__all__ = ["Edit", "delete_entry", "insert_entry", "only_changes", "value_edit"]

Flat = dict[tuple[str, ...], str | None]
# libyaml when present: every mutant's file is read back, hundreds per run.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] of a rule file: everything else stays byte-identical."""

    start: int
    end: int
    text: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.text + source[self.end :]


def _body_start(text: str, node: yaml.ScalarNode) -> int:
    start = int(node.start_mark.index)
    if node.style in ("|", ">"):
        return text.index("\n", start) + 1
    if node.style in ('"', "'"):
        return start + 1
    return start


def _positions(text: str, node: yaml.ScalarNode) -> list[int | None] | None:
    """Where each non-blank character of the value sits in the file.

    Block, plain and folded scalars differ from their value only in blanks
    (indentation, line folding); quoted ones also in escapes, which are skipped.
    """
    position, end = _body_start(text, node), int(node.end_mark.index)
    found: list[int | None] = []
    for char in str(node.value):
        if char.isspace():
            found.append(None)
            continue
        while position < end and text[position] != char:
            position += 1
        if position >= end:
            return None
        found.append(position)
        position += 1
    return found


def value_edit(
    text: str, node: yaml.Node | None, start: int, end: int, replacement: str
) -> Edit | None:
    """The file edit that makes `value[start:end]` of a scalar read `replacement`."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    positions = _positions(text, node)
    if positions is None:
        return None

    def at(i: int) -> int | None:
        return positions[i] if 0 <= i < len(positions) else None

    def after(i: int) -> int | None:
        found = positions[i - 1] if 0 < i <= len(positions) else None
        return None if found is None else found + 1

    def either(primary: int | None, fallback: int | None) -> int | None:
        return primary if primary is not None else fallback

    if start == end:  # an insertion goes right after the character before it
        first = last = either(after(start), at(start))
    else:
        first, last = either(at(start), after(start)), either(after(end), at(end))
    if first is None or last is None or last < first:
        return None
    return Edit(first, last, replacement)


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def delete_entry(text: str, key: yaml.Node, value: yaml.Node) -> Edit | None:
    """Remove a `key: value` entry that has its own lines (None when it shares one)."""
    start = _line_start(text, int(key.start_mark.index))
    if text[start : int(key.start_mark.index)].strip():
        return None
    end = int(value.end_mark.index)
    if not (end > 0 and text[end - 1] == "\n"):
        newline = text.find("\n", end)
        rest = text[end:] if newline < 0 else text[end:newline]
        if rest.strip() and not rest.strip().startswith("#"):
            return None
        end = len(text) if newline < 0 else newline + 1
    return Edit(start, end, "")


def insert_entry(text: str, key: yaml.Node, value: yaml.Node, new_key: str, new: str) -> Edit:
    """Insert `new_key: new` on a line of its own after the entry `key: value`."""
    end = int(value.end_mark.index)
    if not (end > 0 and text[end - 1] == "\n"):
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    line = f"{' ' * int(key.start_mark.column)}{new_key}: {new}\n"
    return Edit(end, end, line if text[end - 1 : end] in ("\n", "") else "\n" + line)


def _flatten(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> Flat:
    flat: Flat = {}
    if not isinstance(node, yaml.MappingNode):
        flat[prefix] = yn.scalar(node) if isinstance(node, yaml.ScalarNode) else type(node).__name__
        return flat
    for key, value in node.value:
        path = (*prefix, str(key.value))
        if isinstance(value, yaml.MappingNode) and not prefix:
            flat.update(_flatten(value, path))
        else:
            flat[path] = yn.scalar(value) if isinstance(value, yaml.ScalarNode) else "<node>"
    return flat


@functools.lru_cache(maxsize=8)
def _original(text: str) -> list[list[Flat]] | None:
    """The unmutated file's rules, read once for all of its mutants."""
    return _rules(text)


def _rules(text: str) -> list[list[Flat]] | None:
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    return [
        [_flatten(rule) for rule in yn.sequence(yn.get(group, "rules"))]
        for group in yn.sequence(yn.get(root, "groups"))
    ]


def only_changes(
    before: str, after: str, rule: tuple[int, int], keys: tuple[str, ...], expected: str | None
) -> bool:
    """Whether `after` differs from `before` only in that one rule's value at `keys`.

    `expected` None means the entry is gone.
    """
    old, new = _original(before), _rules(after)
    if old is None or new is None:
        return False
    group, index = rule
    wanted = dict(old[group][index])
    if expected is None:
        wanted.pop(keys, None)
    else:
        wanted[keys] = expected
    return [
        [wanted if (g, r) == rule else flat for r, flat in enumerate(rules)]
        for g, rules in enumerate(old)
    ] == new
