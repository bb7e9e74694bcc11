"""Write test groups as files of their own that load only the rules they need.

Each group becomes a one-group test file (as in `split`) whose `rule_files`
point at trimmed copies of the rule files, holding the rules
`rule_slices.kept_rules` says the group needs. Every distinct trimmed copy is
written once per folder. For each set of rule files trimmed, a probe file
runs the untrimmed rules on an empty storage: if it fails (a rule that does
not load or errors on no data), the trimmed verdicts of that set are not
used and the groups run with all their rules.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules.engine import rule_slices
from promrules.engine.split import write_group_file, write_node
from promrules.files import yamlnodes as yn
from promrules.files.model import TestFile, TestGroup

__all__ = ["RuleTrimmer", "TrimPlan", "trim_plan", "trimmed_rule_files"]

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"

RuleSet = tuple[Path, ...]


def _trimmed_rule_document(
    root: yaml.MappingNode, keep: frozenset[tuple[int, int]]
) -> yaml.MappingNode:
    """The rule file with only the rules at `keep` (group, rule); every group stays."""
    pairs = []
    for key, value in root.value:
        if key.value == "groups":
            groups = []
            for g, group in enumerate(yn.sequence(value)):
                assert isinstance(group, yaml.MappingNode)
                group_pairs = []
                for group_key, group_value in group.value:
                    if group_key.value == "rules":
                        rules = [
                            r for n, r in enumerate(yn.sequence(group_value)) if (g, n) in keep
                        ]
                        group_value = yaml.SequenceNode(_SEQ, rules, flow_style=False)
                    group_pairs.append((group_key, group_value))
                groups.append(yaml.MappingNode(_MAP, group_pairs, flow_style=False))
            value = yaml.SequenceNode(_SEQ, groups, flow_style=False)
        pairs.append((key, value))
    return yaml.MappingNode(_MAP, pairs, flow_style=False)


Needs = tuple[set[str], list[rule_slices.Selector] | None, list[tuple[str, dict[str, str]]] | None]


def _needs(alertnames: Iterable[str], exprs: Iterable[str], series: Iterable[str]) -> Needs:
    """What `kept_rules` asks of a group: alert names, selectors read, input series.

    None for the selectors or the series when one of them can't be read.
    """
    selectors = [rule_slices.expr_selectors(expr) for expr in exprs]
    observed = None if None in selectors else [s for found in selectors if found for s in found]
    series_read = [rule_slices.input_series(text) for text in series]
    inputs = None if None in series_read else [i for i in series_read if i is not None]
    return set(alertnames), observed, inputs


def _group_needs(group: TestGroup) -> Needs:
    return _needs(
        (c.subject for c in group.cases if c.kind == "alert"),
        (c.subject for c in group.cases if c.kind == "expr"),
        (
            yn.scalar(yn.get(entry, "series")) or ""
            for entry in yn.sequence(yn.get(group.node, "input_series"))
        ),
    )


def _readable(
    rule_set: RuleSet,
) -> tuple[rule_slices.RuleIndex, list[yaml.MappingNode]] | None:
    """The rules of a set of rule files and their YAML; None if they can't be trimmed."""
    if len(set(rule_set)) != len(rule_set):
        return None
    rules = rule_slices.read_rules(rule_set)  # None when a file does not compose
    roots = [rule_slices.rule_file_root(p) for p in rule_set]
    if rules is None:
        return None
    return rules, [root for root in roots if root is not None]


@dataclass(frozen=True)
class TrimPlan:
    """A test file's rule files and, per group, the rules it keeps (None: all of them)."""

    rule_set: RuleSet
    roots: list[yaml.MappingNode] = field(compare=False)
    rule_count: int
    kept: tuple[frozenset[rule_slices.Position] | None, ...]

    def rules_loaded(self, group: int) -> int:
        kept = self.kept[group]
        return self.rule_count if kept is None else len(kept)


def _make_plan(test_file: TestFile) -> TrimPlan | None:
    rule_set = tuple(
        Path(p).resolve() for paths in test_file.resolve_rule_files().values() for p in paths
    )
    readable = _readable(rule_set)
    if readable is None:
        return None
    rules, roots = readable
    kept = tuple(rule_slices.kept_rules(rules, *_group_needs(g)) for g in test_file.groups)
    return TrimPlan(rule_set, roots, len(rules), kept)


# Plans by test file object: the planner (for cost estimates) and the trimmer ask
# for the same file; an entry goes when its TestFile does. Keyed by identity,
# not equality: two loads of a rewritten file can compare equal (the YAML
# nodes, input series included, are left out of TestFile's comparison).
_PLANS: dict[int, TrimPlan | None] = {}


def trim_plan(test_file: TestFile) -> TrimPlan | None:
    """Which rules each group of the file keeps; None when its rules can't be trimmed."""
    key = id(test_file)
    if key not in _PLANS:
        _PLANS[key] = _make_plan(test_file)
        weakref.finalize(test_file, _PLANS.pop, key, None)
    return _PLANS[key]


class RuleTrimmer:
    """Writes trimmed group files and their rule files into one folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._written: dict[tuple[Path, frozenset[tuple[int, int]]], Path] = {}
        self._probes: dict[RuleSet, Path] = {}
        self._files = 0

    def group_files(
        self, test_file: TestFile, indexes: Sequence[int]
    ) -> tuple[list[Path], RuleSet] | None:
        """One file per group at `indexes`, and the rule set its probe covers.

        None when the file's rules cannot be read: run it untrimmed.
        """
        plan = trim_plan(test_file)
        if plan is None:
            return None
        rule_set = plan.rule_set
        paths = []
        trimmed = False
        for index in indexes:
            group = test_file.groups[index]
            kept = plan.kept[index]
            rule_files = [str(p) for p in rule_set]
            if kept is not None and len(kept) < plan.rule_count:
                trimmed = True
                rule_files = [
                    str(self.trimmed_copy(path, root, i, kept))
                    for i, (path, root) in enumerate(zip(rule_set, plan.roots, strict=True))
                ]
            self._files += 1
            target = self.directory / f"{self._files}.{test_file.path.stem}.group{index}.yml"
            write_group_file(test_file, group, target, rule_files)
            paths.append(target)
        if trimmed:
            self._probe(rule_set)
        return paths, rule_set

    def probes(self) -> dict[RuleSet, Path]:
        """The probe file of each rule set some group was trimmed from."""
        return dict(self._probes)

    def trimmed_copy(
        self,
        path: Path,
        root: yaml.MappingNode,
        file_index: int,
        kept: frozenset[rule_slices.Position],
    ) -> Path:
        keep = frozenset((g, r) for f, g, r in kept if f == file_index)
        key = (path, keep)
        if key not in self._written:
            target = self.directory / f"rules{len(self._written)}.{path.name}"
            write_node(_trimmed_rule_document(root, keep), target)
            self._written[key] = target
        return self._written[key]

    def _probe(self, rule_set: RuleSet) -> None:
        if rule_set in self._probes:
            return
        target = self.directory / f"rules-probe{len(self._probes)}.yml"
        files = yaml.SequenceNode(
            _SEQ, [yaml.ScalarNode(_STR, str(p), style='"') for p in rule_set], flow_style=False
        )
        empty_group = yaml.MappingNode(
            _MAP,
            [(yaml.ScalarNode(_STR, "input_series"), yaml.SequenceNode(_SEQ, [], flow_style=True))],
            flow_style=False,
        )
        document = yaml.MappingNode(
            _MAP,
            [
                (yaml.ScalarNode(_STR, "rule_files"), files),
                (yaml.ScalarNode(_STR, "tests"), yaml.SequenceNode(_SEQ, [empty_group])),
            ],
            flow_style=False,
        )
        write_node(document, target)
        self._probes[rule_set] = target


def trimmed_rule_files(
    rule_files: Sequence[Path],
    alertname: str,
    exprs: Sequence[str],
    series: Sequence[str],
    directory: Path,
) -> list[Path]:
    """Rule files for one group's queries (a timeline's), keeping only what they need.

    The files themselves when nothing can be left out or something can't be
    read. No probe: a timeline is a diagnosis, and the failed case's own
    message already carries any evaluation error.
    """
    paths = tuple(p.resolve() for p in rule_files)
    readable = _readable(paths)
    if readable is None:
        return list(rule_files)
    rules, roots = readable
    kept = rule_slices.kept_rules(rules, *_needs([alertname], exprs, series))
    if kept is None or len(kept) == len(rules):
        return list(rule_files)
    trimmer = RuleTrimmer(directory)
    return [
        trimmer.trimmed_copy(path, root, i, kept)
        for i, (path, root) in enumerate(zip(paths, roots, strict=True))
    ]
