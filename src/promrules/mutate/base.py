"""What every mutation operator shares: the alert it mutates, the mutant, the registry.

An operator is a function from one alerting rule (an `AlertSite`) to the
mutants of that rule; `@operator("name", rank=n)` registers it under the name of its
docs page (`mutate/threshold` <-> docs/mutate/threshold.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules.files import yamlnodes as yn
from promrules.mutate import yamltext
from promrules.mutate.yamltext import Edit

__all__ = [
    "OPERATORS",
    "AlertSite",
    "Edit",
    "Mutant",
    "MutateError",
    "operator",
]


class MutateError(Exception):
    """A rule or test file mutation testing cannot work with; says which and why."""


@dataclass(frozen=True)
class Mutant:
    """One small change to one alert; `edit` is None when it could not be placed."""

    operator: str
    path: Path
    alert: str
    line: int
    description: str
    edit: Edit | None
    reason: str = ""  # why a mutant could not be placed

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class AlertSite:
    """One alerting rule, with its file's text, where it sits, and its group's interval."""

    path: Path  # as it is shown in reports
    text: str
    group: int
    rule: int
    node: yaml.MappingNode = field(repr=False)
    name: str
    line: int
    interval_ms: int

    def value(self, *keys: str) -> yaml.Node | None:
        node: yaml.Node | None = self.node
        for key in keys:
            node = yn.get(node, key)
        return node

    def line_at(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def mutant(
        self,
        name: str,
        description: str,
        edit: Edit | None,
        keys: tuple[str, ...],
        expected: str | None,
        line: int | None = None,
    ) -> Mutant:
        """A mutant whose edit is proven to set `keys` to `expected` and change nothing else."""
        where = line or self.line
        if edit is None:
            return Mutant(name, self.path, self.name, where, description, None, "no text edit")
        changed = edit.apply(self.text)
        if not yamltext.only_changes(self.text, changed, (self.group, self.rule), keys, expected):
            reason = "the edit of the YAML text did not give the intended value"
            return Mutant(name, self.path, self.name, where, description, None, reason)
        return Mutant(name, self.path, self.name, self.line_at(edit.start), description, edit)

    def unplaced(self, name: str, description: str, reason: str) -> Mutant:
        return Mutant(name, self.path, self.name, self.line, description, None, reason)


MutantFactory = Callable[[AlertSite], Iterator[Mutant]]
OPERATORS: dict[str, MutantFactory] = {}
_RANKS: dict[str, int] = {}


def operator(name: str, rank: int) -> Callable[[MutantFactory], MutantFactory]:
    """Register a mutation operator under its name, which is also its docs page.

    `rank` orders operators in reports: thresholds first, matchers last.
    """

    def register(function: MutantFactory) -> MutantFactory:
        _RANKS[name] = rank
        OPERATORS[name] = function
        for key in sorted(OPERATORS, key=_RANKS.__getitem__):
            OPERATORS[key] = OPERATORS.pop(key)
        return function

    return register
