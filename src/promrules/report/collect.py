"""Gather the report's data: the coverage table, every alert, and its cases with charts.

`views` says what each alert is, `charts` asks promtool for the charts (one
run per test file, test files side by side); this module puts them together.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from promrules.coverage import CoverageReport
from promrules.files.model import TestFile
from promrules.promtool.binary import Promtool
from promrules.report.charts import charts_for_file
from promrules.report.model import CaseView, Chart, RanCase, ReportData
from promrules.report.views import alert_views, coverage_rows, shown, view_for

__all__ = ["RanCase", "collect"]


def _charted(entry: RanCase, charts: str) -> bool:
    return charts == "all" or entry.status in ("failed", "error")


def collect(
    coverage: CoverageReport,
    ran: Sequence[RanCase],
    promtool: Promtool | None,
    rootdir: Path,
    charts: str = "failures",
) -> ReportData:
    """Everything the page shows; promtool None leaves every case without a chart.

    `charts` ("failures" or "all"): which cases get a chart, and so which
    test files promtool evaluates again.
    """
    alerts = alert_views(coverage, rootdir)
    data = ReportData(
        rows=coverage_rows(coverage),
        total_alerts=len(coverage.alerts),
        total_percent=coverage.percent,
        alerts=alerts,
        charts=charts,
    )
    alert_cases = [r for r in ran if r.case.kind == "alert"]
    by_file: dict[Path, list[RanCase]] = {}
    files: dict[Path, TestFile] = {}
    for entry in alert_cases:
        if _charted(entry, charts):
            by_file.setdefault(entry.test_file.path, []).append(entry)
            files[entry.test_file.path] = entry.test_file
    drawn: dict[tuple[Path, int, str], Chart] = {}
    if promtool is not None and by_file:
        # One promtool run per test file, side by side as the test runs are.
        with ThreadPoolExecutor(max_workers=min(len(by_file), os.cpu_count() or 1)) as pool:
            done = pool.map(
                lambda item: (item[0], charts_for_file(promtool, files[item[0]], item[1])),
                by_file.items(),
            )
            for path, (found, runs) in done:
                data.promtool_runs += runs
                drawn.update({(path, i, a): c for (i, a), c in found.items()})
    for entry in alert_cases:
        key = (entry.test_file.path, entry.group.index, entry.case.subject)
        view = view_for(alerts, entry, rootdir)
        view.cases.append(
            CaseView(
                test_file=shown(entry.test_file.path, rootdir),
                line=entry.case.line,
                group=entry.group.label,
                name=entry.case.label,
                eval_ms=entry.case.eval_ms,
                eval_time=entry.case.eval_time,
                expects_firing=entry.case.expected_alerts > 0,
                status=entry.status,
                chart=drawn.get(key) if (charted := _charted(entry, charts)) else None,
                detail=entry.detail,
                charted=charted,
            )
        )
    return data
