"""One-case copies of a test group, and the single edits the cause finder tries on them.

A copy holds the file's top-level keys, absolute rule file paths and the
case's group with that one case left, so its verdict is the case's verdict.
Edits work on composed YAML nodes (deep copies): every scalar the edit does
not touch keeps its text, so promtool reads the same values as in the
user's file. The user's files are only ever read.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from promrules.engine.split import write_node
from promrules.files import notation
from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.model import Case, TestFile, TestGroup
from promrules.upgrade import case_rules

__all__ = [
    "NEWER_FIELDS",
    "Copy",
    "clone",
    "dot_without_newline",
    "dotall_case_regexes",
    "dotless_case_regexes",
    "dotless_regexes",
    "drop_fields",
    "extend_series",
    "has_key",
    "move_eval_time",
    "one_case",
    "rewrite_exprs",
    "set_interval",
    "shorter_interval",
    "widen_ranges",
    "widened_rule_files",
]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_CASE_LISTS = {"alert": "alert_rule_test", "expr": "promql_expr_test"}
# Test-file fields promtool 2.42 does not know (3.x added them).
NEWER_FIELDS = ("fuzzy_compare", "start_timestamp")
DEFAULT_EVALUATION_INTERVAL = "1m"
_RANGE_RE = case_rules.RANGE_RE


@dataclass(frozen=True)
class Copy:
    """A one-case test document, with the rule files it loads."""

    document: yaml.MappingNode
    group: yaml.MappingNode
    entry: yaml.MappingNode | None  # the case's entry (None for a case-less group)
    rule_files: tuple[str, ...]
    evaluation_interval: str
    change: str = ""  # the edit made, in words, concrete (`eval_time: 23m (was 24m)`)

    def write(self, target: Path) -> Path:
        write_node(self.document, target)
        return target


def _str(text: str, style: str | None = None) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR, text, style=style)


def _pairs_without(node: yaml.MappingNode, key: str) -> list[tuple[yaml.Node, yaml.Node]]:
    return [
        (k, v) for k, v in node.value if not (isinstance(k, yaml.ScalarNode) and k.value == key)
    ]


def _set(node: yaml.MappingNode, key: str, value: yaml.Node) -> None:
    node.value = [*_pairs_without(node, key), (_str(key), value)]


def one_case(test_file: TestFile, group: TestGroup, case: Case) -> Copy:
    """A document with the file's settings and only this case of this group."""
    assert isinstance(test_file.root, yaml.MappingNode)
    rule_files = tuple(
        os.path.abspath(match)
        for matches in test_file.resolve_rule_files().values()
        for match in matches
    )
    group_node = copy.deepcopy(group.node)
    assert isinstance(group_node, yaml.MappingNode)
    entry: yaml.MappingNode | None = None
    if case.kind in _CASE_LISTS:
        key = _CASE_LISTS[case.kind]
        chosen = yn.sequence(yn.get(group_node, key))[case.index]
        assert isinstance(chosen, yaml.MappingNode)
        entry = chosen
        group_node.value = _pairs_without(group_node, "alert_rule_test")
        group_node.value = _pairs_without(group_node, "promql_expr_test")
        _set(group_node, key, yaml.SequenceNode(_SEQ, [entry], flow_style=False))
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value in test_file.root.value:
        if key_node.value == "tests":
            value = yaml.SequenceNode(_SEQ, [group_node], flow_style=False)
        elif key_node.value == "rule_files":
            items: list[yaml.Node] = [_str(path, '"') for path in rule_files]
            value = yaml.SequenceNode(_SEQ, items, flow_style=False)
        pairs.append((key_node, value))
    document = yaml.MappingNode(_MAP, pairs, flow_style=False)
    interval = yn.scalar(yn.get(test_file.root, "evaluation_interval"))
    return Copy(document, group_node, entry, rule_files, interval or DEFAULT_EVALUATION_INTERVAL)


Edit = Callable[[Copy], Copy | None]


def clone(original: Copy) -> Copy:
    """A deep copy whose group and entry are the nodes inside the new document."""
    document = copy.deepcopy(original.document)
    group = yn.sequence(yn.get(document, "tests"))[0]
    assert isinstance(group, yaml.MappingNode)
    entry = None
    if original.entry is not None:
        for key in _CASE_LISTS.values():
            found = yn.sequence(yn.get(group, key))
            if found:
                assert isinstance(found[0], yaml.MappingNode)
                entry = found[0]
    return Copy(document, group, entry, original.rule_files, original.evaluation_interval)


def has_key(node: yaml.Node | None, key: str) -> bool:
    if isinstance(node, yaml.MappingNode):
        return any(k.value == key or has_key(v, key) for k, v in node.value)
    if isinstance(node, yaml.SequenceNode):
        return any(has_key(item, key) for item in node.value)
    return False


def _drop(node: yaml.Node, keys: tuple[str, ...]) -> None:
    if isinstance(node, yaml.MappingNode):
        node.value = [(k, v) for k, v in node.value if k.value not in keys]
        for _k, v in node.value:
            _drop(v, keys)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _drop(item, keys)


def drop_fields(fields: tuple[str, ...]) -> Edit:
    """Remove these keys wherever they appear in the copy."""

    def edit(original: Copy) -> Copy | None:
        if not any(has_key(original.document, f) for f in fields):
            return None
        changed = clone(original)
        present = [f for f in fields if has_key(original.document, f)]
        _drop(changed.document, fields)
        return dataclasses.replace(changed, change=f"remove `{'`, `'.join(present)}`")

    return edit


def set_interval(original: Copy) -> Copy | None:
    """Write the group's `interval` as newer promtools read a missing one: evaluation_interval."""
    if yn.get(original.group, "interval") is not None:
        return None
    changed = clone(original)
    _set(changed.group, "interval", _str(original.evaluation_interval))
    return dataclasses.replace(
        changed, change=f"add `interval: {original.evaluation_interval}` to the test group"
    )


def interval_ms(original: Copy, key: str = "interval") -> int | None:
    node = original.group if key == "interval" else original.document
    text = yn.scalar(yn.get(node, key)) or (
        original.evaluation_interval if key == "evaluation_interval" else None
    )
    try:
        return parse_duration(text) if text else None
    except DurationError:
        return None


# Shorter intervals tried, as fractions of the group's: off every range's multiple.
_SHORTER = ((4, 5), (3, 4), (2, 3))


def shorter_interval(original: Copy) -> Copy | None:
    """The group's `interval` a little shorter, so that no range the case reads is a multiple.

    With a range that is a multiple of the series interval, every window
    starts on a sample, and moving eval_time only moves the edge. A shorter
    interval puts most windows' starts between samples; every series must
    still reach as far towards eval_time as it did.
    """
    step = interval_ms(original)
    eval_text = yn.scalar(yn.get(original.entry, "eval_time")) or "0"
    ranges = case_rules.range_ms(case_rules.case_exprs(original.entry, original.rule_files))
    if not step or not any(r % step == 0 for r in ranges):
        return None
    try:
        eval_ms = parse_duration(eval_text)
        lengths = [
            len(notation.expand(yn.scalar(yn.get(s, "values")) or ""))
            for s in yn.sequence(yn.get(original.group, "input_series"))
        ]
    except (DurationError, notation.NotationError):
        return None
    for num, den in _SHORTER:
        shorter = step * num // den
        if shorter * den != step * num or shorter % 1000 or any(r % shorter == 0 for r in ranges):
            continue
        if any((n - 1) * shorter < min(eval_ms, (n - 1) * step) for n in lengths):
            continue
        changed = clone(original)
        _set(changed.group, "interval", _str(format_duration(shorter)))
        shown = ", ".join(sorted({format_duration(r) for r in ranges}))
        return dataclasses.replace(
            changed,
            change=f"`interval: {format_duration(shorter)}` (was {format_duration(step)}), "
            f"so no range the case reads ({shown}) is a multiple of it",
        )
    return None


def move_eval_time(step: Callable[[Copy], int | None], sign: int) -> Edit:
    """Move the case's eval_time by one step (of the group's interval or evaluation grid)."""

    def edit(original: Copy) -> Copy | None:
        if original.entry is None:
            return None
        text = yn.scalar(yn.get(original.entry, "eval_time")) or "0"
        by = step(original)
        try:
            moved = parse_duration(text) + sign * (by or 0)
        except DurationError:
            return None
        if not by or moved < 0:
            return None
        changed = clone(original)
        assert changed.entry is not None
        _set(changed.entry, "eval_time", _str(format_duration(moved)))
        return dataclasses.replace(
            changed, change=f"`eval_time: {format_duration(moved)}` (was {text})"
        )

    return edit


def extend_series(original: Copy) -> Copy | None:
    """Give every series that ends on a number one more sample of that number, one step later."""
    changed = clone(original)
    extended: list[str] = []
    for series in yn.sequence(yn.get(changed.group, "input_series")):
        values = yn.get(series, "values")
        if not isinstance(values, yaml.ScalarNode) or not isinstance(series, yaml.MappingNode):
            continue
        try:
            expanded = notation.expand(values.value)
        except notation.NotationError:
            continue
        if expanded and isinstance(expanded[-1], float):
            text = f"{values.value.strip()} {notation.format_number(expanded[-1])}"
            _set(series, "values", _str(text, '"'))
            extended.append(yn.scalar(yn.get(series, "series")) or "?")
    if not extended:
        return None
    names = ", ".join(f"`{name}`" for name in extended[:3]) + (", ..." if len(extended) > 3 else "")
    return dataclasses.replace(
        changed, change=f"one more sample (the last value again) at the end of {names}"
    )


def widen_ranges(expr: str) -> str:
    """Every range selector and subquery range one millisecond longer.

    3.x leaves out a sample exactly at a range's start; 1 ms more brings it
    back, while 2.x's closed range gains no sample (test samples lie on the
    series interval's grid). So the two versions read the same samples.
    """

    def longer(match: re.Match[str]) -> str:
        try:
            return "[" + format_duration(parse_duration(match.group(1)) + 1)
        except DurationError:
            return match.group(0)

    return _RANGE_RE.sub(longer, expr)


def _rewrite_node(node: yaml.Node, rewrite: Callable[[str], str]) -> bool:
    """Rewrite every `expr:` under node, in place; whether any changed."""
    changed = False
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "expr" and isinstance(value, yaml.ScalarNode):
                new = rewrite(value.value)
                if new != value.value:
                    value.value, value.style, changed = new, '"', True
            else:
                changed = _rewrite_node(value, rewrite) or changed
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            changed = _rewrite_node(item, rewrite) or changed
    return changed


def rewrite_exprs(
    rewrite: Callable[[str], str], change: str, rules: bool = True
) -> Callable[[Copy, Path], Copy | None]:
    """An edit that rewrites the PromQL of the case and (`rules`) of copies of the rules."""

    def edit(original: Copy, directory: Path) -> Copy | None:
        changed = clone(original)
        any_changed = False
        paths = list(original.rule_files)
        folder = Path(tempfile.mkdtemp(dir=directory)) if rules else directory
        for n, path in enumerate(original.rule_files if rules else ()):
            try:
                root = yn.compose_file(Path(path))
            except yn.YamlError:
                return None
            if root is not None and _rewrite_node(root, rewrite):
                any_changed = True
                target = folder / f"{n}-{Path(path).name}"
                write_node(root, target)
                paths[n] = str(target)
        if changed.entry is not None:
            any_changed = _rewrite_node(changed.entry, rewrite) or any_changed
        if not any_changed:
            return None
        if not rules:
            return dataclasses.replace(changed, change=change)
        items: list[yaml.Node] = [_str(p, '"') for p in paths]
        _set(changed.document, "rule_files", yaml.SequenceNode(_SEQ, items, flow_style=False))
        return Copy(
            changed.document,
            changed.group,
            changed.entry,
            tuple(paths),
            changed.evaluation_interval,
            change,
        )

    return edit


widened_rule_files = rewrite_exprs(
    widen_ranges, "every range selector 1ms longer (in copies of the rules and the case's expr)"
)

# A regex matcher's string: =~ or !~ then a double-, single- or back-quoted string.
_REGEX_MATCHER_RE = re.compile(r'(=~|!~)\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`)')
_DOT_RE = re.compile(r"(?<!\\)\.")


def _regex_dots(expr: str, raw: str, escaped: str) -> str:
    """Every unescaped `.` in the regex matchers of expr replaced (raw strings, quoted ones)."""

    def matcher(match: re.Match[str]) -> str:
        quoted = match.group(2)
        by = raw if quoted[0] == "`" else escaped
        body = _DOT_RE.sub(lambda _m: by, quoted[1:-1])
        return f"{match.group(1)}{quoted[0]}{body}{quoted[-1]}"

    return _REGEX_MATCHER_RE.sub(matcher, expr)


def dot_without_newline(expr: str) -> str:
    """`.` in regex matchers written `[^\\n]`: 2.x's meaning on any version.

    3.x compiles label regexes so that `.` also matches a newline; 2.x did not.
    """
    return _regex_dots(expr, "[^\\n]", "[^\\\\n]")


def dot_with_newline(expr: str) -> str:
    """`.` in regex matchers written `(?s:.)`: 3.x's meaning on any version."""
    return _regex_dots(expr, "(?s:.)", "(?s:.)")


dotless_regexes = rewrite_exprs(
    dot_without_newline, "`.` in regex matchers written `[^\\n]` (rules and the case's expr)"
)
dotless_case_regexes = rewrite_exprs(
    dot_without_newline, "in the case's expr, write `[^\\n]` for `.` in regex matchers", False
)
dotall_case_regexes = rewrite_exprs(
    dot_with_newline, "in the case's expr, write `(?s:.)` for `.` in regex matchers", False
)
