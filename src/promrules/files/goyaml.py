"""Read a composed YAML tree the way promtool's Go decoder reads the same file.

PyYAML's libyaml and Go's yaml packages share one scanner and parser lineage
(Go's is a port of libyaml), so scalars, quoting, flow and block styles,
anchors and aliases come out the same. Where they part is decoding: what a
merge key (`<<`) means, what a repeated key does, what an explicit tag does.
This module settles those the way promtool does, and where it cannot be sure
it says so: a reading with doubts is one promrules must not act on, so such a
file runs as written (see `batching`).

promtool reads test files with yaml.v2's strict decoder (measured on 2.42 and
3.5.3, see tests/files/test_goyaml.py):

- a merge key applies where it stands: keys after it override what it brought,
  and what it brings overrides keys before it; in `<<: [*a, *b]` earlier maps win;
- into a struct (a test group, a case) overlapping keys from merges are silent;
  into a map (`exp_labels`, `external_labels`) any repeated key is an error;
- a key written twice in one mapping is an error everywhere.

Rule files go through yaml.v3, whose merge rules differ (explicit keys always
win): promrules does not model them, so a rule file with a merge key is a doubt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml

__all__ = ["Reading", "resolve"]

_YAML = "tag:yaml.org,2002:"
MERGE_TAG = _YAML + "merge"
_STR = _YAML + "str"
_MAP = _YAML + "map"
# Explicit tags whose value promtool and promrules read alike: as the text written.
_PLAIN_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "timestamp", "map", "seq")}
_RESOLVER = yaml.resolver.Resolver()

# The mappings of a test file that promtool decodes into Go structs (key paths,
# "*" for an item of a list); every other mapping is a Go map.
_TEST_FILE_STRUCTS = {
    (),
    ("tests", "*"),
    ("tests", "*", "input_series", "*"),
    ("tests", "*", "alert_rule_test", "*"),
    ("tests", "*", "alert_rule_test", "*", "exp_alerts", "*"),
    ("tests", "*", "promql_expr_test", "*"),
    ("tests", "*", "promql_expr_test", "*", "exp_samples", "*"),
}

Path = tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """A file's tree as promtool reads it, and why promrules may not trust it (if at all)."""

    root: yaml.Node | None
    doubts: tuple[str, ...] = ()


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _is_merge(key: yaml.Node) -> bool:
    return isinstance(key, yaml.ScalarNode) and key.tag == MERGE_TAG


class _Resolver:
    """One walk over a tree: merges expanded, doubts collected, shared nodes resolved once."""

    def __init__(self, is_struct: Callable[[Path], bool], merges_allowed: bool) -> None:
        self._is_struct = is_struct
        self._merges_allowed = merges_allowed
        self._done: dict[tuple[int, bool], yaml.Node] = {}
        self.doubts: list[str] = []

    def doubt(self, node: yaml.Node, why: str) -> None:
        self.doubts.append(f"line {_line(node)}: {why}")

    def node(self, node: yaml.Node, path: Path) -> yaml.Node:
        struct = self._is_struct(path)
        key = (id(node), struct)
        if key in self._done:
            return self._done[key]
        if isinstance(node, yaml.ScalarNode):
            self._check_tag(node)
            resolved: yaml.Node = node
        elif isinstance(node, yaml.SequenceNode):
            resolved = yaml.SequenceNode(
                node.tag, [], node.start_mark, node.end_mark, node.flow_style
            )
            self._done[key] = resolved  # before the items: a recursive alias ends here
            resolved.value = [self.node(item, (*path, "*")) for item in node.value]
            return resolved
        elif isinstance(node, yaml.MappingNode):
            resolved = yaml.MappingNode(
                node.tag, [], node.start_mark, node.end_mark, node.flow_style
            )
            self._done[key] = resolved
            resolved.value = self._pairs(node, path, struct)
            return resolved
        else:
            resolved = node
        self._done[key] = resolved
        return resolved

    def _check_tag(self, node: yaml.ScalarNode) -> None:
        if node.style not in (None, ""):
            implicit = _STR
        else:
            implicit = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, node.value, (True, False)
            )
        if node.tag in (implicit, _STR) or node.tag in _PLAIN_TAGS or node.tag == MERGE_TAG:
            return
        self.doubt(node, f"the tag {node.tag} (promtool's Go YAML may read it otherwise)")

    def _pairs(
        self, node: yaml.MappingNode, path: Path, struct: bool
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """The mapping's keys as Go sees them: merges applied in place, in yaml.v2's order."""
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        written: set[str] = set()
        for key, value in node.value:
            if _is_merge(key):
                self._merge(key, value, path, struct, entries)
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.doubt(key, "a key that is not a plain value")
                continue
            name = str(key.value)
            if name in written:
                self.doubt(key, f"the key {name!r} is written twice (promtool rejects the file)")
            elif name in entries and not struct:
                self.doubt(key, f"the key {name!r} is also set by a merge (promtool rejects it)")
            written.add(name)
            entries.pop(name, None)  # a later key also comes later in the copy
            entries[name] = (key, self.node(value, (*path, name)))
        return list(entries.values())

    def _merge(
        self,
        key: yaml.Node,
        value: yaml.Node,
        path: Path,
        struct: bool,
        entries: dict[str, tuple[yaml.Node, yaml.Node]],
    ) -> None:
        if not self._merges_allowed:
            self.doubt(key, "a merge key in a rule file (promtool reads those with other rules)")
        if isinstance(value, yaml.MappingNode):
            sources = [value]
        elif isinstance(value, yaml.SequenceNode) and all(
            isinstance(item, yaml.MappingNode) for item in value.value
        ):
            sources = list(reversed(value.value))  # yaml.v2 applies the last one first
        else:
            self.doubt(key, "a merge key whose value is not a mapping or a list of mappings")
            return
        for source in sources:
            for merged_key, merged_value in self.node(source, path).value:
                name = str(merged_key.value)
                if name in entries and not struct:
                    self.doubt(key, f"the merge sets {name!r} again (promtool rejects it)")
                entries.pop(name, None)
                entries[name] = (merged_key, merged_value)


def _test_file_struct(path: Path) -> bool:
    return path in _TEST_FILE_STRUCTS


def _never_struct(path: Path) -> bool:
    return False


def resolve(root: yaml.Node | None) -> Reading:
    """The tree promtool decodes from `root`, with the doubts that make it uncertain.

    A test file (top-level `tests`) follows yaml.v2's struct and map rules; any
    other file is treated as all maps, and a merge key in it is a doubt.
    """
    if root is None:
        return Reading(None)
    is_test_file = isinstance(root, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == "tests" for k, _ in root.value
    )
    walker = _Resolver(
        _test_file_struct if is_test_file else _never_struct, merges_allowed=is_test_file
    )
    try:
        resolved = walker.node(root, ())
    except RecursionError:
        return Reading(root, ("the YAML is nested deeper than promrules reads",))
    return Reading(resolved, tuple(dict.fromkeys(walker.doubts)))
