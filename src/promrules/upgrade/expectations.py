"""A copy that expects what both promtools computed, changing only the values that differ.

Off a window edge the two versions give the same result, which can still
differ from what the case expects: a count or an annotation that included
the edge sample. Such a case has no edit that keeps its expectation; the
edit closest to the user's test keeps its alerts and samples, their labels
and keys, and rewrites only the values that differ, so the report can say
exactly which expected value moves (`10` -> `9`).
"""

from __future__ import annotations

import dataclasses
import re

import yaml

from promrules.engine.render import alert_labelsets
from promrules.files import notation
from promrules.files import yamlnodes as yn
from promrules.promtool import goquote
from promrules.promtool.output import Failure
from promrules.upgrade.copies import Copy, clone

__all__ = ["expect_got", "word_change"]

# The value of a one-sample result as promtool prints it: `{labels} 5E+00`.
_ONE_SAMPLE_RE = re.compile(r"^\{[^{}]*\} (\S+)$")

_Labels = tuple[tuple[str, str], ...]


def word_change(old: str, new: str) -> str:
    """The words that differ between two texts, `old` -> `new` (the whole texts when short)."""
    a, b = old.split(" "), new.split(" ")
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    before = " ".join(a[start : len(a) - end]) or "(nothing)"
    after = " ".join(b[start : len(b) - end]) or "(nothing)"
    return f"`{before}` -> `{after}`"


def _set_scalar(node: yaml.ScalarNode, value: str) -> None:
    node.tag, node.value = "tag:yaml.org,2002:str", value
    if node.style is None and value != value.strip():
        node.style = '"'


def _one_value(original: Copy, failure: Failure) -> Copy | None:
    """An expr case with one expected sample, expecting the one value promtool got."""
    samples = yn.sequence(yn.get(original.entry, "exp_samples"))
    match = _ONE_SAMPLE_RE.match((failure.got or "").strip())
    if len(samples) != 1 or match is None:
        return None
    try:
        value = notation.format_number(float(match.group(1)))
    except ValueError:
        return None
    changed = clone(original)
    sample = yn.sequence(yn.get(changed.entry, "exp_samples"))[0]
    if not isinstance(sample, yaml.MappingNode):
        return None
    old = yn.scalar(yn.get(sample, "value")) or "0"
    kind = "int" if re.fullmatch(r"-?\d+", value) else "float"  # written plain, as users do
    sample.value = [(k, v) for k, v in sample.value if k.value != "value"]
    sample.value.append(
        (
            yaml.ScalarNode("tag:yaml.org,2002:str", "value"),
            yaml.ScalarNode(f"tag:yaml.org,2002:{kind}", value),
        )
    )
    return dataclasses.replace(
        changed, change=f"{original.change} and `value: {value}` (was {old})"
    )


def _pairs(node: yaml.Node | None) -> dict[str, yaml.ScalarNode]:
    found: dict[str, yaml.ScalarNode] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                found[key.value] = value
    return found


def _expected_alerts(
    entry: yaml.MappingNode,
) -> list[tuple[_Labels, _Labels, dict[str, yaml.ScalarNode], dict[str, yaml.ScalarNode]]] | None:
    """Each exp_alerts entry: labels and annotations as promtool compares them, and their nodes."""
    alertname = yn.scalar(yn.get(entry, "alertname")) or ""
    found = []
    for item in yn.sequence(yn.get(entry, "exp_alerts")):
        labels = _pairs(yn.get(item, "exp_labels"))
        notes = _pairs(yn.get(item, "exp_annotations"))
        if len(labels) != len(yn.keys(yn.get(item, "exp_labels"))) or len(notes) != len(
            yn.keys(yn.get(item, "exp_annotations"))
        ):
            return None  # a value that is not a plain scalar: leave it to the user
        shown = {name: node.value for name, node in labels.items()} | {"alertname": alertname}
        found.append(
            (
                tuple(sorted(shown.items())),
                tuple(sorted((n, v.value) for n, v in notes.items())),
                labels,
                notes,
            )
        )
    return sorted(found, key=lambda a: (a[0], a[1]))


def _got_alerts(text: str) -> list[tuple[_Labels, _Labels]] | None:
    sets = alert_labelsets(text)
    if sets is None:
        return None
    try:
        got = [
            (tuple(sorted(goquote.label_pairs(labels))), tuple(sorted(goquote.label_pairs(notes))))
            for labels, notes in sets
        ]
    except goquote.GoQuoteError:
        return None
    return sorted(got)


def _alerts(original: Copy, failure: Failure) -> Copy | None:
    """An alert case expecting the label and annotation values of the alerts promtool got.

    Only when the same alerts fire with the same label and annotation names,
    so the edit changes values, never which alerts the case expects.
    """
    changed = clone(original)
    if changed.entry is None:
        return None
    expected = _expected_alerts(changed.entry)
    got = _got_alerts(failure.got or "")
    if expected is None or got is None or len(expected) != len(got):
        return None
    edits: list[str] = []
    for (labels, notes, label_nodes, note_nodes), (got_labels, got_notes) in zip(
        expected, got, strict=True
    ):
        if [n for n, _v in labels] != [n for n, _v in got_labels] or [n for n, _v in notes] != [
            n for n, _v in got_notes
        ]:
            return None
        for where, nodes, new in (
            ("exp_labels", label_nodes, got_labels),
            ("exp_annotations", note_nodes, got_notes),
        ):
            for name, value in new:
                node = nodes.get(name)
                if node is not None and node.value != value:
                    edits.append(f"{where} `{name}`: {word_change(node.value, value)}")
                    _set_scalar(node, value)
    if not edits:
        return None
    return dataclasses.replace(changed, change=f"{original.change} and {', '.join(edits)}")


def expect_got(original: Copy, failure: Failure) -> Copy | None:
    """The copy expecting what promtool got for its one case (None when that is no small edit)."""
    if original.entry is None or failure.got is None:
        return None
    if yn.get(original.entry, "alertname") is not None:
        return _alerts(original, failure)
    return _one_value(original, failure)
