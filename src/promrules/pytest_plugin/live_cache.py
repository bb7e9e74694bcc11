"""Live derivations kept in pytest's cache, keyed by what they were derived from.

Deriving a rule file costs promtool rounds; running the suite again with
the same rules should cost none. An entry per rule file holds a digest of
its bytes, the promtool version, the per-alert budget and promrules' own
version, and the derivations as plain JSON; any difference is a miss. An
alert stopped by the time budget or by a bug of ours is not kept: the next
run tries it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from promrules import __version__
from promrules.derive.model import AlertDerivation, DerivedCase, Gap

__all__ = ["CacheStore", "LiveCache"]

_FORMAT = 1  # bump when the stored shape or the derivation's output changes


class CacheStore(Protocol):
    """What pytest's `config.cache` offers (get/set of JSON values by key)."""

    def get(self, key: str, default: Any) -> Any: ...

    def set(self, key: str, value: object) -> None: ...


def _derivation_data(d: AlertDerivation) -> dict[str, Any]:
    return {
        "alert": d.alert,
        "file": str(d.file),
        "line": d.line,
        "expr": d.expr,
        "interval": d.evaluation_interval_ms,
        "cases": [dataclasses.asdict(c) for c in d.cases],
        "gaps": [[g.condition, g.kind, g.reason, g.applies] for g in d.not_derived],
        "patterns": list(d.patterns),
        "shared_name": d.shared_name,
    }


def _derivation(data: dict[str, Any]) -> AlertDerivation:
    return AlertDerivation(
        alert=data["alert"],
        file=Path(data["file"]),
        line=int(data["line"]),
        expr=data["expr"],
        evaluation_interval_ms=int(data["interval"]),
        cases=tuple(DerivedCase(**c) for c in data["cases"]),
        not_derived=tuple(Gap(c, k, r, bool(a)) for c, k, r, a in data["gaps"]),
        patterns=tuple(data["patterns"]),
        shared_name=bool(data["shared_name"]),
    )


def _keepable(derivations: Sequence[AlertDerivation]) -> bool:
    """Results that would come out the same next time (no budget stop, no bug of ours)."""
    reasons = [g.reason for d in derivations for g in d.not_derived if g.kind is None]
    return not any("per-alert budget" in r or "promrules bug" in r for r in reasons)


class LiveCache:
    def __init__(self, store: CacheStore | None, promtool_version: str, budget_s: float) -> None:
        self.store = store
        self.context = f"{_FORMAT}|{__version__}|{promtool_version}|{budget_s:g}"

    def _key(self, rule_file: Path) -> str:
        where = hashlib.sha256(str(rule_file.resolve()).encode()).hexdigest()[:16]
        return f"promrules/live/{where}"

    def _digest(self, rule_file: Path) -> str:
        content = hashlib.sha256(rule_file.read_bytes()).hexdigest()
        return hashlib.sha256(f"{self.context}|{content}".encode()).hexdigest()

    def get(self, rule_file: Path) -> list[AlertDerivation] | None:
        """The file's derivations from an earlier run with the same bytes, if kept."""
        if self.store is None:
            return None
        entry = self.store.get(self._key(rule_file), None)
        if not isinstance(entry, dict) or entry.get("digest") != self._digest(rule_file):
            return None
        try:
            return [_derivation(d) for d in entry["derivations"]]
        except (KeyError, TypeError, ValueError):  # a damaged entry is a miss
            return None

    def put(self, rule_file: Path, derivations: Sequence[AlertDerivation]) -> None:
        if self.store is None or not _keepable(derivations):
            return
        data = [_derivation_data(d) for d in derivations]
        try:
            json.dumps(data)  # only JSON goes in: a case that is not is derived again next time
        except (TypeError, ValueError):
            return
        entry = {"digest": self._digest(rule_file), "derivations": data}
        self.store.set(self._key(rule_file), entry)
