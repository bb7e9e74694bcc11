"""Alert coverage: which alerts a run showed firing, and which it showed quiet.

An alert counts as covered when a passing test showed it firing (an
alert_rule_test expecting it) and a passing test showed it quiet (an
alert_rule_test expecting no alert of that name). YAML tests, generated tests
and Python scenarios all report here through `record`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from promrules.model import RuleFile
from promrules.outputs import write_text

__all__ = ["AlertCoverage", "CoverageReport"]


@dataclass
class AlertCoverage:
    rule_file: str
    alert: str
    line: int
    firing: bool = False
    quiet: bool = False

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
            self.alerts.setdefault(
                (shown_as, name, line), AlertCoverage(shown_as, name, line)
            )

    def record(self, alert: str, *, firing: bool, line: int | None = None) -> None:
        """A passing test showed `alert` firing (or quiet), in whichever rule file it is.

        `line`: only the rule of that name at that line (a test of one of several
        rules sharing a name); else every rule of the name.
        """
        with self._lock:
            for entry in self.alerts.values():
                if entry.alert == alert and line in (None, entry.line):
                    if firing:
                        entry.firing = True
                    else:
                        entry.quiet = True

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

    def lines(self) -> Iterator[str]:
        """The coverage table, one rule file a row, then the uncovered alerts by name."""
        width = max((len(name) for name in self.by_file()), default=10)
        yield f"{'rule file':<{width}}  alerts  firing  quiet  covered"
        for name, entries in self.by_file().items():
            covered = sum(e.covered for e in entries)
            yield (
                f"{name:<{width}}  {len(entries):>6}  {sum(e.firing for e in entries):>6}"
                f"  {sum(e.quiet for e in entries):>5}  {100.0 * covered / len(entries):>6.1f}%"
            )
        total = len(self.alerts)
        yield f"{'TOTAL':<{width}}  {total:>6}  {'':>6}  {'':>5}  {self.percent:>6.1f}%"
        for entry in (e for e in self.alerts.values() if not e.covered):
            missing = " and ".join(
                part for part, ok in (("firing", entry.firing), ("quiet", entry.quiet)) if not ok
            )
            where = f"{entry.rule_file}:{entry.line}"
            yield f"not covered: {where} {entry.alert} (no passing {missing} case)"

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

    def write_json(self, path: Path) -> None:
        document = {"percent": round(self.percent, 2), "alerts": self.rows()}
        write_text(path, json.dumps(document, indent=2), "the coverage JSON")
