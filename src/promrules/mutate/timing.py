"""Mutants of a duration entry (`for:`, `keep_firing_for:`): one interval longer, shorter, gone.

One evaluation interval (the group's `interval`, else 1m) is the smallest
change promtool can tell apart, so a test that checks the alert one
evaluation before and at the moment it should fire kills all three.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.mutate import yamltext
from promrules.mutate.base import AlertSite, Mutant, MutateError

__all__ = ["duration_mutants"]


def _key_node(site: AlertSite, key: str) -> yaml.Node | None:
    found: list[yaml.Node] = [k for k, _value in site.node.value if k.value == key]
    return found[0] if found else None


def _added(site: AlertSite, name: str, key: str) -> Iterator[Mutant]:
    """An alert without `for:` gets one of one interval, as its lengthened mutant."""
    value = format_duration(site.interval_ms)
    anchor, expr = _key_node(site, "expr"), site.value("expr")
    if anchor is None or expr is None:
        return
    edit = yamltext.insert_entry(site.text, anchor, expr, key, value)
    yield site.mutant(name, f"{key}: {value} added", edit, (key,), value)


def duration_mutants(site: AlertSite, name: str, key: str, add: bool) -> Iterator[Mutant]:
    """Lengthen, shorten and remove the duration at `key`; `add` it when absent."""
    node = site.value(key)
    text = yn.scalar(node)
    if text is None:
        yield from _added(site, name, key) if add else ()
        return
    try:
        ms = parse_duration(text)
    except DurationError as exc:
        where = f"{site.path}:{yn.line_of(node) if node else site.line}"
        raise MutateError(f"{where}: {site.name}: {key}: {exc}") from exc
    interval = site.interval_ms
    changes = [ms + interval] + ([ms - interval] if ms - interval > 0 else [])
    for new_ms in changes:
        new = format_duration(new_ms)
        edit = yamltext.value_edit(site.text, node, 0, len(text), new)
        yield site.mutant(name, f"{key}: {text} -> {new}", edit, (key,), new)
    key_node = _key_node(site, key)
    if ms > 0 and key_node is not None and node is not None:
        edit = yamltext.delete_entry(site.text, key_node, node)
        yield site.mutant(name, f"{key}: {text} removed", edit, (key,), None)
