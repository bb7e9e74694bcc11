"""Alert coverage: which alerts a run showed firing, and which it showed quiet.

An alert counts as covered when a passing test showed it firing (an
alert_rule_test expecting it) and a passing test showed it quiet (an
alert_rule_test expecting no alert of that name). YAML tests and generated
tests report here through `record`; Python scenarios too, through the
listener the plugin sets around each test (pytest_plugin.scenario_coverage).

Each alert also says which kind of passing case tested it: hand-written (a
test file someone wrote) or derived (a generated snapshot file, or cases
derived live). The plugin sets the kind around each test (`recording_as`), so
the items that record need not know it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from promrules.files.model import RuleFile
from promrules.files.outputs import write_text

__all__ = ["AlertCoverage", "CoverageReport", "recording_as"]

HAND_WRITTEN = "hand-written"
DERIVED = "derived"
_KIND: ContextVar[str] = ContextVar("promrules_case_kind", default=HAND_WRITTEN)


@contextlib.contextmanager
def recording_as(kind: str) -> Iterator[None]:
    """Cases recorded inside count as `kind` (HAND_WRITTEN or DERIVED)."""
    token = _KIND.set(kind)
    try:
        yield
    finally:
        _KIND.reset(token)


@dataclass
class AlertCoverage:
    rule_file: str
    alert: str
    line: int
    firing: bool = False
    quiet: bool = False
    hand_written: bool = False  # a passing hand-written case tested it
    derived: bool = False  # a passing derived case tested it

    @property
    def covered(self) -> bool:
        return self.firing and self.quiet


@dataclass
class CoverageReport:
    """Collected over a session; printed as a table and written as JSON at the end."""

    # By rule file, alert name and line: two rules may share a name (legal in
    # Prometheus), and each counts.
    alerts: dict[tuple[str, str, int], AlertCoverage] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_rule_file(self, rule_file: RuleFile, shown_as: str) -> None:
        for name, line in rule_file.alerts:
            self.alerts.setdefault((shown_as, name, line), AlertCoverage(shown_as, name, line))

    def record(self, alert: str, *, firing: bool, line: int | None = None) -> None:
        """A passing test showed `alert` firing (or quiet), in whichever rule file it is.

        `line`: only the rule of that name at that line (a test of one of several
        rules sharing a name); else every rule of the name.
        """
        derived = _KIND.get() == DERIVED
        with self._lock:
            for entry in self.alerts.values():
                if entry.alert == alert and line in (None, entry.line):
                    if firing:
                        entry.firing = True
                    else:
                        entry.quiet = True
                    if derived:
                        entry.derived = True
                    else:
                        entry.hand_written = True

    def by_file(self) -> dict[str, list[AlertCoverage]]:
        files: dict[str, list[AlertCoverage]] = {}
        for entry in sorted(self.alerts.values(), key=lambda e: (e.rule_file, e.line)):
            files.setdefault(entry.rule_file, []).append(entry)
        return files

    @property
    def percent(self) -> float:
        if not self.alerts:
            return 100.0
        return 100.0 * sum(e.covered for e in self.alerts.values()) / len(self.alerts)

    def without_hand_written(self) -> list[AlertCoverage]:
        """Alerts no passing hand-written case tested (derived cases alone, or none)."""
        return [e for e in self.alerts.values() if not e.hand_written]

    def lines(self, *, require_hand_written: bool = False) -> Iterator[str]:
        """The coverage table, one rule file a row, then the uncovered alerts by name.

        The `hand-written` and `derived` columns count the alerts a passing case
        of that kind tested; with `require_hand_written`, each alert no
        hand-written case tested is named.
        """
        width = max((len(name) for name in self.by_file()), default=10)
        yield f"{'rule file':<{width}}  alerts  firing  quiet  hand-written  derived  covered"
        for name, entries in self.by_file().items():
            covered = sum(e.covered for e in entries)
            yield (
                f"{name:<{width}}  {len(entries):>6}  {sum(e.firing for e in entries):>6}"
                f"  {sum(e.quiet for e in entries):>5}"
                f"  {sum(e.hand_written for e in entries):>12}"
                f"  {sum(e.derived for e in entries):>7}"
                f"  {100.0 * covered / len(entries):>6.1f}%"
            )
        total = len(self.alerts)
        yield (
            f"{'TOTAL':<{width}}  {total:>6}  {'':>6}  {'':>5}  {'':>12}  {'':>7}"
            f"  {self.percent:>6.1f}%"
        )
        for entry in (e for e in self.alerts.values() if not e.covered):
            missing = " and ".join(
                part for part, ok in (("firing", entry.firing), ("quiet", entry.quiet)) if not ok
            )
            where = f"{entry.rule_file}:{entry.line}"
            yield f"not covered: {where} {entry.alert} (no passing {missing} case)"
        lacking = self.without_hand_written()
        if require_hand_written:
            for entry in lacking:
                tested = "derived cases only" if entry.derived else "no passing case"
                where = f"{entry.rule_file}:{entry.line}"
                yield f"no hand-written case: {where} {entry.alert} ({tested})"
        elif lacking:
            count = f"{len(lacking)} alert{'s' if len(lacking) != 1 else ''}"
            yield f"{count} without a passing hand-written case (derived cases only, or none)"

    def rows(self) -> list[dict[str, str | int | bool]]:
        """Plain rows: the JSON report, and what an xdist worker sends its controller."""
        return [
            {
                "rule_file": e.rule_file,
                "alert": e.alert,
                "line": e.line,
                "firing": e.firing,
                "quiet": e.quiet,
                "covered": e.covered,
                "hand_written": e.hand_written,
                "derived": e.derived,
            }
            for e in sorted(self.alerts.values(), key=lambda e: (e.rule_file, e.line))
        ]

    def merge_rows(self, rows: list[dict[str, str | int | bool]]) -> None:
        """Add another process's rows: an alert is covered when any process covered it."""
        with self._lock:
            for row in rows:
                key = (str(row["rule_file"]), str(row["alert"]), int(row["line"]))
                entry = self.alerts.setdefault(key, AlertCoverage(*key))
                entry.firing = entry.firing or bool(row["firing"])
                entry.quiet = entry.quiet or bool(row["quiet"])
                entry.hand_written = entry.hand_written or bool(row.get("hand_written"))
                entry.derived = entry.derived or bool(row.get("derived"))

    def write_json(self, path: Path, partial: str | None = None) -> None:
        """`partial`: why this run's figures are not the suite's (a selection), if so."""
        document: dict[str, object] = {"percent": round(self.percent, 2), "alerts": self.rows()}
        if partial:
            document["partial"] = partial
        write_text(path, json.dumps(document, indent=2), "the coverage JSON")
