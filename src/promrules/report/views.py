"""What the page says of each alert: its rule, annotations, coverage, and the table rows.

Read from the rule files as the coverage report names them; a case is put
under the alert its test file's rule files define (`view_for`).
"""

from __future__ import annotations

from pathlib import Path

from promrules.coverage import CoverageReport
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import format_duration
from promrules.report.model import AlertView, FileRow, RanCase


def shown(path: Path, rootdir: Path) -> str:
    try:
        return str(path.resolve().relative_to(rootdir))
    except ValueError:
        return str(path)


def _annotations(path: Path) -> dict[tuple[str, int], tuple[tuple[str, str], ...]]:
    """Each alert's annotations, keyed by (name, line)."""
    try:
        root = yn.compose_file(path)
    except (yn.YamlError, OSError):
        return {}
    found = {}
    for group in yn.sequence(yn.get(root, "groups")):
        for rule in yn.sequence(yn.get(group, "rules")):
            name = yn.scalar(yn.get(rule, "alert"))
            if name is None:
                continue
            node = yn.get(rule, "annotations")
            pairs = tuple((k, yn.scalar(yn.get(node, k)) or "") for k in yn.keys(node))
            found[(name, yn.line_of(rule))] = pairs
    return found


def alert_views(coverage: CoverageReport, rootdir: Path) -> list[AlertView]:
    views = []
    for shown, entries in coverage.by_file().items():
        path = Path(shown) if Path(shown).is_absolute() else rootdir / shown
        try:
            definitions = {(d.name, d.line): d for d in load_alerts(path)}
        except (yn.YamlError, OSError):
            definitions = {}
        annotations = _annotations(path)
        for entry in entries:
            definition = definitions.get((entry.alert, entry.line))
            views.append(
                AlertView(
                    rule_file=shown,
                    name=entry.alert,
                    line=entry.line,
                    expr=definition.expr if definition else "",
                    for_text=_for_text(definition),
                    labels=definition.labels if definition else (),
                    annotations=annotations.get((entry.alert, entry.line), ()),
                    firing=entry.firing,
                    quiet=entry.quiet,
                )
            )
    return views


def _for_text(definition: AlertDefinition | None) -> str:
    if definition is None or not definition.for_ms:
        return "0s"
    return format_duration(definition.for_ms)


def coverage_rows(coverage: CoverageReport) -> list[FileRow]:
    rows = []
    for shown, entries in coverage.by_file().items():
        covered = sum(e.covered for e in entries)
        rows.append(
            FileRow(
                rule_file=shown,
                alerts=len(entries),
                firing=sum(e.firing for e in entries),
                quiet=sum(e.quiet for e in entries),
                percent=100.0 * covered / len(entries),
                uncovered=tuple(e.alert for e in entries if not e.covered),
            )
        )
    return rows


def view_for(alerts: list[AlertView], entry: RanCase, rootdir: Path) -> AlertView:
    """The alert a case tests: in one of its test file's rule files, else by name alone."""
    rule_files = {
        shown(Path(p), rootdir) for ps in entry.test_file.resolve_rule_files().values() for p in ps
    }
    named = [a for a in alerts if a.name == entry.case.subject]
    for view in named:
        if view.rule_file in rule_files:
            return view
    if named:
        return named[0]
    orphan = AlertView(
        rule_file="(no rule file of the run defines it)",
        name=entry.case.subject,
        line=0,
        expr="",
        for_text="",
        labels=(),
        annotations=(),
        firing=False,
        quiet=False,
    )
    alerts.append(orphan)
    return orphan
