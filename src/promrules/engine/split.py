"""Write each test group of a test file as a test file of its own.

promtool reports failures per file, and inside a file it does not always say
which group a failure came from (2.x names the group for alert failures only,
and only when the group has a name). Running every group as its own file, in
one promtool process, attributes every failure to exactly one group.

Groups are written from the composed YAML nodes, so scalars keep the text and
style they were written with and promtool reads the same values; aliases that
cross groups are expanded into each copy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import yaml

from promrules.files.model import TestFile, TestGroup

__all__ = ["write_group_file", "write_group_files", "write_node"]

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _absolute_rule_files(test_file: TestFile) -> list[str]:
    base = test_file.path.parent.resolve()
    return [
        pattern if os.path.isabs(pattern) else str(base / pattern)
        for pattern, _line in test_file.rule_patterns
    ]


def _group_document(
    test_file: TestFile, group_node: yaml.Node, rule_files: Sequence[str]
) -> yaml.MappingNode:
    assert isinstance(test_file.root, yaml.MappingNode)
    pairs = []
    for key, value in test_file.root.value:
        if key.value == "tests":
            value = yaml.SequenceNode(_SEQ, [group_node], flow_style=False)
        elif key.value == "rule_files":
            items = [yaml.ScalarNode(_STR, path, style='"') for path in rule_files]
            value = yaml.SequenceNode(_SEQ, items, flow_style=False)
        pairs.append((key, value))
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


def write_group_file(
    test_file: TestFile, group: TestGroup, target: Path, rule_files: Sequence[str] | None = None
) -> None:
    """One group of the file as a file of its own; `rule_files` replaces the file's list."""
    files = _absolute_rule_files(test_file) if rule_files is None else rule_files
    write_node(_group_document(test_file, group.node, files), target)


# libyaml's emitter when PyYAML has it: a few times faster than the pure-Python one.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_node(node: yaml.Node, target: Path) -> None:
    """Write a composed YAML document; scalars keep their text and, where allowed, their style."""
    text = yaml.serialize(node, Dumper=_DUMPER, width=1_000_000, allow_unicode=True)
    target.write_text(text, encoding="utf-8")


def write_group_files(
    test_file: TestFile, directory: Path, indexes: Sequence[int] | None = None
) -> list[Path]:
    """One file per test group (all, or those at `indexes`), in order, inside `directory`."""
    paths = []
    chosen = test_file.groups if indexes is None else [test_file.groups[i] for i in indexes]
    for group in chosen:
        target = directory / f"{test_file.path.stem}.group{group.index}.yml"
        write_group_file(test_file, group, target)
        paths.append(target)
    return paths
